/**
 * Findings as alerts a manager can act on, and the 0–100 score. Every threshold comes from
 * `thresholds.ts`; each code is described in docs/quality-thresholds.md.
 */
import type { AttributeBias, Alert, ColumnReport, QualityReport, Severity } from './report.js';
import { SCORE_WEIGHTS, THRESHOLDS as T } from './thresholds.js';
import { appendAll, maxOf, minOf } from '../extent.js';

type Partial = Omit<QualityReport, 'score' | 'scoreBeforeCap' | 'verdict' | 'scoreBreakdown' | 'alerts' | 'elapsedMs'>;

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)} %`;

export function columnAlerts(c: ColumnReport, rows: number): Alert[] {
  const out: Alert[] = [];
  const add = (code: string, severity: Severity, message: string, fix: string) => out.push({ code, severity, column: c.name, message, fix });
  const missingShare = rows > 0 ? c.missing / rows : 0;
  if (c.type === 'empty') add('EMPTY_COLUMN', 'warning', `"${c.name}" has no values at all.`, 'Drop the column.');
  else if (missingShare > T.missingWarn) {
    const markers = Object.keys(c.missingMarkers).map((m) => (m === '' ? 'empty' : `"${m}"`)).join(', ');
    add('MISSING', missingShare > T.missingError ? 'error' : 'warning', `"${c.name}" is missing in ${c.missing} of ${rows} rows (${pct(missingShare)}; written as ${markers}).`, 'Find out why the values are missing; fill them (impute) or drop the column if most are gone.');
  }
  if (c.flags.constant) add('CONSTANT', 'warning', `"${c.name}" has a single value (${c.topValues[0]?.value ?? ''}); it carries no information.`, 'Drop the column.');
  if (c.type === 'identifier') add('IDENTIFIER', 'info', `"${c.name}" looks like an identifier (${c.distinct} distinct values in ${c.count}).`, 'Keep it out of the model\'s features; use it only to join or trace rows.');
  else if (c.flags.unique && c.type !== 'float') add('UNIQUE', 'info', `Every value of "${c.name}" is different.`, 'If it is an identifier, keep it out of the features.');
  if (c.flags.highCardinality) add('HIGH_CARDINALITY', 'warning', `"${c.name}" has ${c.distinctEstimated ? 'about ' : ''}${c.distinct} distinct values.`, 'Group rare values into "other", or treat the column as free text.');
  if (c.skewness !== null && Math.abs(c.skewness) > T.skewness) add('SKEWED', 'info', `"${c.name}" is highly skewed (skewness ${c.skewness.toFixed(1)}).`, 'Consider a log transform, or check the largest values.');
  const minority = minorityKinds(c);
  if (c.count > 0 && minority / c.count > T.mixedTypes) {
    const examples = c.mixedExamples.length > 0 ? ` e.g. ${c.mixedExamples.map((e) => `"${e}"`).join(', ')}` : '';
    add('MIXED_TYPES', 'warning', `"${c.name}" is mostly ${c.type} but ${minority} values are of another kind${examples}.`, 'Fix or blank the odd values so the column has one type.');
  }
  if (c.whitespace > T.whitespace * c.count && c.whitespace > 0) add('WHITESPACE', 'info', `${c.whitespace} values of "${c.name}" have leading or trailing spaces.`, 'Trim the values.');
  if (c.caseVariants.length > 0) add('CASE_VARIANTS', 'warning', `"${c.name}" spells the same value with different letter case: ${c.caseVariants.map((g) => g.join(' / ')).join('; ')}.`, 'Normalise the case so each value is counted once.');
  if (c.outliers !== null && c.count > 0 && c.outliers / c.count > T.outliers) add('OUTLIERS', 'info', `About ${c.outliers} values of "${c.name}" lie outside the 1.5 × IQR fences.`, 'Check that they are real and not entry errors or unit mix-ups.');
  if (c.flags.suspiciousZeros) add('SUSPICIOUS_ZEROS', 'warning', `"${c.name}" has ${c.zeros} zeros in an otherwise positive measurement; they are probably missing values in disguise.`, 'Treat the zeros as missing (or confirm a zero is possible).');
  const pii = Object.entries(c.pii).filter(([, n]) => (n ?? 0) > 0);
  if (pii.length > 0) {
    const total = pii.reduce((s, [, n]) => s + (n ?? 0), 0);
    add('PERSONAL_DATA', total / Math.max(c.count, 1) > 0.5 ? 'error' : 'warning', `"${c.name}" contains personal data: ${pii.map(([k, n]) => `${n} ${k}`).join(', ')} (samples: ${c.piiSamples.join(', ')}).`, 'Remove or pseudonymise the column before sharing or training.');
  }
  const inText = Object.entries(c.textPii.counts).filter(([, n]) => (n ?? 0) > 0);
  if (inText.length > 0) {
    add(
      'PERSONAL_DATA_IN_TEXT',
      'warning',
      `${c.textPii.texts} of ${c.count} texts in "${c.name}" mention personal data: ${inText.map(([k, n]) => `${n} ${k}`).join(', ')} (e.g. ${c.textPii.examples.map((e) => `"${e}"`).join(', ')}).`,
      'Train on a masked copy (each e-mail, phone, IBAN, card number, IP address or SSN replaced by a placeholder such as [EMAIL]); the text pilot offers it as "mask personal data".',
    );
  }
  return out;
}

function minorityKinds(c: ColumnReport): number {
  const k = c.kinds;
  switch (c.type) {
    case 'integer':
    case 'float':
      return k.text + k.date + k.boolean;
    case 'date':
    case 'datetime':
      return k.text + k.integer + k.float + k.boolean;
    case 'boolean':
      return k.text + k.date + (c.kinds.boolean > 0 ? k.integer + k.float : 0);
    default:
      return 0;
  }
}

export function datasetAlerts(r: Partial): Alert[] {
  const out: Alert[] = [];
  const add = (code: string, severity: Severity, column: string | null, message: string, fix: string) => out.push({ code, severity, column, message, fix });
  if (r.duplicateRows > 0) {
    const share = r.duplicateRows / Math.max(r.rows, 1);
    add('DUPLICATES', share > T.duplicatesError ? 'error' : 'warning', null, `${r.duplicateRows} rows are exact copies of another row (${pct(share)}).`, 'Remove the copies unless repeated rows are expected.');
  }
  const ragged = r.raggedRows.short + r.raggedRows.long;
  if (ragged > 0) add('RAGGED_ROWS', 'error', null, `${ragged} rows have the wrong number of fields (${r.raggedRows.short} too few, ${r.raggedRows.long} too many), first at line ${r.raggedRows.firstLines.join(', ')}.`, 'Check quoting and delimiters in those lines and export the file again.');
  for (const p of r.correlations.pairs) add('HIGH_CORRELATION', 'info', p.a, `"${p.a}" and "${p.b}" are strongly related (${p.method} ${p.value.toFixed(2)}).`, 'Keep one of the two, or combine them.');
  if (r.target) {
    const t = r.target;
    const counts = t.classes.map((c) => c.count);
    if (counts.length > 1 && minOf(counts) / maxOf(counts) < T.imbalanceRatio) {
      add('IMBALANCED', 'warning', t.column, `The target "${t.column}" is imbalanced: ${t.classes.map((c) => `${c.value} ${pct(c.share)}`).join(', ')}.`, 'Use class weights or resampling, and judge the model by precision/recall, not accuracy.');
    }
    if (t.conflictingGroups > 0) add('CONFLICTING_LABELS', 'warning', t.column, `${t.conflictingRows} rows in ${t.conflictingGroups} groups have identical features but different targets.`, 'Check the labels of those rows; a model cannot learn both.');
    for (const l of t.leakage) {
      if (l.accuracy >= T.leakageAccuracy && l.baseline < T.leakageBaseline) {
        add('TARGET_LEAKAGE', 'error', l.column, `"${l.column}" alone predicts "${t.column}" with ${pct(l.accuracy)} accuracy (baseline ${pct(l.baseline)}): it probably leaks the answer.`, 'Drop it unless it is truly known before the outcome.');
      }
    }
    for (const l of t.numericLeakage) {
      for (const column of l.columns) {
        const how = l.columns.length === 1 ? `"${column}" alone predicts` : `${l.formula} predicts`;
        add('TARGET_LEAKAGE', 'error', column, `${how} "${t.column}" almost exactly (R² ${l.r2.toFixed(4)}): it probably leaks the answer.`, l.columns.length === 1 ? 'Drop it unless it is truly known before the outcome.' : `Drop ${l.columns.map((c) => `"${c}"`).join(' and ')} unless they are truly known before the outcome (the target may be computed from them).`);
      }
    }
  }
  for (const [attribute, b] of Object.entries(r.bias ?? {})) appendAll(out, biasAlerts(attribute, b));
  if (r.trainTest) {
    const tt = r.trainTest;
    if (tt.overlappingRows > 0) add('TRAIN_TEST_OVERLAP', 'error', null, `${tt.overlappingRows} rows of the test file also occur in the training file.`, 'Remove them from the test file, or the evaluation will be too optimistic.');
    for (const u of tt.unseenCategories) add('UNSEEN_CATEGORIES', 'warning', u.column, `${u.rows} test rows of "${u.column}" have values never seen in training (${u.values.slice(0, 5).join(', ')}).`, 'Add examples of them to the training data, or map them to a known value.');
  }
  return out;
}

function biasAlerts(attribute: string, b: AttributeBias): Alert[] {
  const out: Alert[] = [];
  if (b.fourFifthsFailures.length > 0) {
    out.push({ code: 'DISPARATE_IMPACT', severity: 'warning', column: attribute, message: `Positive outcomes of ${b.fourFifthsFailures.join(', ')} are below four fifths of ${b.mostFavoured}'s (disparate impact ${b.disparateImpact?.toFixed(2)}).`, fix: 'Check how the outcome was decided for these groups before a model learns it.' });
  }
  if (b.equalizedOddsDifference != null && b.equalizedOddsDifference > T.differenceLimit) {
    out.push({ code: 'EQUALIZED_ODDS', severity: 'warning', column: attribute, message: `The prediction's error rates differ between groups of ${attribute} by up to ${pct(b.equalizedOddsDifference)} (equalized-odds difference).`, fix: 'Compare false positive and false negative rates per group; consider per-group thresholds or retraining with more data for the worst group.' });
  }
  return out;
}

/** The score and its parts, each 0–100. */
export function scoreOf(r: Partial): { score: number; scoreBreakdown: QualityReport['scoreBreakdown'] } {
  const cells = Math.max(r.rows * r.columnsCount, 1);
  const missing = r.columns.reduce((s, c) => s + c.missing, 0);
  const invalid = r.columns.reduce((s, c) => s + minorityKinds(c), 0) + (r.raggedRows.short + r.raggedRows.long) * r.columnsCount;
  const inconsistent = r.columns.filter((c) => c.whitespace > 0 || c.caseVariants.length > 0 || minorityKinds(c) > 0 || c.flags.suspiciousZeros).length;
  let balance = 100;
  if (r.target && r.target.classes.length > 1) {
    const shares = r.target.classes.map((c) => c.share);
    const entropy = -shares.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0);
    balance = (100 * entropy) / Math.log(shares.length);
  }
  const parts = {
    completeness: 100 * (1 - missing / cells),
    uniqueness: 100 * (1 - r.duplicateRows / Math.max(r.rows, 1)),
    validity: 100 * Math.max(0, 1 - invalid / cells),
    consistency: 100 * (1 - inconsistent / Math.max(r.columnsCount, 1)),
    balance,
  };
  const rounded = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Math.round(v * 10) / 10])) as QualityReport['scoreBreakdown'];
  const score = (Object.keys(SCORE_WEIGHTS) as (keyof typeof SCORE_WEIGHTS)[]).reduce((s, k) => s + SCORE_WEIGHTS[k] * parts[k], 0);
  return { score: Math.round(score), scoreBreakdown: rounded };
}

/** Alert codes that are about fairness rather than the data's state. */
const FAIRNESS_CODES = new Set(['DISPARATE_IMPACT', 'EQUALIZED_ODDS']);

/**
 * The score a reader sees, and the sentence above it. The measured parts can all be high while
 * one finding makes the data unusable (a column that leaks the answer, a third of a column
 * missing): an error-level alert caps the score at `T.scoreCapError` (out of the green and amber
 * bands), a fairness alert at `T.scoreCapFairness` (out of the green band), and the headline
 * names the worst finding first.
 */
export function judgeQuality(score: number, alerts: Alert[]): Pick<QualityReport, 'score' | 'scoreBeforeCap' | 'verdict'> {
  const errors = alerts.filter((a) => a.severity === 'error');
  const fairness = alerts.filter((a) => FAIRNESS_CODES.has(a.code));
  const warnings = alerts.filter((a) => a.severity === 'warning');
  const cap = errors.length > 0 ? T.scoreCapError : fairness.length > 0 ? T.scoreCapFairness : 100;
  const capped = Math.min(score, cap);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  let verdict: QualityReport['verdict'];
  if (errors.length > 0) {
    const worst = errors.find((a) => a.code === 'TARGET_LEAKAGE') ?? errors[0]!;
    verdict = { level: 'error', headline: `Fix before training: ${plural(errors.length, 'error')}. Worst: ${worst.message}`, worst };
  } else if (fairness.length > 0) {
    verdict = { level: 'warning', headline: `Check fairness before training: ${fairness[0]!.message}`, worst: fairness[0]! };
  } else if (warnings.length > 0) {
    verdict = { level: 'warning', headline: `Usable, with ${plural(warnings.length, 'warning')}. First: ${warnings[0]!.message}`, worst: warnings[0]! };
  } else verdict = { level: 'ok', headline: 'No error or warning found.', worst: null };
  return { score: capped, scoreBeforeCap: capped < score ? score : null, verdict };
}
