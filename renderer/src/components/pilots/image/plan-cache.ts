/**
 * The picture wizard's last plan (an `image.plan` job's result: split, side, backbone check,
 * timing), kept for the page's lifetime so coming back to the Train step does not plan (and time
 * a few training steps) again when nothing it depends on changed: the request sent to
 * `image:plan` (folder, backend, picture side, epochs, backbone, fine-tuning, whether to time)
 * and the folder's scan (a new scan may have found other pictures). Any change plans again.
 */
import type { ImagePlan } from '../../../../../workers/image/plan.js';

/** What `image:plan` is sent; the cache only reads it. */
export type PlanRequest = Record<string, string | number | boolean | undefined>;

export class PlanCache {
  private last: { key: string; plan: ImagePlan } | null = null;

  /** One string per distinct request and scan (field order does not matter; absent fields count as absent). */
  static key(request: PlanRequest, scanJobId: number | null): string {
    const fields = Object.keys(request)
      .filter((name) => request[name] !== undefined)
      .sort()
      .map((name) => [name, request[name]]);
    return JSON.stringify({ fields, scanJobId });
  }

  /** The last plan when it was made for this key, else null (plan again). */
  get(key: string): ImagePlan | null {
    return this.last?.key === key ? this.last.plan : null;
  }

  /** Keeps a plan that succeeded (a failed one is not kept: the next visit tries again). */
  set(key: string, plan: ImagePlan): void {
    this.last = { key, plan };
  }
}

/** The page's one cache (module state: it outlives the Train step's component). */
export const planCache = new PlanCache();
