/** The picture wizard keeps its last plan: the same request and scan reuse it, any change in either plans again. */
import { describe, expect, it } from 'vitest';
import { PlanCache } from '../../renderer/src/components/pilots/image/plan-cache.js';
import type { ImagePlan } from '../../workers/image/plan.js';

const plan = (side: number) => ({ side, train: 510, validation: 90, maxEpochs: 30 }) as unknown as ImagePlan;
const request = { source: '/pictures', backend: 'auto', fineTune: false, time: true };

describe('PlanCache', () => {
  it('reuses the last plan for the same request and scan, whatever the field order', () => {
    const cache = new PlanCache();
    const key = PlanCache.key(request, 7);
    expect(cache.get(key)).toBeNull();
    const made = plan(28);
    cache.set(key, made);
    expect(cache.get(PlanCache.key({ time: true, fineTune: false, backend: 'auto', source: '/pictures' }, 7))).toBe(made);
    // An absent optional field is the same request as one left out.
    expect(cache.get(PlanCache.key({ ...request, imageSize: undefined }, 7))).toBe(made);
  });

  it('plans again when any input or the scan changes', () => {
    const cache = new PlanCache();
    cache.set(PlanCache.key(request, 7), plan(28));
    for (const changed of [
      { ...request, source: '/other' },
      { ...request, backend: 'wasm' },
      { ...request, fineTune: true },
      { ...request, time: false },
      { ...request, imageSize: 32 },
      { ...request, epochs: 4 },
      { ...request, backbone: '/models/mobilenet' },
    ]) {
      expect(cache.get(PlanCache.key(changed, 7)), JSON.stringify(changed)).toBeNull();
    }
    expect(cache.get(PlanCache.key(request, 8))).toBeNull();
    expect(cache.get(PlanCache.key(request, null))).toBeNull();
  });

  it('keeps only the last plan: going back to earlier settings plans again', () => {
    const cache = new PlanCache();
    const first = PlanCache.key(request, 7);
    const second = PlanCache.key({ ...request, imageSize: 32 }, 7);
    cache.set(first, plan(28));
    cache.set(second, plan(32));
    expect(cache.get(second)?.side).toBe(32);
    expect(cache.get(first)).toBeNull();
  });
});
