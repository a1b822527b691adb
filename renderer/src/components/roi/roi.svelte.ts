/**
 * The ROI page's state: the project picked, its case as edited, the live result,
 * history, actuals and buy versus rent. Edits are computed on the backend (`roi:compute`, a few
 * milliseconds) after a short pause in typing, so the page shows exactly what a save would store.
 */
import type { RoiBuyVsRent, RoiComputed, RoiFieldsInfo, RoiState } from '../../../../main/contract/index.js';
import type { RoiProjectSummary } from '../../../../db/roi.js';
import { errorMessage, exportFile, invoke, isDesktop, savePdf } from '../../lib/bridge.js';

type RoiInput = RoiState['input'];
type Overrides = { workstation?: { label?: string; price: number; speedUp: number; powerWatts: number }; cloud?: { label?: string; ratePerGpuHour: number; speedUp: number; overheadHoursPerRun?: number }; secondsPerRunHere?: number };

export class RoiStore {
  projects = $state.raw<RoiProjectSummary[]>([]);
  projectId = $state<number | null>(null);
  fields = $state.raw<RoiFieldsInfo | null>(null);
  state = $state.raw<RoiState | null>(null);
  /** The assumptions as edited; numbers, or '' while a field is empty. */
  input = $state<Record<string, number | string>>({});
  live = $state.raw<RoiComputed | null>(null);
  buyRent = $state.raw<RoiBuyVsRent | null>(null);
  buyRentError = $state<string | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  loaded = $state(false);
  busy = $state<'save' | 'report' | 'actual' | null>(null);

  #timer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;

  /** The result on screen: the live one while editing, else the loaded case's. */
  get result() {
    return this.live ? this.live.result : (this.state?.result ?? null);
  }

  get issues() {
    return this.live?.issues ?? [];
  }

  /** Whether the edited input differs from what is stored. */
  get dirty(): boolean {
    const saved = this.state?.input as Record<string, unknown> | undefined;
    if (!saved) return false;
    return Object.keys(this.input).some((key) => String(this.input[key]) !== String(saved[key]));
  }

  async load(): Promise<void> {
    try {
      const [fields, projects] = await Promise.all([invoke('roi:fields', {}), invoke('roi:projects', {})]);
      this.fields = fields;
      this.projects = projects;
      const remembered = Number(sessionStorage.getItem('pilot.roi.project'));
      const pick = projects.find((p) => p.id === remembered) ?? projects[0];
      if (pick) await this.select(pick.id);
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.loaded = true;
    }
  }

  async select(projectId: number): Promise<void> {
    this.projectId = projectId;
    sessionStorage.setItem('pilot.roi.project', String(projectId));
    this.live = null;
    this.buyRent = null;
    this.buyRentError = null;
    this.notice = null;
    try {
      const state = await invoke('roi:get', { projectId });
      this.state = state;
      this.input = { ...(state.input as unknown as Record<string, number | string>) };
      void this.compareBuyRent({});
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  /** One field edited: recompute shortly (the backend validates and answers per field). */
  setField(key: string, value: number | string): void {
    this.input = { ...this.input, [key]: value };
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.compute(), 250);
  }

  #payload(): Record<string, unknown> {
    // An emptied field goes back to its default rather than failing as "not a number".
    return Object.fromEntries(Object.entries(this.input).filter(([, value]) => value !== '' && value !== null));
  }

  async compute(): Promise<void> {
    if (this.projectId === null) return;
    const seq = ++this.#seq;
    try {
      const live = await invoke('roi:compute', { projectId: this.projectId, input: this.#payload() });
      if (seq === this.#seq) this.live = live;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async save(note: string): Promise<void> {
    if (this.projectId === null) return;
    this.busy = 'save';
    try {
      const saved = await invoke('roi:save', { projectId: this.projectId, input: this.#payload(), note });
      await this.select(this.projectId);
      this.notice = saved.case.changes.length
        ? `Saved. Changed: ${saved.case.changes.map((c) => c.label).join(', ')}.`
        : 'Saved as a new version of the case.';
      this.projects = await invoke('roi:projects', {});
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = null;
    }
  }

  /** Goes back to the stored assumptions. */
  reset(): void {
    if (!this.state) return;
    this.input = { ...(this.state.input as unknown as Record<string, number | string>) };
    this.live = null;
  }

  async setActual(month: number, cost: string, benefit: string, note: string): Promise<boolean> {
    if (this.projectId === null || !this.state) return false;
    this.busy = 'actual';
    try {
      const actuals = await invoke('roi:actuals:set', { projectId: this.projectId, month, cost: cost.trim(), benefit: benefit.trim(), note });
      this.state = { ...this.state, actuals };
      return true;
    } catch (error) {
      this.error = errorMessage(error);
      return false;
    } finally {
      this.busy = null;
    }
  }

  async deleteActual(month: number): Promise<void> {
    if (this.projectId === null || !this.state) return;
    try {
      const actuals = await invoke('roi:actuals:delete', { projectId: this.projectId, month });
      this.state = { ...this.state, actuals };
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async compareBuyRent(overrides: Overrides): Promise<void> {
    if (this.projectId === null) return;
    try {
      this.buyRent = await invoke('roi:buy-vs-rent', { projectId: this.projectId, ...overrides });
      this.buyRentError = null;
    } catch (error) {
      this.buyRent = null;
      this.buyRentError = errorMessage(error);
    }
  }

  /** The executive report: saved through the native dialog on the desktop, downloaded in a browser. */
  async report(): Promise<void> {
    if (this.projectId === null) return;
    this.busy = 'report';
    try {
      const { html, fileName } = await invoke('roi:report', { projectId: this.projectId });
      if (isDesktop) {
        const path = await savePdf(fileName.replace(/\.html?$/i, '') + '.pdf', html);
        if (path) this.notice = `Executive report saved as PDF to ${path}.`;
      } else if (await exportFile(fileName, html)) {
        this.notice = `Executive report downloaded as ${fileName}. Open it in the browser and print it to PDF to share it.`;
      }
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = null;
    }
  }
}

export type { RoiInput };
export const roi = new RoiStore();
