/**
 * One verdict per pilot: the success criterion, leakage, a suspiciously perfect score, fairness,
 * data errors and the comparison with the linear model, weighed together. Pure: every screen and
 * report that judges a pilot (the Results step, the promote dialog and command, the executive
 * report) calls this with plain data and shows the same words, worst finding first. Nothing is
 * ever green while a red finding stands.
 */

/** How bad a finding is: a blocker makes the pilot "not ready", a concern asks for a human decision. */
export type FindingSeverity = 'blocker' | 'concern' | 'note';

/** One thing that weighs on the verdict. */
export interface Finding {
  severity: FindingSeverity;
  kind: 'criterion' | 'leakage' | 'perfect-score' | 'fairness' | 'data' | 'baseline';
  /** A short sentence: what was found. */
  title: string;
  /** The evidence and what to do next. */
  detail: string;
}

/** The pilot's verdict. */
export interface PilotVerdict {
  /** `ready`: criterion met, nothing against it; `review`: a person must weigh a concern; `not-ready`: a blocker stands. */
  level: 'ready' | 'review' | 'not-ready';
  /** One sentence that names the worst finding first (or says why the pilot is ready). */
  headline: string;
  /** Worst first: blockers, then concerns, then notes. */
  findings: Finding[];
  /** What speaks for the pilot (criterion met, better than the linear model…). */
  strengths: string[];
  /** Promotion needs a written reason: the criterion failed, a fairness concern or another blocker stands. */
  needsReason: boolean;
}

/** The success criterion, evaluated. */
export interface CriterionResult {
  state: 'met' | 'not-met' | 'invalid' | 'not-set';
  /** A sentence in plain words. */
  text: string;
}

/** Plain names of the metrics a criterion can use. */
export const METRIC_LABELS: Record<string, string> = {
  accuracy: 'accuracy (share of right answers)',
  balancedAccuracy: 'balanced accuracy (average hit rate per class)',
  precision: 'precision (share of alarms that are right)',
  recall: 'recall (share of real cases caught)',
  f1: 'F1 score (balance of precision and recall)',
  rocAuc: 'ranking quality (ROC AUC)',
  prAuc: 'precision–recall area (PR AUC)',
  logLoss: 'log loss (confidence penalty)',
  r2: 'R² (share of the variation explained)',
  mae: 'mean absolute error',
  rmse: 'root mean squared error',
  mape: 'mean absolute percentage error',
  mase: 'MASE (forecast error relative to the seasonal-naive forecast; below 1 beats it)',
  smape: 'symmetric mean absolute percentage error',
};
const SHORT: Record<string, string> = { balancedAccuracy: 'balanced accuracy', rocAuc: 'ROC AUC', prAuc: 'PR AUC', logLoss: 'log loss', r2: 'R²', mae: 'MAE', rmse: 'RMSE', mape: 'MAPE', mase: 'MASE', smape: 'sMAPE', f1: 'F1 score' };
const LOWER_IS_BETTER = new Set(['mae', 'rmse', 'mape', 'smape', 'mase', 'logLoss']);
const PERCENT = new Set(['accuracy', 'balancedAccuracy', 'precision', 'recall', 'f1', 'rocAuc', 'prAuc', 'mape']);

/** A metric's short plain name. */
export const metricName = (key: string): string => SHORT[key] ?? key;
/** A metric's value as a reader expects it (rates as percentages). */
export const metricValue = (key: string, v: number): string => (PERCENT.has(key) ? `${(v * 100).toFixed(1)} %` : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3));

type Json = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Where each kind of pilot asks for its success criterion, for sentences that send the user there. */
export const CRITERION_STEP: Record<string, string> = { tabular: 'the Goal step', image: 'the Train step', text: 'the Train step', anomaly: 'the Train step', forecast: 'the Train step' };

/**
 * Whether the criterion holds on the test metrics. `step` is where the user sets it (see
 * `CRITERION_STEP`; null for a kind whose wizard does not ask for one).
 */
export function criterionResult(
  goal: { successMetric: string | null; successThreshold: number | null; successClass: string | null },
  metrics: Json,
  step: string | null = 'the Goal step',
): CriterionResult {
  const key = goal.successMetric;
  const threshold = goal.successThreshold;
  const fix = step ? `in ${step}` : 'where it was set';
  if (!key || threshold === null) return { state: 'not-set', text: `No success criterion was set${step ? ` in ${step}` : ''}, so nothing says what "good enough" is.` };
  let value = num(metrics[key]);
  let about = '';
  const perClass = Array.isArray(metrics.perClass) ? (metrics.perClass as Json[]) : null;
  if (goal.successClass && perClass) {
    const row = perClass.find((c) => c.label === goal.successClass);
    if (!row) return { state: 'invalid', text: `The criterion is about the class "${goal.successClass}", which is not among the target's classes (${perClass.map((c) => String(c.label)).join(', ')}). Fix it ${fix}.` };
    value = num(row[key]) ?? value;
    about = ` on "${goal.successClass}"`;
  }
  if (value === null) return { state: 'invalid', text: `The criterion uses ${metricName(key)}, which this kind of model does not report. Choose another metric ${fix}.` };
  const lower = LOWER_IS_BETTER.has(key);
  const met = lower ? value <= threshold : value >= threshold;
  const shown = (v: number) => metricValue(key, v);
  return met
    ? { state: 'met', text: `Success criterion met: ${metricName(key)}${about} is ${shown(value)}, ${lower ? 'at most' : 'at least'} the ${shown(threshold)} you asked for.` }
    : { state: 'not-met', text: `Success criterion not met: ${metricName(key)}${about} is ${shown(value)}, ${lower ? 'above' : 'below'} the ${shown(threshold)} you asked for.` };
}

/** Everything the verdict weighs, as plain data (any part may be missing). */
export interface VerdictInput {
  criterion: CriterionResult;
  task: 'binary' | 'multiclass' | 'regression';
  /** The test headline (accuracy or R²) of the network and of the no-model baseline. */
  headline: { metric: 'accuracy' | 'r2'; value: number; majority: number } | null;
  /** The trainer's per-attribute fairness of the test predictions. */
  fairness: { column: string; groups: { group: string; count: number; selectionRate?: number | null; tpr?: number | null }[] }[];
  /** The dataset's quality alerts (null: not scored). */
  dataAlerts: { severity: string; code: string; column: string | null; message: string }[] | null;
  /** Columns the model uses. */
  features: string[];
  /** Columns left out, with the reason. */
  excluded: { column: string; reason: string }[];
  /** Which model the version is (runs before the choice existed registered the network). */
  chosen?: { model: 'network' | 'linear'; reason: string } | null;
  /** The network against the linear model, headline metric (null when not measured). */
  versusLinear: { verdict: 'better' | 'worse' | 'about the same'; difference: number; pValue: number; metric: string } | null;
}

/** Groups smaller than this are shown but not judged (their rates swing with a handful of rows). */
export const MIN_GROUP = 30;
/** The four-fifths rule. */
const FOUR_FIFTHS = 0.8;
/** True positive rates further apart than this are a concern (equal opportunity). */
const TPR_GAP = 0.1;
/** A test score at or above this, where guessing does much worse, is too good to be believed without a look. */
export const PERFECT = 0.995;

/** Alerts saying that test items have copies in the training split (text and image pilots). */
const OVERLAP_CODES = new Set(['TRAIN_TEST_OVERLAP', 'TRAIN_TEST_LEAKAGE']);

const RANK: Record<FindingSeverity, number> = { blocker: 0, concern: 1, note: 2 };

export function pilotVerdict(input: VerdictInput): PilotVerdict {
  const findings: Finding[] = [];
  const strengths: string[] = [];
  const add = (f: Finding) => findings.push(f);

  const c = input.criterion;
  if (c.state === 'not-met') add({ severity: 'blocker', kind: 'criterion', title: 'the success criterion is not met', detail: `${capitalise(c.text.replace(/^Success criterion not met: /, ''))} Try more data, other columns or the advanced settings before going further.` });
  else if (c.state === 'invalid') add({ severity: 'blocker', kind: 'criterion', title: 'the success criterion cannot be checked', detail: c.text });
  else if (c.state === 'not-set') add({ severity: 'concern', kind: 'criterion', title: 'no success criterion was set', detail: c.text });
  else strengths.push(c.text);

  const used = new Set(input.features);
  const leaks = (input.dataAlerts ?? []).filter((a) => a.code === 'TARGET_LEAKAGE' && a.column !== null && used.has(a.column));
  for (const a of leaks) add({ severity: 'blocker', kind: 'leakage', title: `"${a.column}" gives the answer away`, detail: `${a.message} Untick it in Target & features and train again.` });
  for (const e of input.excluded.filter((x) => /^leaks|gives the answer away/.test(x.reason))) {
    add({ severity: 'note', kind: 'leakage', title: `"${e.column}" was left out because it gives the answer away`, detail: `${e.column}: ${e.reason}. Include it only if it is truly known before the outcome.` });
  }

  const h = input.headline;
  if (h && h.value >= PERFECT && h.majority < 0.95) {
    const what = h.metric === 'r2' ? `R² ${h.value.toFixed(4)}` : `accuracy ${(h.value * 100).toFixed(2)} %`;
    add({ severity: 'blocker', kind: 'perfect-score', title: `the score is suspiciously perfect (${what})`, detail: 'Real-world data is rarely this predictable: a column probably contains the answer (recorded after the outcome, or computed from it). Check the columns the model relies on most before trusting it.' });
  }

  for (const attribute of input.fairness) {
    const judged = attribute.groups.filter((g) => g.count >= MIN_GROUP && g.group !== '(missing)');
    const small = attribute.groups.filter((g) => g.count < MIN_GROUP).map((g) => `${g.group} (${g.count} rows)`);
    const rates = judged.map((g) => num(g.selectionRate)).filter((r): r is number => r !== null);
    const tprs = judged.map((g) => num(g.tpr)).filter((r): r is number => r !== null);
    const max = rates.length >= 2 ? Math.max(...rates) : null;
    const di = max !== null && max > 0 ? Math.min(...rates) / max : null;
    const gap = tprs.length >= 2 ? Math.max(...tprs) - Math.min(...tprs) : null;
    const smallNote = small.length ? ` Groups under ${MIN_GROUP} test rows are not judged: ${small.join(', ')}.` : '';
    if (di !== null && di < FOUR_FIFTHS) {
      const low = judged.find((g) => g.selectionRate === Math.min(...rates))!;
      const high = judged.find((g) => g.selectionRate === max)!;
      add({ severity: 'concern', kind: 'fairness', title: `fairness concern by ${attribute.column} (disparate impact ${di.toFixed(2)})`, detail: `The model selects ${low.group} ${(low.selectionRate! * 100).toFixed(1)} % of the time and ${high.group} ${(high.selectionRate! * 100).toFixed(1)} %: below four fifths of the most selected group. Check how the outcome was decided for these groups before using the model on people.${smallNote}` });
    } else if (gap !== null && gap > TPR_GAP) {
      add({ severity: 'concern', kind: 'fairness', title: `fairness concern by ${attribute.column} (real cases caught differ by ${(gap * 100).toFixed(0)} points)`, detail: `Among real positive cases, the model catches some groups of ${attribute.column} far more often than others (true positive rates up to ${(gap * 100).toFixed(1)} points apart).${smallNote}` });
    } else if (small.length) {
      add({ severity: 'note', kind: 'fairness', title: `some groups of ${attribute.column} are too small to judge`, detail: smallNote.trim() });
    }
  }

  // Test documents or pictures that also sit in the training split inflate every test score the
  // criterion and the comparisons read: the verdict cannot be green over that.
  const overlap = (input.dataAlerts ?? []).find((a) => OVERLAP_CODES.has(a.code));
  if (overlap) add({ severity: 'concern', kind: 'data', title: 'the test score is likely optimistic', detail: `${overlap.message} Remove the copies and train again before trusting the test figures.` });

  const errors = (input.dataAlerts ?? []).filter((a) => a.severity === 'error' && a.code !== 'TARGET_LEAKAGE' && !OVERLAP_CODES.has(a.code));
  if (errors.length) {
    add({ severity: 'concern', kind: 'data', title: `the data has ${errors.length} error-level finding${errors.length === 1 ? '' : 's'}`, detail: `Worst: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more on the Data page)` : ''}` });
  }

  const v = input.versusLinear;
  if (input.chosen?.model === 'linear') strengths.push(input.chosen.reason);
  else if (v) {
    const diff = metricValue(v.metric, Math.abs(v.difference)).replace(' %', ' points');
    if (v.verdict === 'worse') add({ severity: 'concern', kind: 'baseline', title: 'a simple linear model does better than the network', detail: `On the test rows the linear model is ${diff} ahead on ${metricName(v.metric)} (p = ${v.pValue.toPrecision(2)}). Prefer the simpler model.` });
    else if (v.verdict === 'about the same') add({ severity: 'note', kind: 'baseline', title: 'the network is about the same as a simple linear model', detail: `The difference on ${metricName(v.metric)} (${v.difference >= 0 ? '+' : '−'}${diff}) is within chance on these test rows (p = ${v.pValue.toPrecision(2)}): the simpler model would do as well.` });
    else strengths.push(`The network does better than a simple linear model (${metricName(v.metric)} +${diff}, p = ${v.pValue.toPrecision(2)}).`);
  }

  findings.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  const worst = findings[0];
  const level: PilotVerdict['level'] = worst?.severity === 'blocker' ? 'not-ready' : worst?.severity === 'concern' ? 'review' : 'ready';
  const serious = findings.filter((f) => f.severity !== 'note');
  const others = serious.length > 1 ? `; also ${serious.slice(1).map((f) => f.title).join('; ')}` : '';
  const headline =
    level === 'ready'
      ? `Ready for the next step: the success criterion is met and nothing found stands against it.`
      : `${level === 'not-ready' ? 'Not ready' : 'Needs a decision'}: ${worst!.title}${others}.`;
  const needsReason = findings.some((f) => f.severity === 'blocker' || (f.kind === 'fairness' && f.severity === 'concern'));
  return { level, headline: capitalise(headline), findings, strengths, needsReason };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
