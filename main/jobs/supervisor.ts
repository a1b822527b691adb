/**
 * Runs every long task as a job in its own worker process. Persists each
 * job's life in `jobs`, streams its progress to listeners (UI over IPC/SSE, CLI on stderr),
 * cancels politely then firmly, turns a worker's death into a failed job with its last words,
 * and limits concurrency: one GPU job at a time machine-wide (a lock file in the data folder,
 * main/jobs/gpu-lock.ts), a configurable number of CPU jobs per process.
 *
 * Several processes can share one data folder. Each job row records its owner (PID and process
 * start identity, main/jobs/liveness.ts), so a job whose owner is gone is known to be interrupted
 * even when its PID was reused. Only the owner runs a job and writes its progress and outcome;
 * another process asks it to cancel through the row (`cancel_requested_at`), which the owner
 * polls every POLL_MS while it has jobs, and waits for a job it does not own by polling its row.
 */
import { EventEmitter } from 'node:events';
import {
  cancelRequested,
  finishJob,
  getJob,
  insertJob,
  insertJobOnce,
  interruptOrphans,
  type Job,
  type JobError,
  type JobOwner,
  type JobStatus,
  jobOwner,
  listJobs,
  markRunning,
  requestCancel,
  setQueuedStage,
  updateProgress,
} from '../../db/jobs.js';
import type { JobKind } from '../../workers/jobs.js';
import type { FromWorker, JobResource } from '../../workers/protocol.js';
import type { AnyJob, AnyJobEvent, JobOf, JobSubmitted } from '../contract/jobs.js';
import { GpuLock, waitingForGpu } from './gpu-lock.js';
import { describeGone, ownerState, ownIdentity } from './liveness.js';
import { gpuBackendLikely, resolveResource } from './resources.js';
import { type JobDefinition, type JobEvent, type Running, type StoredDefinition, type SupervisorOptions, trusted } from './definitions.js';
import { ForeignJobs, type JobTakeover, Waiters } from './foreign.js';
import { outcomeOf, sendTo, spawnWorker } from './worker-process.js';
import { savedLibraryRoots, workerEnv } from './worker-env.js';

export type { JobDefinition, JobEvent, SupervisorOptions } from './definitions.js';
export type { JobTakeover } from './foreign.js';

const PROGRESS_WRITE_MS = 500;
/** The supervisors of this process (tests and tools can run several on one database). */
const supervisors = new Set<JobSupervisor>();
/** How often cancel requests from other processes, the GPU lock and foreign jobs are looked at. */
const POLL_MS = 500;

export class JobSupervisor extends EventEmitter<{ job: [JobEvent]; takeover: [JobTakeover] }> {
  readonly #definitions = new Map<JobKind, StoredDefinition>();
  readonly #queue: number[] = [];
  readonly #running = new Map<number, Running>();
  readonly #waiters = new Waiters();
  /** Jobs of other processes someone here waits for (or asked to cancel). */
  readonly #foreign: ForeignJobs;
  readonly #options: Required<SupervisorOptions>;
  readonly #gpuLock: GpuLock;
  #poller: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: SupervisorOptions) {
    super();
    this.#options = { graceMs: 3000, stderrLines: 20, gpuAvailable: gpuBackendLikely, ...options };
    this.#gpuLock = new GpuLock(options.dataDir);
    this.#foreign = new ForeignJobs(
      {
        get: (id) => this.get(id),
        owns: (id) => this.owns(id),
        recover: () => void this.recover(),
        resubmit: (shared) => this.#get(this.submit({ kind: shared.kind, title: shared.title, input: shared.input as never, once: shared.once }).id),
        ownerOf: (id) => jobOwner(this.#options.store.read, id),
        emitJob: (job) => this.#emitEvent({ job }),
        emitTakeover: (takeover) => this.emit('takeover', takeover),
        poll: () => this.#poll(),
        stopped: () => this.#stopped,
      },
      this.#waiters,
    );
    supervisors.add(this);
  }

  /** Whether this supervisor queues or runs job `id`. */
  owns(id: number): boolean {
    return this.#queue.includes(id) || this.#running.has(id);
  }

  /** Registers how a kind of job runs. Each capability defines its kinds at startup. */
  define<K extends JobKind>(kind: K, definition: JobDefinition<K>): this {
    this.#definitions.set(kind, definition as StoredDefinition);
    return this;
  }

  /**
   * Marks jobs left behind by processes that are gone (or whose PID now belongs to another
   * process) as interrupted. Called at start-up, and before a resume or a cancel decides from a
   * job's status. This process's own jobs count as orphans only when this supervisor does not run
   * them (left by an earlier supervisor of the same process).
   */
  recover(): number[] {
    const me = ownIdentity();
    const isOrphan = (owner: JobOwner, id: number) => {
      if (owner.pid === me.pid && (owner.start === null || owner.start === me.start)) return ![...supervisors].some((supervisor) => supervisor.owns(id));
      return ownerState(owner) !== 'alive';
    };
    return interruptOrphans(this.#options.store.write, isOrphan, Date.now());
  }

  get cpuSlots(): number {
    return this.#options.cpuSlots;
  }

  set cpuSlots(slots: number) {
    this.#options.cpuSlots = Math.max(1, Math.floor(slots));
    this.#schedule();
  }

  /**
   * Queues a job; it starts as soon as a slot for its resource is free. With `once`, a job of the
   * same key that is queued or running in any process (or succeeded since `once.since`) is
   * returned instead of a new one: wait for it to share its result.
   */
  submit<K extends JobKind>(request: { kind: K; title: string; input: JobSubmitted<K>; once?: { key: string; since: number } }): JobOf<K> {
    const definition = this.#definitions.get(request.kind);
    if (!definition) throw new Error(`No job kind "${request.kind}" is defined.`);
    if (this.#stopped) throw new Error('The job supervisor has shut down.');
    const me = ownIdentity();
    const row = {
      kind: request.kind,
      title: request.title,
      input: request.input,
      resource: resolveResource(definition.resource, request.input, this.#options.gpuAvailable),
      ownerPid: me.pid,
      ownerStart: me.start,
      now: Date.now(),
    };
    const { once } = request;
    const inserted = once ? insertJobOnce(this.#options.store.write, { ...row, dedupeKey: once.key, since: once.since }) : { job: insertJob(this.#options.store.write, row), created: true };
    const job = inserted.job;
    if (!inserted.created) {
      if (once) this.#foreign.share(job.id, { kind: request.kind, title: request.title, input: request.input, once, takeovers: 0 });
      return this.#typed(this.#get(job.id), request.kind);
    }
    this.#queue.push(job.id);
    this.#emit(job.id);
    this.#schedule();
    return this.#typed(this.#get(job.id), request.kind);
  }

  /**
   * Asks a job to stop: a queued job is cancelled at once; a running one gets a message, then a
   * kill after the grace period. A job of another process: when that process is gone, the job is
   * marked interrupted now; otherwise the request is written to its row, and its owner acts on it
   * within about a second (`cancelRequestedAt` says it was asked).
   */
  cancel(id: number): AnyJob {
    const job = this.#get(id);
    const queued = this.#queue.indexOf(id);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#finish(id, { status: 'cancelled' });
      return this.#get(id);
    }
    const running = this.#running.get(id);
    if (!running) {
      if (job.status !== 'queued' && job.status !== 'running') return job;
      const sibling = [...supervisors].find((supervisor) => supervisor !== this && supervisor.owns(id));
      if (sibling) return sibling.cancel(id);
      const owner = jobOwner(this.#options.store.read, id);
      const state = owner ? ownerState(owner) : 'gone';
      const ours = owner?.pid === process.pid && (owner.start === null || owner.start === ownIdentity().start);
      if (ours || state !== 'alive') {
        const reason = ours ? 'an earlier session of this process left it behind' : describeGone(owner ?? { pid: 0, start: null }, state === 'alive' ? 'gone' : state);
        this.#finish(id, { status: 'interrupted', error: { name: 'Interrupted', message: `This job stopped without finishing: ${reason}. Start it again.`, kind: 'internal' } });
        return this.#get(id);
      }
      requestCancel(this.#options.store.write, id, Date.now());
      this.#foreign.markCancelledHere(id);
      this.#emit(id);
      // Followed until it ends, so this process's listeners (serve mode's UI) see it stop.
      this.#foreign.followIfNew(id);
      this.#poll();
      return this.#get(id);
    }
    if (!running.cancelRequested) {
      running.cancelRequested = true;
      sendTo(running.child, { type: 'cancel' });
      running.killTimer = setTimeout(() => running.child.kill('SIGKILL'), this.#options.graceMs);
    }
    return job;
  }

  /** Resolves with the job once it reaches a final state. */
  wait<K extends JobKind>(job: { id: number; kind: K }): Promise<JobOf<K>>;
  wait(id: number): Promise<AnyJob>;
  wait(which: number | { id: number; kind: JobKind }): Promise<AnyJob> {
    const id = typeof which === 'number' ? which : which.id;
    const job = this.#get(id);
    const mine = this.#queue.includes(id) || this.#running.has(id);
    if (!mine && job.status !== 'queued' && job.status !== 'running') return Promise.resolve(job);
    // Another process runs it: its row is polled, and its owner's death ends the wait too.
    if (!mine) this.#foreign.follow(id);
    const waiting = this.#waiters.add(id);
    this.#poll();
    return waiting;
  }

  /**
   * The job that stands for `id` now: itself, or the job that took it over (and so on) after its
   * owner stopped. Listeners that follow one job follow this one.
   */
  current(id: number): number {
    return this.#foreign.current(id);
  }

  /** Whether `id` is a job of another process that this process shares (reached through `once`). */
  shares(id: number): boolean {
    return this.#foreign.isShared(id) && !this.owns(id);
  }

  /**
   * Stops waiting for a shared job of another process without cancelling it: the others who wait
   * for it keep it. Waiters here get the job as it stands.
   */
  leave(id: number): void {
    this.#foreign.leave(id);
    this.#waiters.delete(id);
  }

  /** One job (of any process), with its kind's types; null when there is none. */
  get(id: number): AnyJob | null {
    const job = getJob(this.#options.store.read, id);
    return job ? trusted(job) : null;
  }

  /** The latest jobs (of any process), newest first. */
  list(options: { limit?: number; status?: JobStatus } = {}): AnyJob[] {
    return listJobs(this.#options.store.read, options).map(trusted);
  }

  /** Running and queued job ids of this process. */
  active(): { running: number[]; queued: number[] } {
    return { running: [...this.#running.keys()], queued: [...this.#queue] };
  }

  /** Stops everything: queued jobs are cancelled, running workers killed and their jobs marked interrupted. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    this.#stopPolling();
    supervisors.delete(this);
    for (const id of this.#queue.splice(0)) this.#finish(id, { status: 'cancelled' });
    const exits = [...this.#running.entries()].map(
      ([id, running]) =>
        new Promise<void>((done) => {
          running.child.once('exit', () => done());
          this.#finish(id, {
            status: 'interrupted',
            error: { name: 'Interrupted', message: 'The app was closed while this job was running. Start it again.', kind: 'internal' },
          });
          running.child.kill('SIGKILL');
        }),
    );
    await Promise.all(exits);
    this.#gpuLock.release();
  }

  /** Starts the poll timer while there is anything to watch; it stops by itself when idle. */
  #poll(): void {
    if (this.#poller || this.#stopped) return;
    this.#poller = setInterval(() => this.#tick(), POLL_MS);
  }

  #stopPolling(): void {
    if (this.#poller) clearInterval(this.#poller);
    this.#poller = null;
  }

  /** One look at what other processes changed: cancel requests, the GPU lock, foreign jobs. */
  #tick(): void {
    try {
      const mine = [...this.#running.keys(), ...this.#queue];
      for (const id of cancelRequested(this.#options.store.read, mine)) this.cancel(id);
      if (this.#queue.length > 0) this.#schedule();
      this.#foreign.watch();
    } catch {
      // A busy or full database is retried at the next tick: a job must not die of a poll.
    }
    if (this.#running.size === 0 && this.#queue.length === 0 && this.#foreign.size === 0) this.#stopPolling();
  }

  #schedule(): void {
    if (this.#stopped) return;
    for (let index = 0; index < this.#queue.length; ) {
      const id = this.#queue[index]!;
      const job = getJob(this.#options.store.read, id);
      if (!job) {
        this.#queue.splice(index, 1);
        continue;
      }
      if (!this.#hasSlot(job.resource)) {
        index++;
        continue;
      }
      if (job.resource === 'gpu') {
        const lock = this.#gpuLock.tryAcquire(job.id);
        if (!lock.acquired) {
          // Held by another process: the poll retries; the job says what it waits for.
          setQueuedStage(this.#options.store.write, job.id, waitingForGpu(lock.holder));
          this.#poll();
          index++;
          continue;
        }
      }
      this.#queue.splice(index, 1);
      this.#start(job);
    }
  }

  #hasSlot(resource: JobResource): boolean {
    const busy = [...this.#running.values()].filter((running) => running.resource === resource).length;
    return busy < (resource === 'gpu' ? 1 : this.#options.cpuSlots);
  }

  #start(job: Job): void {
    const options = { workerPath: this.#options.workerPath, env: workerEnv(this.#options.dataDir, savedLibraryRoots(this.#options.store.read)), resource: job.resource, stderrLines: this.#options.stderrLines };
    const running: Running = spawnWorker(options, {
      message: (message) => this.#onMessage(job.id, running, message),
      exit: (code, signal) => this.#onExit(job.id, running, code, signal),
    });
    this.#running.set(job.id, running);
    markRunning(this.#options.store.write, job.id, running.child.pid ?? null, Date.now());
    sendTo(running.child, { type: 'start', jobId: job.id, kind: job.kind, input: job.input, dataDir: this.#options.dataDir });
    this.#emit(job.id);
    this.#poll();
  }

  #onMessage(id: number, running: Running, message: FromWorker): void {
    if (message.type === 'progress') {
      const now = Date.now();
      const progress = { fraction: message.fraction, stage: message.stage, etaSeconds: message.etaSeconds };
      if (now - running.lastProgressWrite >= PROGRESS_WRITE_MS || message.fraction >= 1) {
        running.lastProgressWrite = now;
        updateProgress(this.#options.store.write, id, progress);
        this.#emit(id, message.detail);
      } else {
        // Between writes, listeners still see the live figures.
        this.#emitEvent({ job: { ...this.#get(id), progress: progress.fraction, stage: progress.stage, etaSeconds: progress.etaSeconds }, ...(message.detail === undefined ? {} : { detail: message.detail }) });
      }
      return;
    }
    running.finalMessage ??= message;
  }

  #onExit(id: number, running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (running.killTimer) clearTimeout(running.killTimer);
    this.#running.delete(id);
    const outcome = outcomeOf(running, code, signal);
    if (outcome.status === 'result') {
      const job = this.#get(id);
      const definition = this.#definitions.get(job.kind);
      try {
        const stored = this.#options.store.write.transaction(() => (definition?.onResult ? definition.onResult(outcome.value as never, job as never) : outcome.value))();
        this.#finish(id, { status: 'succeeded', result: stored });
      } catch (error) {
        this.#finish(id, { status: 'failed', error: { name: (error as Error).name, message: (error as Error).message, kind: 'internal' } });
      }
    } else this.#finish(id, outcome);
    // Released once the outcome is stored: the next GPU job, of any process, starts after it ended.
    if (this.#gpuLock.heldFor === id) this.#gpuLock.release();
    this.#schedule();
  }

  #finish(id: number, outcome: { status: 'succeeded' | 'failed' | 'cancelled' | 'interrupted'; result?: unknown; error?: JobError }): void {
    finishJob(this.#options.store.write, id, { ...outcome, now: Date.now() });
    this.#emit(id);
    this.#waiters.resolve(id, this.#get(id));
  }

  #get(id: number): AnyJob {
    const job = this.get(id);
    if (!job) throw new Error(`There is no job ${id}.`);
    return job;
  }

  #typed<K extends JobKind>(job: AnyJob, kind: K): JobOf<K> {
    if (job.kind !== kind) throw new Error(`Job ${job.id} is a ${job.kind} job, not ${kind}.`);
    return job as JobOf<K>;
  }

  #emit(id: number, detail?: unknown): void {
    this.#emitEvent({ job: this.#get(id), ...(detail === undefined ? {} : { detail }) });
  }

  #emitEvent(event: { job: AnyJob; detail?: unknown }): void {
    this.emit('job', event as AnyJobEvent);
  }
}
