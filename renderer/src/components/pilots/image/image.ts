/** Reading image jobs for the wizard: their results recognised by shape, and the comparison in plain words. */
import type { JobOutcome } from '../../../../../main/contract/jobs.js';
import type { PilotOutcome } from '../../../../../main/contract/pilots.js';
import type { ImageTrainResult } from '../../../../../workers/image/engine.js';
import type { ImageScanReport } from '../../../../../workers/image/scan.js';

/** A registered image run's result. */
export type ImageOutcome = PilotOutcome<ImageTrainResult>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored run result that is an image run's (results cross the process boundary as plain JSON). */
export function isImageOutcome(value: unknown): value is ImageOutcome {
  if (!isObject(value) || value.kind !== 'image') return false;
  return Array.isArray(value.classes) && isObject(value.summary) && isObject(value.metrics) && isObject(value.baselines) && isObject(value.evaluation) && Array.isArray(value.epochs);
}

/** A finished `image.scan` job's report. */
export function isScanReport(value: unknown): value is JobOutcome<'image.scan'> & ImageScanReport {
  return isObject(value) && Array.isArray(value.classes) && Array.isArray(value.alerts) && typeof value.images === 'number' && typeof value.score === 'number';
}

/** A share as a percentage with one decimal. */
export function pct(value: number | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)} %` : '—';
}

/** How the network compares with one baseline on the test pictures. */
export interface Versus {
  tone: 'better' | 'same' | 'worse';
  text: string;
}

/**
 * The network's accuracy against a baseline's, in words. "About the same" when the difference is
 * within 1.96 standard errors of a difference of two proportions on `n` pictures: the runs share
 * their test pictures, so a paired test would be stricter; this errs towards "about the same".
 */
export function versus(network: number, baseline: number, n: number, name: string): Versus {
  const diff = network - baseline;
  const se = Math.sqrt((network * (1 - network) + baseline * (1 - baseline)) / Math.max(n, 1));
  const points = `${Math.abs(diff * 100).toFixed(1)} points`;
  if (Math.abs(diff) <= 1.96 * se) return { tone: 'same', text: `The network and ${name} are about the same (${points} apart, within what chance gives on ${n} test pictures).` };
  if (diff > 0) return { tone: 'better', text: `The network is right ${points} more often than ${name}.` };
  return { tone: 'worse', text: `${name.charAt(0).toUpperCase()}${name.slice(1)} is right ${points} more often than the network: the simpler model wins here; prefer it, or add pictures.` };
}

/** Background of a confusion-matrix cell: stronger for a larger share of its actual class. */
export function cellShade(count: number, rowTotal: number): string {
  const share = rowTotal > 0 ? count / rowTotal : 0;
  return `color-mix(in srgb, var(--accent) ${Math.round(share * 70)}%, transparent)`;
}
