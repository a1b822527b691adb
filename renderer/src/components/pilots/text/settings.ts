/** The document pilot's own settings, saved with the project's wizard state. */
import type { PilotOutcome } from '../../../../../main/contract/pilots.js';
import type { TextTrainResult } from '../../../../../workers/text/engine.js';
import { readSettings, saveSettings } from '../branch.svelte.js';

export const TEXT_STEPS = ['Documents', 'Train', 'Results'] as const;

/** What the user chose in the document branch. */
export interface TextSettings {
  /** A registered CSV (the project's dataset) with a text and a label column, or a folder of documents per class. */
  source: 'csv' | 'folder';
  textColumn: string;
  target: string;
  /** The folder (one subfolder of .txt/.eml/.md files per class) on the machine running the workbench. */
  folder: string;
  /** Train on a copy with e-mails, phone numbers, IBANs, card numbers, IPs and SSNs replaced by placeholders. */
  maskPii: boolean;
  epochs: number | null;
  backend: 'auto' | 'wasm' | 'cpu';
  [key: string]: string | number | boolean | null;
}

const DEFAULTS: TextSettings = { source: 'csv', textColumn: '', target: '', folder: '', maskPii: true, epochs: null, backend: 'auto' };

export function textSettings(): TextSettings {
  const s = readSettings('text', DEFAULTS);
  return { ...s, source: s.source === 'folder' ? 'folder' : 'csv', backend: s.backend === 'wasm' || s.backend === 'cpu' ? s.backend : 'auto' };
}

export function saveTextSettings(settings: TextSettings): Promise<void> {
  return saveSettings('text', settings);
}

/** A registered text run's result. */
export type TextOutcome = PilotOutcome<TextTrainResult>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored run result that is a text run's (results cross the process boundary as plain JSON). */
export function isTextOutcome(value: unknown): value is TextOutcome {
  if (!isObject(value) || value.kind !== 'text') return false;
  return isObject(value.summary) && isObject(value.topTerms) && Array.isArray(value.confidentlyWrong) && Array.isArray(value.examples) && isObject(value.quality) && Array.isArray(value.epochs);
}
