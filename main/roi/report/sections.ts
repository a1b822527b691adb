/** One renderer per report section; each says "Not measured yet" when its data is missing. */
import { fieldUnit, roiFields } from '../fields.js';
import { formatMoney } from '../money.js';
import { cashFlowChartSvg } from './chart.js';
import { html, type Raw } from '../../../common/html.js';
import { fmtDate, fmtDuration, fmtFraction, fmtMetric, fmtMonth, fmtNumber, fmtPercent } from './format.js';
import type { ExecutiveReportData, ReportDataQuality, ReportDrift, ReportFairness, ReportGoal, ReportHardware, ReportMetrics, ReportRegistry, ReportRoi } from './types.js';

function section(title: string, body: Raw | string): Raw {
  return html`<section><h2>${title}</h2>${body}</section>`;
}

function missing(title: string, next: string): Raw {
  return section(title, html`<p class="missing">Not measured yet. ${next}</p>`);
}

export function goalSection(goal: ReportGoal | undefined, locale: string): Raw {
  if (!goal) return missing('The question', 'Fill in the goal step of the pilot wizard.');
  const verdict = goal.met === null ? 'Not answered yet: the model has not been evaluated against the criterion.' : goal.met ? 'Yes — the success criterion is met.' : 'No — the success criterion is not met.';
  const metric = goal.metric
    ? html`<p>${goal.metric.name}: achieved <strong>${fmtMetric(goal.metric.achieved, goal.metric.kind, locale)}</strong> against a target of ${fmtMetric(goal.metric.target, goal.metric.kind, locale)}.</p>`
    : '';
  const cls = goal.met === null ? 'pending' : goal.met ? 'good' : 'bad';
  return section('The question', html`<p class="question">${goal.question}</p><p><span class="label">Success criterion:</span> ${goal.successCriterion}</p>
<p class="answer ${cls}">${verdict}</p>${goal.answer ? html`<p>${goal.answer}</p>` : ''}${metric}`);
}

export function qualitySection(quality: ReportDataQuality | undefined, locale: string): Raw {
  if (!quality) return missing('Data quality', "Run the data quality check on the pilot's dataset.");
  const alerts = [...quality.alerts].slice(0, 5);
  const size = quality.rows === undefined ? '' : html` (${fmtNumber(quality.rows, locale, 0)} rows${quality.columns === undefined ? '' : html`, ${fmtNumber(quality.columns, locale, 0)} columns`})`;
  return section('Data quality', html`<p>Score <strong>${fmtNumber(quality.score, locale, 0)} / 100</strong>${quality.datasetName ? html` for ${quality.datasetName}` : ''}${size}.</p>
${alerts.length === 0 ? html`<p>No alerts.</p>` : html`<ul class="alerts">${alerts.map((a) => html`<li class="${a.severity}"><span class="sev">${a.severity}</span> ${a.message}</li>`)}</ul>`}`);
}

export function fairnessSection(fairness: ReportFairness | undefined, locale: string): Raw {
  if (!fairness) return missing('Fairness', 'Run the bias check with a sensitive attribute chosen.');
  const verdict = fairness.verdict === 'concern' ? 'Concern' : fairness.verdict === 'ok' ? 'No concern found' : fairness.verdict === 'not-assessed' ? 'Not assessed' : '';
  const groups = fairness.groups?.length
    ? html`<table><thead><tr><th>${fairness.attribute ?? 'Group'}</th><th>Cases</th><th>Outcome rate</th><th>Error rate</th></tr></thead><tbody>${fairness.groups.slice(0, 8).map(
        (g) => html`<tr><td>${g.group}</td><td class="num">${fmtNumber(g.count, locale, 0)}</td><td class="num">${fmtFraction(g.outcomeRate, locale)}</td><td class="num">${fmtFraction(g.errorRate, locale)}</td></tr>`,
      )}</tbody></table>`
    : '';
  return section('Fairness', html`${verdict ? html`<p><strong>${verdict}.</strong></p>` : ''}<p>${fairness.summary}</p>${groups}`);
}

export function metricsSection(metrics: ReportMetrics | undefined, locale: string): Raw {
  if (!metrics || metrics.rows.length === 0) return missing('Model against baseline', 'Train the pilot and evaluate it on its test set.');
  // "better" only when a paired test on the test rows says so; a bare difference is "not tested".
  const verdict = (row: ReportMetrics['rows'][number]) => {
    if (row.model === null || row.baseline === null || !Number.isFinite(row.model) || !Number.isFinite(row.baseline)) return 'no baseline';
    if (row.test) return row.test.verdict;
    if (row.model === row.baseline) return 'about the same';
    return `${row.model > row.baseline === row.higherIsBetter ? 'higher' : 'lower'} (not tested)`;
  };
  const css = (v: string) => (v === 'better' ? 'better' : v === 'worse' ? 'worse' : 'same');
  const p = (row: ReportMetrics['rows'][number]) => (row.test ? `p = ${row.test.pValue < 0.001 ? '< 0.001' : row.test.pValue.toPrecision(2)}` : '');
  return section('Model against baseline', html`<p>${metrics.split ? html`Measured on the ${metrics.split}` : 'Measured on held-out data'}${metrics.baselineName ? html`, compared with ${metrics.baselineName}` : ''}.</p>
<table><thead><tr><th>Metric</th><th>Model</th><th>Baseline</th><th>Difference</th><th>Chance?</th></tr></thead><tbody>${metrics.rows.map(
    (r) => html`<tr><td>${r.name}</td><td class="num">${fmtMetric(r.model, r.kind, locale)}</td><td class="num">${fmtMetric(r.baseline, r.kind, locale)}</td><td class="${css(verdict(r))}">${verdict(r)}</td><td class="note">${p(r)}</td></tr>`,
  )}</tbody></table>
<p class="note">"Better" or "worse" only when the difference is larger than chance on the same test rows (McNemar's exact test for accuracy, a paired bootstrap for the other metrics, at 5 %); otherwise "about the same".</p>`);
}

export function hardwareSection(hardware: ReportHardware | undefined): Raw {
  if (!hardware) return missing('Hardware and readiness', 'Run the hardware profile.');
  return section('Hardware and readiness', html`<p>Trained on <strong>${hardware.device}</strong>${hardware.backend ? html` (backend: ${hardware.backend})` : ''}${hardware.trainingSeconds != null ? html`, in ${fmtDuration(hardware.trainingSeconds)}` : ''}.</p>
<p class="answer ${hardware.level === 'ready' ? 'good' : hardware.level === 'not-ready' ? 'bad' : 'pending'}">${hardware.verdict}</p>${hardware.notes?.length ? html`<ul>${hardware.notes.slice(0, 4).map((n) => html`<li>${n}</li>`)}</ul>` : ''}`);
}

export function registryDriftSection(registry: ReportRegistry | undefined, drift: ReportDrift | undefined, locale: string): Raw {
  const reg = registry
    ? html`<p>Model <strong>${registry.model}</strong>, version ${registry.version}, stage <strong>${registry.stage}</strong>${registry.registeredAt ? html`, registered ${fmtDate(registry.registeredAt, locale)}` : ''}.${registry.note ? html` ${registry.note}` : ''}</p>`
    : html`<p class="missing">No model version registered yet.</p>`;
  const words = { none: 'No drift: new data looks like the training data.', minor: 'Minor drift: some inputs have shifted; watch the next check.', major: 'Major drift: new data differs from the training data; re-evaluate and consider retraining.', unknown: 'Drift not checked yet.' };
  const dr = drift
    ? html`<p class="answer ${drift.status === 'none' ? 'good' : drift.status === 'major' ? 'bad' : 'pending'}">${words[drift.status] ?? words.unknown}${drift.checkedAt ? html` (checked ${fmtDate(drift.checkedAt, locale)})` : ''}</p>${drift.summary ? html`<p>${drift.summary}</p>` : ''}${
        drift.features?.some((f) => f.drifted) ? html`<p>Drifted: ${drift.features.filter((f) => f.drifted).slice(0, 5).map((f) => f.name).join(', ')}.</p>` : ''
      }`
    : html`<p class="missing">Drift not measured yet. Run a drift check on recent data.</p>`;
  return section('Registry and drift', html`${reg}${dr}`);
}

export function roiSection(roi: ReportRoi | undefined, locale: string): Raw {
  if (!roi) return missing('Return on investment', 'Fill in the ROI page of the pilot.');
  const { result, input } = roi;
  const money = (minor: number) => formatMoney(minor, result.currency, locale);
  const s = result.scenarios;
  const assumptions = roiFields.filter((f) => input[f.key] !== 0 && f.group !== 'scenario');
  const chart = cashFlowChartSvg({ currency: result.currency, locale, expected: s.expected.cumulative, pessimistic: s.pessimistic.cumulative, optimistic: s.optimistic.cumulative, paybackMonth: result.paybackMonth });
  const row = (label: string, pick: (x: typeof s.expected) => string) => html`<tr><td>${label}</td><td class="num">${pick(s.pessimistic)}</td><td class="num">${pick(s.expected)}</td><td class="num">${pick(s.optimistic)}</td></tr>`;
  // Ranges beside the headline figures: a bare 1,594 % from a small cost base says nothing about how much it moves.
  const spread = (low: number | null, high: number | null, show: (v: number) => string) => (low === null || high === null ? '' : ` (${show(low)} to ${show(high)}, pessimistic to optimistic)`);
  const pct = (v: number) => fmtPercent(v, locale);
  return section('Return on investment', html`<p>Over ${result.horizonMonths} months, expected costs <strong>${money(result.totals.cost)}</strong> and benefits <strong>${money(result.totals.benefit)}</strong>: net present value <strong>${money(result.npv)}</strong>${spread(s.pessimistic.npv, s.optimistic.npv, money)} at ${fmtPercent(input.discountRatePercent, locale)} a year, ROI ${result.roiPercent === null ? 'not computable' : html`${pct(result.roiPercent)}<span class="range" data-testid="report-roi-range">${spread(s.pessimistic.roiPercent, s.optimistic.roiPercent, pct)}</span>`}, payback ${result.paybackMonth === null ? 'never' : fmtMonth(result.paybackMonth, locale)}, IRR ${result.irr === null ? 'none' : html`${pct(result.irr)} a year<span class="range">${spread(s.pessimistic.irr, s.optimistic.irr, (v) => `${pct(v)} a year`)}</span>`}.</p>
${result.irr !== null && result.irr > 100 ? html`<p class="note">An IRR above 100 % a year usually comes from a small cost base: small changes of the inputs move it a lot. Read it with the range, not alone.</p>` : ''}
${result.paybackReason ? html`<p class="note">${result.paybackReason}</p>` : ''}${result.irrReason ? html`<p class="note">IRR: ${result.irrReason}</p>` : ''}
<p>Risk-adjusted (probability of success ${fmtPercent(result.riskAdjusted.probabilityPercent, locale)}): net present value <strong>${money(result.riskAdjusted.npv)}</strong>.</p>
${chart}
<p class="legend"><span class="k expected"></span>expected <span class="k pessimistic"></span>pessimistic <span class="k optimistic"></span>optimistic — cumulative net cash flow, ${result.currency}</p>
<table><thead><tr><th></th><th>Pessimistic</th><th>Expected</th><th>Optimistic</th></tr></thead><tbody>
${row('Costs', (x) => money(x.totalCost))}${row('Benefits', (x) => money(x.totalBenefit))}${row('Net present value', (x) => money(x.npv))}${row('Payback', (x) => fmtMonth(x.paybackMonth, locale))}
</tbody></table>
${result.sensitivity.length ? html`<p>Assumptions that move the result most (±${fmtNumber(input.sensitivitySwingPercent, locale)} %): ${result.sensitivity.slice(0, 3).map((e) => e.label).join(', ')}.</p>` : ''}
${result.warnings.length ? html`<ul class="warnings">${result.warnings.map((w) => html`<li>${w.message}</li>`)}</ul>` : ''}
<h3>Measured and assumed</h3>
<p class="note"><strong>Measured by the workbench:</strong> ${measuredList(result, locale)}.${result.measuredUsed.powerMeasured ? '' : html` <strong>Assumed:</strong> device power ${fmtNumber(result.measuredUsed.devicePowerWatts, locale, 0)} W (not measured on this machine).`}</p>
<dl class="assumptions">${assumptions.map((f) => {
    const origin = roi.origins?.find((o) => o.key === f.key)?.origin ?? 'default';
    return html`<div data-origin="${origin}"><dt>${f.label} <span class="origin">${ORIGIN_WORDS[origin]}</span></dt><dd>${fmtNumber(input[f.key], locale, 4)} ${fieldUnit(f, result.currency)}</dd></div>`;
  })}
</dl>`);
}

/** How each assumed input is labelled in the report. */
const ORIGIN_WORDS = { goal: 'from the Goal step', set: 'assumed, set for this case', default: 'assumed, default' } as const;

function measuredList(result: ReportRoi['result'], locale: string): string {
  const used = result.measuredUsed;
  const parts = [
    used.modelErrorRate === null ? 'no model error rate used (no benefit from avoided errors)' : `model error rate ${fmtFraction(used.modelErrorRate, locale)}${used.modelErrorSource ? ` (${used.modelErrorSource})` : ''}`,
    used.trainingSeconds === null ? 'training time not measured' : `training time ${fmtDuration(used.trainingSeconds)} a run`,
  ];
  if (used.powerMeasured) parts.push(`device power ${fmtNumber(used.devicePowerWatts, locale, 0)} W`);
  return parts.join('; ');
}

/** The sections in reading order. */
export function allSections(data: ExecutiveReportData, locale: string): Raw[] {
  // Short sections side by side keep the report within three printed pages.
  const pair = (left: Raw, right: Raw) => html`<div class="pair">${left}${right}</div>`;
  return [
    goalSection(data.goal, locale),
    pair(qualitySection(data.dataQuality, locale), fairnessSection(data.fairness, locale)),
    pair(metricsSection(data.metrics, locale), hardwareSection(data.hardware)),
    registryDriftSection(data.registry, data.drift, locale),
    roiSection(data.roi, locale),
  ];
}
