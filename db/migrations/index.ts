/**
 * The schema's history, one numbered SQL file per step. Append only: never edit a migration that
 * has shipped; add the next number. Capabilities own their numbers: 002 hardware, 003 quality,
 * 004 training, 005 registry and drift, 006 ROI, 007 pilot kinds, 008 the prediction service, 009 number formats of datasets,
 * 010 the prediction service's sampled request rows, 011 jobs shared across processes, 012 the operating threshold.
 */
import foundation from './001_foundation.sql?raw';
import hardware from './002_hardware.sql?raw';
import quality from './003_quality.sql?raw';
import training from './004_training.sql?raw';
import registry from './005_registry.sql?raw';
import roi from './006_roi.sql?raw';
import pilotKinds from './007_pilot_kinds.sql?raw';
import serving from './008_serving.sql?raw';
import numberFormats from './009_number_formats.sql?raw';
import servingSamples from './010_serving_samples.sql?raw';
import procs from './011_procs.sql?raw';
import trust from './012_trust.sql?raw';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The migration rebuilds tables that others reference (new table, copy, drop, rename): it runs
   * with foreign keys off, so dropping the old table neither cascades nor fails, and every foreign
   * key is checked before it commits.
   */
  rebuildsTables?: true;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'foundation', sql: foundation },
  { version: 2, name: 'hardware', sql: hardware },
  { version: 3, name: 'quality', sql: quality },
  { version: 4, name: 'training', sql: training },
  { version: 5, name: 'registry', sql: registry },
  { version: 6, name: 'roi', sql: roi },
  { version: 7, name: 'pilot kinds', sql: pilotKinds, rebuildsTables: true },
  { version: 8, name: 'serving', sql: serving },
  { version: 9, name: 'number formats', sql: numberFormats },
  { version: 10, name: 'serving samples', sql: servingSamples },
  { version: 11, name: 'procs', sql: procs },
  { version: 12, name: 'trust', sql: trust, rebuildsTables: true },
];
