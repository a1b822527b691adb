/**
 * The schema's history, one numbered SQL file per step. Append only: never edit a migration that
 * has shipped; add the next number. Capabilities own their numbers: 002 hardware, 003 quality,
 * 004 training, 005 registry and drift, 006 ROI.
 */
import foundation from './001_foundation.sql?raw';
// capabilities: migration imports below this line

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'foundation', sql: foundation },
  // capabilities: one entry per migration, in order, below this line
];
