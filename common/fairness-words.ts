/**
 * How a per-group fairness table is summed up in words, for the wizard's Results step and
 * `pilot evaluate`: the disparate impact with the range the group sizes allow, and the group that
 * sets it when that group is small. Pure, so the page and the CLI say the same thing.
 */

/** The fields of workers/trainer/fairness.ts' AttributeFairness this reads. */
export interface FairnessSummaryInput {
  column: string;
  groups: Array<{ group: string; count: number; judged?: boolean; small?: boolean }>;
  disparateImpact?: number | null;
  disparateImpactRange?: [number, number] | null;
  lowestGroup?: string | null;
}

/** "42 %–61 %": a rate interval in whole percent. */
export function percentRange(interval: readonly [number, number]): string {
  return `${Math.round(interval[0] * 100)} %–${Math.round(interval[1] * 100)} %`;
}

/**
 * "sex — disparate impact 0.00 (plausible 0.00–0.47; set by Female, only 30 rows); below 0.8: the
 * four-fifths rule flags it. Not judged (under 30 rows): Other (12 rows)."
 */
export function fairnessCaption(a: FairnessSummaryInput, minGroup = 30): string {
  const parts = [a.column];
  if (typeof a.disparateImpact === 'number') {
    const range = a.disparateImpactRange ? `plausible ${a.disparateImpactRange[0].toFixed(2)}–${a.disparateImpactRange[1].toFixed(2)}` : null;
    const low = a.groups.find((g) => g.group === a.lowestGroup);
    const setBy = low?.small ? `set by ${low.group}, only ${low.count} rows` : null;
    const detail = [range, setBy].filter(Boolean).join('; ');
    const flagged = a.disparateImpact < 0.8 ? (a.disparateImpactRange && a.disparateImpactRange[1] >= 0.8 ? '; below 0.8, but the range reaches 0.8: too few rows to be sure' : '; below 0.8: the four-fifths rule flags it') : '';
    parts.push(` — disparate impact ${a.disparateImpact.toFixed(2)}${detail ? ` (${detail})` : ''}${flagged}`);
  } else if (a.groups.some((g) => g.judged === false) && a.groups.filter((g) => g.judged !== false).length < 2) {
    parts.push(' — disparate impact not computed: fewer than two groups have enough rows');
  }
  const unjudged = a.groups.filter((g) => g.judged === false && g.group !== '(missing)');
  if (unjudged.length) parts.push(`. Not judged (under ${minGroup} rows): ${unjudged.map((g) => `${g.group} (${g.count} rows)`).join(', ')}`);
  return `${parts.join('')}.`;
}
