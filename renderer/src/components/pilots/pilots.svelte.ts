/**
 * The Pilots page's state: the project list, the open project with its runs and
 * versions, the wizard's choices (saved to `projects.wizard` so a user can leave and come back),
 * the selected dataset's inspection, and the training job followed live through the jobs store.
 */
import type { BenchImagePoint } from '../../../../common/image-estimate.js';
import type { DatasetInspection, Job, Project, ProjectDetail, ProjectSummary, QualityReportRecord, RunDetail, TrainOutcome } from '../../../../main/contract/index.js';
import type { PilotKind } from '../../../../workers/pilot-result.js';
import { errorMessage, invoke } from '../../lib/bridge.js';
import { jobs } from '../../lib/jobs.svelte.js';

export const STEPS = ['Goal', 'Data', 'Target & features', 'Resources', 'Train', 'Results', 'Register'] as const;

/** The wizard's choices, as stored in `projects.wizard`. */
export interface WizardState {
  /** 1..7 */
  step: number;
  task: 'auto' | 'binary' | 'multiclass' | 'regression';
  exclude: string[];
  /** Columns the trainer leaves out by default (identifier-like, personal data…) that the user wants used anyway. */
  include: string[];
  protected: string[];
  backend: 'auto' | 'wasm' | 'cpu';
  /** Which model becomes the version: the simpler one when as good on validation (auto), or one forced. */
  model: 'auto' | 'network' | 'linear';
  epochs: number | null;
  hiddenLayers: string;
  learningRate: number | null;
  batchSize: number | null;
  /** "Try several network settings": on, with a time budget in minutes. */
  search: boolean;
  searchMinutes: number;
  /** The run the Train and Results steps show. */
  runId: number | null;
}

export const DEFAULT_WIZARD: WizardState = {
  step: 1,
  task: 'auto',
  exclude: [],
  include: [],
  protected: [],
  backend: 'auto',
  model: 'auto',
  epochs: null,
  hiddenLayers: '',
  learningRate: null,
  batchSize: null,
  search: false,
  searchMinutes: 2,
  runId: null,
};

export class PilotsStore {
  projects = $state.raw<ProjectSummary[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  detail = $state.raw<ProjectDetail | null>(null);
  wizard = $state<WizardState>({ ...DEFAULT_WIZARD });
  inspection = $state.raw<DatasetInspection | null>(null);
  inspecting = $state(false);
  runDetail = $state.raw<RunDetail | null>(null);
  /** The training job this page started or resumed. */
  trainJobId = $state<number | null>(null);
  warning = $state<string | null>(null);
  /** The dataset's newest quality report (null: never scored), and the scoring job this page started. */
  quality = $state.raw<QualityReportRecord | null>(null);
  qualityJobId = $state<number | null>(null);
  /** This machine's tabular training benchmark (samples/s of the profiler's reference MLP), when a profile exists. */
  benchmark = $state<{ samplesPerSec: number; backend: string | null } | null>(null);
  /** The same profile's image points (the image trainer's network timed at each reference shape), for the picture wizard's estimate. */
  imageBenchmark = $state<BenchImagePoint[]>([]);

  readonly project: Project | null = $derived(this.detail?.project ?? null);
  readonly run = $derived(this.detail?.runs.find((run) => run.id === this.wizard.runId) ?? null);
  readonly outcome: TrainOutcome | null = $derived((this.runDetail?.run.result as TrainOutcome | null) ?? null);

  get trainJob(): Job | undefined {
    return this.trainJobId === null ? undefined : jobs.get(this.trainJobId);
  }

  async #call<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      const value = await work();
      this.error = null;
      return value;
    } catch (error) {
      this.error = errorMessage(error);
      return null;
    }
  }

  async refresh(): Promise<void> {
    const list = await this.#call(() => invoke('pilots:list', {}));
    if (list) this.projects = list;
    this.loaded = true;
  }

  async create(name: string, kind: PilotKind = 'tabular'): Promise<void> {
    const project = await this.#call(() => invoke('pilots:create', { name, kind }));
    if (!project) return;
    await this.refresh();
    await this.open(project.id);
  }

  async open(id: number): Promise<void> {
    const detail = await this.#call(() => invoke('pilots:get', { id }));
    if (!detail) return;
    this.detail = detail;
    this.wizard = { ...DEFAULT_WIZARD, ...(detail.project.wizard as Partial<WizardState>) };
    this.inspection = null;
    this.quality = null;
    this.runDetail = null;
    this.trainJobId = null;
    this.warning = null;
    if (this.wizard.runId === null && detail.runs[0]) this.wizard.runId = detail.runs[0].id;
    const running = detail.runs.find((run) => run.status === 'running');
    if (running?.jobId) this.trainJobId = running.jobId;
    if (detail.project.datasetId !== null) void this.inspect(detail.project.datasetId);
    if (this.wizard.runId !== null) void this.loadRun(this.wizard.runId);
    void this.loadBenchmark();
  }

  /** The newest local hardware profile's tabular benchmark; silently absent when hardware is not built or never profiled. */
  async loadBenchmark(): Promise<void> {
    if (this.benchmark) return;
    try {
      const local = (await invoke('hardware:list', { limit: 20 })).find((p) => p.source === 'local' && p.mode !== 'none');
      if (!local) return;
      const { report } = await invoke('hardware:get', { id: local.id });
      const samplesPerSec = report.benchmarks?.trainSamplesPerSec?.tabular;
      const point = report.benchmarks?.train?.find((t) => t.template === 'tabular');
      if (typeof samplesPerSec === 'number' && samplesPerSec > 0) this.benchmark = { samplesPerSec, backend: point?.backend ?? null };
      this.imageBenchmark = (report.benchmarks?.train ?? []).filter((t) => t.template === 'image' && t.image !== undefined);
    } catch {
      // No usable profile: the estimate falls back to the last run or a default.
    }
  }

  close(): void {
    this.detail = null;
    void this.refresh();
  }

  /** Saves project fields and the wizard state together. */
  async save(
    patch: Partial<Omit<Project, 'id' | 'kind' | 'wizard' | 'createdAt' | 'updatedAt' | 'archivedAt' | 'task'>> & { task?: 'binary' | 'multiclass' | 'regression' | null } = {},
  ): Promise<boolean> {
    const project = this.project;
    if (!project) return false;
    const updated = await this.#call(() => invoke('pilots:update', { id: project.id, ...patch, wizard: { ...this.wizard } }));
    if (!updated || !this.detail) return false;
    this.detail = { ...this.detail, project: updated };
    return true;
  }

  async goTo(step: number): Promise<void> {
    this.wizard.step = Math.min(STEPS.length, Math.max(1, step));
    await this.save();
  }

  async chooseDataset(datasetId: number): Promise<void> {
    if (!(await this.save({ datasetId, target: null }))) return;
    this.wizard.exclude = [];
    this.wizard.include = [];
    this.wizard.protected = [];
    await this.inspect(datasetId);
  }

  async loadQuality(datasetId: number): Promise<void> {
    try {
      this.quality = (await invoke('quality:latest', { datasetId })).record;
    } catch {
      // Not scored yet (or the report cannot be read): the Data step offers to score it.
      this.quality = null;
    }
  }

  /** Scores the dataset (with the target when one is chosen, which adds the leakage and label checks). */
  async scoreQuality(): Promise<void> {
    const project = this.project;
    if (!project || project.datasetId === null) return;
    const datasetId = project.datasetId;
    const started = await this.#call(() => invoke('quality:score', { datasetId, ...(project.target ? { target: project.target } : {}) }));
    if (!started) return;
    if (started.stored) {
      this.quality = started.stored;
      return;
    }
    if (!started.job) return;
    jobs.track(started.job);
    this.qualityJobId = started.job.id;
    const done = await jobs.whenDone(started.job);
    this.qualityJobId = null;
    if (done.status === 'succeeded') await this.loadQuality(datasetId);
    else if (done.status === 'failed') this.error = done.error?.message ?? 'The quality scoring failed.';
  }

  async inspect(datasetId: number): Promise<void> {
    void this.loadQuality(datasetId);
    this.inspecting = true;
    const inspection = await this.#call(() => invoke('pilots:inspect', { datasetId }));
    this.inspecting = false;
    this.inspection = inspection;
  }

  async loadRun(runId: number): Promise<void> {
    const detail = await this.#call(() => invoke('pilots:run', { id: runId }));
    if (detail) this.runDetail = detail;
  }

  /** Sets the registered version's operating threshold (null: back to 0.5), then reloads the run with its new verdict. */
  async setThreshold(threshold: number | null, reason = ''): Promise<boolean> {
    const version = this.runDetail?.version;
    if (!version) return false;
    const set = await this.#call(() => invoke('models:threshold', { ref: version.id, threshold, reason }));
    if (!set) return false;
    await this.loadRun(this.runDetail!.run.id);
    return true;
  }

  async #follow(job: Job, runId: number): Promise<void> {
    jobs.track(job);
    this.trainJobId = job.id;
    this.wizard.runId = runId;
    this.wizard.step = 5;
    await this.save();
    const done = await jobs.whenDone(job);
    if (this.project) await this.open(this.project.id);
    if (done.status === 'succeeded' && this.wizard.runId === runId) await this.goTo(6);
  }

  /** Set when training was refused because the file changed since import: the page offers to go ahead anyway. */
  changedFile = $state(false);

  async train(allowChanged = false): Promise<void> {
    const project = this.project;
    if (!project || project.datasetId === null || !project.target) return;
    const w = this.wizard;
    const hidden = w.hiddenLayers
      .split(',')
      .map((part) => Number(part.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
    this.changedFile = false;
    const started = await this.#call(() =>
      invoke('pilots:train', {
        allowChanged,
        projectId: project.id,
        datasetId: project.datasetId!,
        target: project.target!,
        task: w.task,
        exclude: w.exclude,
        include: w.include.filter((c) => c !== project.target),
        protected: w.protected,
        backend: w.backend,
        model: w.model,
        ...(w.epochs ? { epochs: w.epochs } : {}),
        ...(hidden.length ? { hiddenLayers: hidden } : {}),
        ...(w.learningRate ? { learningRate: w.learningRate } : {}),
        ...(w.batchSize ? { batchSize: w.batchSize } : {}),
        ...(w.search && w.searchMinutes > 0 ? { searchSeconds: Math.max(5, Math.round(w.searchMinutes * 60)) } : {}),
      }),
    );
    if (!started) {
      this.changedFile = /changed since it was imported/.test(this.error ?? '');
      return;
    }
    this.warning = started.warning;
    await this.#follow(started.job, started.run.id);
  }

  async resume(runId: number): Promise<void> {
    const started = await this.#call(() => invoke('pilots:resume', { runId }));
    if (started) await this.#follow(started.job, runId);
  }

  async archive(): Promise<void> {
    const project = this.project;
    if (!project) return;
    if (await this.#call(() => invoke('pilots:delete', { id: project.id }))) this.close();
  }
}

export const pilots = new PilotsStore();
