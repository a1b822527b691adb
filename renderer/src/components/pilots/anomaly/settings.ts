/** The "unusual cases" pilot's own settings, saved with the project's wizard state. */
import { readSettings, saveSettings } from '../branch.svelte.js';
import type { AnomalySettings } from './anomaly.js';

export const ANOMALY_STEPS = ['Data', 'Train', 'Results'] as const;

const DEFAULTS: AnomalySettings & { [key: string]: string | number | boolean | null } = { label: null, normal: null, mode: 'alertRate', alertRate: 0.01, target: 0.9 };
const MODES = ['alertRate', 'bestF1', 'recall', 'precision'] as const;

export function anomalySettings(): AnomalySettings {
  const s = readSettings('anomaly', DEFAULTS);
  return {
    label: typeof s.label === 'string' ? s.label : null,
    normal: typeof s.normal === 'string' ? s.normal : null,
    mode: MODES.find((m) => m === s.mode) ?? 'alertRate',
    alertRate: s.alertRate > 0 && s.alertRate < 1 ? s.alertRate : DEFAULTS.alertRate,
    target: s.target > 0 && s.target <= 1 ? s.target : DEFAULTS.target,
  };
}

export function saveAnomalySettings(settings: AnomalySettings): Promise<void> {
  return saveSettings('anomaly', { ...settings });
}
