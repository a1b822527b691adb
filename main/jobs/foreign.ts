/**
 * Jobs of other processes that this process follows: their rows are polled (the supervisor's
 * tick), changes reach this process's listeners, and whoever waits here is answered when they
 * end. A shared job (reached through `submit({ once })`) whose owner stopped is submitted again
 * under the same key, so the waiters still get its result ("takeover").
 */
import type { JobOwner } from '../../db/jobs.js';
import type { JobKind } from '../../workers/jobs.js';
import type { AnyJob } from '../contract/jobs.js';

/** A shared job this process waits for, kept so that it can submit it again if its owner stops. */
export interface SharedRequest {
  kind: JobKind;
  title: string;
  input: unknown;
  once: { key: string; since: number };
  takeovers: number;
}

/** A shared job whose owner stopped, and the job this process now waits for instead. */
export interface JobTakeover {
  from: AnyJob;
  to: AnyJob;
  /** One line on what happened, for the CLI and logs. */
  message: string;
}

/** How many times one wait takes a shared job over before it gives up (owners that keep dying). */
const MAX_TAKEOVERS = 3;

/** Who waits for which job (this process's own and foreign ones alike). */
export class Waiters {
  readonly #byJob = new Map<number, ((job: AnyJob) => void)[]>();

  add(id: number): Promise<AnyJob> {
    return new Promise<AnyJob>((done) => {
      const list = this.#byJob.get(id) ?? [];
      list.push(done);
      this.#byJob.set(id, list);
    });
  }

  has(id: number): boolean {
    return this.#byJob.has(id);
  }

  /** Answers everyone waiting for `id` with `job`. */
  resolve(id: number, job: AnyJob): void {
    for (const done of this.#byJob.get(id) ?? []) done(job);
    this.#byJob.delete(id);
  }

  /** Those waiting for `from` now wait for `to`. */
  move(from: number, to: number): void {
    this.#byJob.set(to, [...(this.#byJob.get(to) ?? []), ...(this.#byJob.get(from) ?? [])]);
    this.#byJob.delete(from);
  }

  delete(id: number): void {
    this.#byJob.delete(id);
  }
}

/** What following foreign jobs needs of the supervisor. */
export interface ForeignHost {
  get(id: number): AnyJob | null;
  owns(id: number): boolean;
  /** Marks jobs of owners that are gone as interrupted. */
  recover(): void;
  /** Submits a shared job again (under its `once` key). Throws when it cannot. */
  resubmit(request: SharedRequest): AnyJob;
  ownerOf(id: number): JobOwner | null;
  emitJob(job: AnyJob): void;
  emitTakeover(takeover: JobTakeover): void;
  poll(): void;
  stopped(): boolean;
}

export class ForeignJobs {
  /** Followed jobs, with the last state seen. */
  readonly #followed = new Map<number, string>();
  /** Shared (`once`) jobs of other processes waited for here: resubmitted if their owner stops. */
  readonly #shared = new Map<number, SharedRequest>();
  /** Shared jobs this process asked to cancel: those end as asked, nobody takes them over. */
  readonly #cancelledHere = new Set<number>();
  /** A taken-over job's id → the job that replaced it. */
  readonly #successor = new Map<number, number>();
  readonly #host: ForeignHost;
  readonly #waiters: Waiters;

  constructor(host: ForeignHost, waiters: Waiters) {
    this.#host = host;
    this.#waiters = waiters;
  }

  get size(): number {
    return this.#followed.size;
  }

  /** Follows a job (again from scratch: its next state is reported even if unchanged). */
  follow(id: number): void {
    this.#followed.set(id, '');
  }

  followIfNew(id: number): void {
    if (!this.#followed.has(id)) this.#followed.set(id, '');
  }

  share(id: number, request: SharedRequest): void {
    this.#shared.set(id, request);
  }

  isShared(id: number): boolean {
    return this.#shared.has(id);
  }

  markCancelledHere(id: number): void {
    this.#cancelledHere.add(id);
  }

  /** The job that stands for `id` now: itself, or the one that took it over (and so on). */
  current(id: number): number {
    let at = id;
    for (let next = this.#successor.get(at); next !== undefined; next = this.#successor.get(at)) at = next;
    return at;
  }

  leave(id: number): void {
    this.#followed.delete(id);
    this.#shared.delete(id);
  }

  /** One look at every followed job's row. */
  watch(): void {
    if (this.#followed.size === 0) return;
    this.#host.recover(); // a foreign owner that died ends its jobs as interrupted
    for (const [id, seen] of this.#followed) {
      const job = this.#host.get(id);
      if (!job) {
        this.#followed.delete(id);
        continue;
      }
      const now = `${job.status}:${job.progress}:${job.stage}`;
      if (now !== seen) {
        this.#followed.set(id, now);
        this.#host.emitJob(job);
      }
      if (job.status !== 'queued' && job.status !== 'running') {
        this.#followed.delete(id);
        if (this.#takeOver(job)) continue;
        this.#waiters.resolve(id, job);
      }
    }
  }

  /**
   * A shared job of another process ended cancelled by its owner (Ctrl-C) or interrupted (its
   * owner was killed): those who waited for it still want its result, so it is submitted again
   * under the same key. The first waiter to do so owns the new job and the others wait for that
   * one. Not when this process (or any other, through the row) asked for the cancel: that was a
   * decision about the work, not an owner leaving.
   */
  #takeOver(job: AnyJob): boolean {
    const shared = this.#shared.get(job.id);
    this.#shared.delete(job.id);
    const askedHere = this.#cancelledHere.delete(job.id);
    if (!shared || askedHere || !this.#waiters.has(job.id) || this.#host.stopped()) return false;
    const ownerLeft = job.status === 'interrupted' || (job.status === 'cancelled' && job.cancelRequestedAt === null);
    if (!ownerLeft || shared.takeovers >= MAX_TAKEOVERS) return false;
    const owner = this.#host.ownerOf(job.id);
    let next: AnyJob;
    try {
      next = this.#host.resubmit(shared);
    } catch {
      return false; // e.g. the kind is not defined here: the waiters get the job as it ended
    }
    this.#successor.set(job.id, next.id);
    const mine = this.#host.owns(next.id);
    if (!mine) this.#followed.set(next.id, '');
    this.#shared.set(next.id, { ...shared, takeovers: shared.takeovers + 1 });
    this.#waiters.move(job.id, next.id);
    const who = owner ? `process ${owner.pid}` : 'the process computing it';
    const how = job.status === 'cancelled' ? 'was stopped (cancelled there)' : 'stopped (killed or crashed)';
    const message = mine
      ? `Job ${job.id} (${job.title}) was computed by ${who}, which ${how}: this process computes it again as job ${next.id}.`
      : `Job ${job.id} (${job.title}) was computed by ${who}, which ${how}: job ${next.id} of another waiting process computes it again; waiting for that one.`;
    this.#host.emitTakeover({ from: job, to: next, message });
    this.#host.poll();
    return true;
  }
}
