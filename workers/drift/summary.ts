/** The manager's summary: a few plain sentences, largest effect first. */
import type { ColumnDrift, DriftReport } from './report.js';

type SummaryInput = Omit<DriftReport, 'summary' | 'recommendation'>;

/** The recommendation and the summary sentence(s) for a report. */
export function summarise(report: SummaryInput): Pick<DriftReport, 'summary' | 'recommendation'> {
  const parts: string[] = [];
  const { judgedColumns: judged, driftedColumns: drifted } = report;
  if (report.rows.current === 0) {
    parts.push('The current file has no data rows, only a header');
  } else if (judged === 0) {
    parts.push('No input could be judged (too few rows or no columns in common)');
  } else if (drifted === 0) {
    parts.push(`None of ${judged} inputs shifted`);
  } else {
    const largest = largestShift(report.columns);
    parts.push(`${drifted} of ${judged} inputs shifted${largest ? `, the largest in ${largest}` : ''}`);
  }
  const unjudged = report.columns.filter((c) => c.status === 'insufficient-data').length;
  if (unjudged > 0) parts.push(`${unjudged} input${unjudged === 1 ? ' has' : 's have'} too few values to judge`);
  if (report.missingColumns.length > 0) parts.push(`missing from the new file: ${names(report.missingColumns)}`);
  if (report.predictionDrift?.status === 'judged') {
    parts.push(report.predictionDrift.drifted ? "the model's predictions shifted" : "the model's predictions are stable");
  }
  const perf = report.performance;
  if (perf) {
    const name = perf.metric === 'accuracy' ? 'accuracy' : perf.metric.toUpperCase();
    const moved = perf.metric === 'accuracy' ? (perf.drop > 0 ? 'fell' : 'rose') : perf.drop > 0 ? 'rose' : 'fell';
    const withinNoise = !perf.degraded && perf.interval !== undefined && perf.interval[0] <= perf.reference && perf.reference <= perf.interval[1];
    parts.push(withinNoise ? describeSame(name, perf.reference, perf.current, perf.rows) : describeChange(name, moved, perf.reference, perf.current));
  }
  const recommendation: DriftReport['recommendation'] =
    report.datasetDrift || perf?.degraded
      ? 'retrain'
      : judged === 0
        ? 'unknown'
        : drifted > 0 || report.predictionDrift?.drifted
          ? 'watch'
          : 'none';
  parts.push(
    {
      retrain: 'retrain recommended',
      watch: 'keep watching: not enough shift to retrain yet',
      none: 'no action needed',
      unknown: 'check the files and run again',
    }[recommendation],
  );
  return { summary: `${parts.join('; ')}.`, recommendation };
}

/** The drifted column with the largest PSI (type changes first, they are the loudest). */
function largestShift(columns: ColumnDrift[]): string | null {
  const drifted = columns.filter((c) => c.drifted);
  const typeChanged = drifted.find((c) => c.status === 'type-changed');
  if (typeChanged) return `${typeChanged.name} (its type changed)`;
  const best = drifted.reduce<ColumnDrift | null>((a, c) => (a === null || (c.psi ?? 0) > (a.psi ?? 0) ? c : a), null);
  return best ? best.name : null;
}

function names(list: string[]): string {
  return list.length <= 3 ? list.join(', ') : `${list.slice(0, 3).join(', ')} and ${list.length - 3} more`;
}

/**
 * "accuracy about the same as at registration (0.857 on these 500 rows, 0.861 then: a difference
 * this small is within what 500 rows can tell)": the registered value lies in the current value's
 * 95 % interval, so no direction is claimed.
 */
export function describeSame(name: string, before: number, after: number, rows: number): string {
  const [then, now] = digitsToShow(before, after);
  const counted = `${rows.toLocaleString('en')} row${rows === 1 ? '' : 's'}`;
  return then === now
    ? `${name} about the same as at registration (${now})`
    : `${name} about the same as at registration (${now} on these ${counted}, ${then} then: a difference this small is within what ${counted} can tell)`;
}

/** The two values with enough digits to differ (up to four decimals), or the same text when they do not. */
function digitsToShow(before: number, after: number): [string, string] {
  let pair: [string, string] = [round(before), round(after)];
  for (const digits of [2, 3, 4]) {
    pair = [Math.abs(before) >= 100 ? before.toFixed(digits - 2) : before.toFixed(digits), Math.abs(after) >= 100 ? after.toFixed(digits - 2) : after.toFixed(digits)];
    if (pair[0] !== pair[1]) return pair;
  }
  return [round(before), round(after)];
}

/** "accuracy fell from 0.862 to 0.857": enough digits to show the change, or "stayed at" when there is none to show. */
export function describeChange(name: string, moved: string, before: number, after: number): string {
  const [a, b] = digitsToShow(before, after);
  return a !== b ? `${name} ${moved} from ${a} to ${b}` : `${name} stayed at ${round(after)}`;
}

function round(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 0.01 || n === 0 ? n.toFixed(2) : n.toPrecision(2);
}
