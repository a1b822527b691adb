/** The Models page's state: versions, the selected version's detail, history, comparison. */
import type { Comparison, ModelHistory, ProductionAt, RegistryVersion, RollbackPlan, VersionDetail } from '../../../../main/contract/index.js';
import { errorMessage, invoke, onEvent } from '../../lib/bridge.js';
import { jobs } from '../../lib/jobs.svelte.js';

/** A stage change that needs a reason from the user before it is sent. */
export type PendingAction =
  | { kind: 'promote'; version: RegistryVersion; to: 'staging' | 'production' }
  | { kind: 'demote' | 'archive'; version: RegistryVersion }
  | { kind: 'rollback'; project: string };

export class ModelsState {
  versions = $state.raw<RegistryVersion[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  selectedId = $state<number | null>(null);
  detail = $state.raw<VersionDetail | null>(null);
  history = $state.raw<ModelHistory | null>(null);
  productionAt = $state.raw<ProductionAt | null>(null);
  compareIds = $state.raw<number[]>([]);
  comparison = $state.raw<Comparison | null>(null);
  pending = $state.raw<PendingAction | null>(null);
  /** What the pending rollback would do (which version comes back, which aliases move); a string when it cannot be done. */
  rollbackPlan = $state.raw<RollbackPlan | string | null>(null);
  evaluateJobId = $state<number | null>(null);
  /** The last export's outcome, shown next to the Export button (not at the top of the page, out of sight). */
  exportResult = $state.raw<{ ok: boolean; text: string } | null>(null);

  /** Versions grouped by project name, in list order. */
  readonly projects = $derived.by(() => {
    const names = this.versions.map((v) => v.projectName).filter((name, i, all) => all.indexOf(name) === i);
    return names.map((name) => ({ name, versions: this.versions.filter((v) => v.projectName === name) }));
  });

  start(): () => void {
    const off = onEvent((event) => {
      if (event.job.kind === 'evaluate.run' && event.job.status === 'succeeded' && this.selectedId !== null) void this.select(this.selectedId);
    });
    void this.refresh();
    return off;
  }

  async #try<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    try {
      return await work();
    } catch (error) {
      this.error = errorMessage(error);
      return undefined;
    }
  }

  async refresh(): Promise<void> {
    await this.#try(async () => {
      this.versions = await invoke('models:list', {});
      this.loaded = true;
      if (this.selectedId === null && this.versions[0]) await this.select(this.versions[0].id);
    });
  }

  async select(id: number): Promise<void> {
    this.selectedId = id;
    await this.#try(async () => {
      const detail = await invoke('models:show', { ref: id });
      this.detail = detail;
      if (this.history?.project.id !== detail.version.projectId) this.productionAt = null;
      this.history = await invoke('models:history', { project: detail.version.projectId });
    });
  }

  /** Opens the rollback dialog and asks the registry which version would come back, so the dialog can name it. */
  async askRollback(project: string): Promise<void> {
    this.rollbackPlan = null;
    this.pending = { kind: 'rollback', project };
    try {
      this.rollbackPlan = await invoke('models:rollback-plan', { project });
    } catch (error) {
      this.rollbackPlan = errorMessage(error);
    }
  }

  /** Sends the pending stage change with the reason the dialog collected. */
  async confirm(reason: string): Promise<void> {
    const action = this.pending;
    this.pending = null;
    if (!action) return;
    const done = await this.#try(async () => {
      if (action.kind === 'promote') {
        const r = await invoke('models:promote', { ref: action.version.id, to: action.to, reason });
        return `Version ${r.version.version} is now in ${r.version.stage}${r.replaced ? `; version ${r.replaced.version} moved to staging` : ''}.`;
      }
      if (action.kind === 'rollback') {
        const r = await invoke('models:rollback', { project: action.project, reason });
        return `Rolled back: version ${r.restored.version} is in production again; version ${r.pulled.version} is archived.${r.movedAliases.length ? ` ${r.movedAliases.join(', ')} now point${r.movedAliases.length === 1 ? 's' : ''} at version ${r.restored.version}.` : ''}`;
      }
      const v = await invoke(action.kind === 'demote' ? 'models:demote' : 'models:archive', { ref: action.version.id, reason });
      return `Version ${v.version} is now ${v.stage}.`;
    });
    if (done) this.notice = done;
    await this.refresh();
    if (this.selectedId !== null) await this.select(this.selectedId);
  }

  async setAlias(alias: string): Promise<void> {
    if (!this.detail) return;
    const r = await this.#try(() => invoke('models:alias-set', { ref: this.detail!.version.id, alias }));
    if (r) this.notice = `${alias} → version ${r.version.version}${r.movedFrom === null ? '' : ` (moved from version ${r.movedFrom})`}.`;
    await this.refresh();
    await this.select(this.detail.version.id);
  }

  async removeAlias(alias: string): Promise<void> {
    if (!this.detail) return;
    await this.#try(() => invoke('models:alias-remove', { project: this.detail!.version.projectId, alias }));
    await this.refresh();
    await this.select(this.detail.version.id);
  }

  async askProductionAt(at: number): Promise<void> {
    if (!this.detail) return;
    const r = await this.#try(() => invoke('models:history', { project: this.detail!.version.projectId, at }));
    if (r) this.productionAt = r.production;
  }

  toggleCompare(id: number): void {
    this.compareIds = this.compareIds.includes(id) ? this.compareIds.filter((x) => x !== id) : [...this.compareIds, id].slice(-6);
  }

  async compare(): Promise<void> {
    const r = await this.#try(() => invoke('models:compare', { refs: this.compareIds }));
    if (r) this.comparison = r;
  }

  async exportTo(path: string, format: 'bundle' | 'onnx' | 'tfjs' = 'bundle'): Promise<void> {
    if (!this.detail) return;
    this.exportResult = null;
    try {
      const r = await invoke('models:export', { ref: this.detail.version.id, path, format });
      this.exportResult = {
        ok: true,
        text: r.format === 'bundle' ? `Bundle written to ${r.path} (SHA-256 ${r.sha256.slice(0, 12)}…).` : `${r.format === 'onnx' ? 'ONNX' : 'TensorFlow.js'} export written to ${r.path} (${r.files.length} files).`,
      };
    } catch (error) {
      this.exportResult = { ok: false, text: errorMessage(error) };
    }
  }

  async importFrom(path: string): Promise<void> {
    const r = await this.#try(() => invoke('models:import', { path }));
    if (!r) return;
    // Who signed it, with the fingerprint to compare with the sender's (as the CLI says it).
    const { status, fingerprint } = r.signer;
    const signed =
      status === 'trusted'
        ? `signed by a trusted key (${fingerprint})`
        : status === 'unknown-signer'
          ? `signed by a key this installation does not know (${fingerprint}): compare it with its sender's before using the model`
          : 'unsigned: nothing proves who made it or that its weights are the ones that were evaluated';
    this.notice = `Imported as ${r.projectName} version ${r.version}, a candidate, ${signed}${r.encryptedAtRest ? "; its weights are stored encrypted with this installation's key" : ''}.`;
    await this.refresh();
    await this.select(r.id);
  }

  async evaluate(path: string): Promise<void> {
    if (!this.detail) return;
    const job = await this.#try(() => invoke('models:evaluate', { ref: this.detail!.version.id, path }));
    if (!job) return;
    this.evaluateJobId = jobs.track(job).id;
    const done = await jobs.whenDone(job);
    if (done.status === 'failed') this.error = done.error?.message ?? 'The evaluation failed.';
  }
}

export const models = new ModelsState();
