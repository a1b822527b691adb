/**
 * The feature list of versions side by side: which source columns each version's model reads and
 * how (its saved preprocessing.json), and which were left out on purpose (the run's exclusions).
 * Two versions of a pilot often differ only here — one trained with `casual` and `registered`,
 * one without — so the comparison says it in words as well as in rows.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runColumns } from '../../db/runs.js';
import type { ReadableDB } from '../../db/store.js';
import type { RegistryVersion } from '../../db/registry.js';
import type { CompareRow } from '../contract/models.js';

/** How one version uses one column: "number", "category (5 levels)", "left out: leaks the target", or null (not in its data). */
type Use = string | null;

/** The features of one version by column, or null when its preprocessing does not list features (other pilot kinds, or gone). */
async function usesOf(db: ReadableDB, version: RegistryVersion): Promise<Map<string, Use> | null> {
  let features: Array<Record<string, unknown>>;
  try {
    // A tabular artifact's preprocessing.json is { preprocessing: { features, inputs }, target }.
    const saved = JSON.parse(await readFile(join(version.artifactDir, 'preprocessing.json'), 'utf8')) as { preprocessing?: { features?: unknown } };
    const listed = saved.preprocessing?.features;
    if (!Array.isArray(listed)) return null;
    features = listed.filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null && typeof (f as { column?: unknown }).column === 'string');
  } catch {
    return null;
  }
  const uses = new Map<string, Use>();
  for (const f of features) uses.set(f['column'] as string, describe(f));
  for (const e of runColumns(db, version.runId).excluded) if (!uses.has(e.column)) uses.set(e.column, `left out${e.reason ? `: ${e.reason}` : ''}`);
  return uses;
}

function describe(f: Record<string, unknown>): string {
  switch (f['kind']) {
    case 'numeric':
      return 'number';
    case 'boolean':
      return 'yes/no';
    case 'date':
      return `date (${Array.isArray(f['parts']) ? f['parts'].map((p) => String((p as { part?: unknown }).part)).join(', ') : 'parts'})`;
    case 'categorical': {
      const levels = Array.isArray(f['levels']) ? f['levels'].length : 0;
      return `category (${levels} level${levels === 1 ? '' : 's'}${f['other'] ? ' + other' : ''})`;
    }
    case 'hashed':
      return `category (hashed into ${String(f['buckets'])} buckets)`;
    default:
      return String(f['kind'] ?? 'used');
  }
}

const used = (use: Use | undefined): boolean => typeof use === 'string' && !use.startsWith('left out');
const kindOf = (use: Use | undefined) => (use ?? '').replace(/ \(.*$/, '');

/** Rows (one per column, used columns first) and sentences saying what each version changes against the first one. */
export async function compareFeatures(db: ReadableDB, versions: RegistryVersion[]): Promise<{ features: CompareRow[]; featureChanges: string[] }> {
  const uses = await Promise.all(versions.map((v) => usesOf(db, v)));
  if (uses.every((u) => u === null)) return { features: [], featureChanges: [] };
  const columns = [...new Set(uses.flatMap((u) => (u ? [...u.keys()] : [])))];
  const usedBy = (column: string) => uses.filter((u) => used(u?.get(column))).length;
  columns.sort((a, b) => usedBy(b) - usedBy(a) || a.localeCompare(b));
  const features = columns.map((column) => {
    const values = uses.map((u) => (u ? (u.get(column) ?? null) : null));
    return { name: column, values, differs: new Set(values.map((v) => JSON.stringify(v))).size > 1 };
  });
  const first = uses[0];
  const featureChanges: string[] = [];
  versions.slice(1).forEach((v, i) => {
    const other = uses[i + 1];
    if (!first || !other) return;
    const added = columns.filter((c) => used(other.get(c)) && !used(first.get(c)));
    const removed = columns.filter((c) => used(first.get(c)) && !used(other.get(c)));
    const changed = columns.filter((c) => used(first.get(c)) && used(other.get(c)) && kindOf(first.get(c)) !== kindOf(other.get(c)));
    const parts = [
      added.length ? `uses ${list(added)} that version ${versions[0]!.version} does not` : null,
      removed.length ? `drops ${list(removed)}` : null,
      changed.length ? `reads ${changed.map((c) => `${c} as ${kindOf(other.get(c))} (was ${kindOf(first.get(c))})`).join(', ')}` : null,
    ].filter(Boolean);
    featureChanges.push(`Version ${v.version} ${parts.length ? parts.join('; ') : `uses the same columns as version ${versions[0]!.version}`}.`);
  });
  return { features, featureChanges };
}

function list(names: string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')} and ${names.length - 6} more`;
}
