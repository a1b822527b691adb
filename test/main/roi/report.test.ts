import { describe, expect, it } from 'vitest';
import { computeRoi } from '../../../main/roi/compute.js';
import { cashFlowChartSvg } from '../../../main/roi/report/chart.js';
import { escapeHtml } from '../../../common/html.js';
import { renderExecutiveReportHtml } from '../../../main/roi/report/html.js';
import type { ExecutiveReportData } from '../../../main/roi/report/types.js';
import { parseRoiInput } from '../../../main/roi/schema.js';

const input = parseRoiInput({ currency: 'EUR', locale: 'de-DE', horizonMonths: 24, hoursSavedPerMonth: 80, volumePerMonth: 2000, todayErrorRatePercent: 8, costPerError: 15, licencesPerMonth: 99 });
const result = computeRoi(input, { modelErrorRate: 0.04, modelErrorSource: 'test metrics of version 3', trainingSeconds: 1800, devicePowerWatts: 350, baselinePresent: true });

const full: ExecutiveReportData = {
  project: 'Late <invoices> & "payments"',
  generatedAt: '2026-11-21T05:00:00Z',
  goal: { question: 'Can we flag invoices that will be paid late?', successCriterion: 'Accuracy of at least 85 % on the test set', met: true, metric: { name: 'Accuracy', achieved: 0.91, target: 0.85, kind: 'fraction' } },
  dataQuality: { score: 82, datasetName: 'invoices-2025.csv', rows: 48210, columns: 17, alerts: [{ severity: 'high', message: 'Column <b>iban</b> holds personal data' }, { severity: 'low', message: '3 % duplicates' }] },
  fairness: { summary: 'Error rates differ by less than 2 points between regions.', verdict: 'ok', attribute: 'region', groups: [{ group: 'North', count: 1200, outcomeRate: 0.2, errorRate: 0.08 }] },
  metrics: { split: 'test set (20 %)', baselineName: 'majority class', rows: [{ name: 'Accuracy', model: 0.91, baseline: 0.72, higherIsBetter: true, kind: 'fraction', test: { verdict: 'better', pValue: 0.0001, method: 'mcnemar' } }, { name: 'Log loss', model: 0.3, baseline: 0.2, higherIsBetter: false, test: { verdict: 'worse', pValue: 0.01, method: 'bootstrap' } }, { name: 'F1 score', model: 0.803, baseline: 0.8, higherIsBetter: true, kind: 'fraction', test: { verdict: 'about the same', pValue: 0.6, method: 'bootstrap' } }, { name: 'ROC AUC', model: 0.9, baseline: 0.88, higherIsBetter: true, kind: 'fraction' }] },
  hardware: { device: 'CPU, 8 cores', backend: 'wasm', verdict: 'Ready for tabular pilots', level: 'ready', trainingSeconds: 1800 },
  registry: { model: 'late-invoices', version: 3, stage: 'production', registeredAt: '2026-11-20T10:00:00Z' },
  drift: { status: 'minor', checkedAt: '2026-11-21T04:00:00Z', features: [{ name: 'amount', drifted: true }, { name: 'region', drifted: false }] },
  roi: { result, input },
};

describe('renderExecutiveReportHtml', () => {
  const page = renderExecutiveReportHtml(full);

  it('is one self-contained document: no script, no external resource', () => {
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/i);
    expect(page).toContain('<html lang="de">');
  });

  it('escapes all user text', () => {
    expect(page).toContain('Late &lt;invoices&gt; &amp; &quot;payments&quot;');
    expect(page).toContain('Column &lt;b&gt;iban&lt;/b&gt; holds personal data');
    expect(page).not.toContain('<invoices>');
    expect(escapeHtml(`<a href='x'>`)).toBe('&lt;a href=&#39;x&#39;&gt;');
  });

  it('shows every section with the measured figures', () => {
    expect(page).toContain('Yes — the success criterion is met.');
    expect(page).toContain('82 / 100');
    expect(page).toContain('No concern found');
    expect(page).toMatch(/<td class="better">better<\/td>/);
    expect(page).toMatch(/<td class="worse">worse<\/td>/);
    // A 0.3-point gain the paired test cannot tell from chance, and a row with no test, are never "better".
    expect(page).toMatch(/<td>F1 score<\/td>.*<td class="same">about the same<\/td><td class="note">p = 0.60<\/td>/);
    expect(page).toMatch(/<td>ROC AUC<\/td>.*<td class="same">higher \(not tested\)<\/td>/);
    expect(page).toContain('Ready for tabular pilots');
    expect(page).toContain('Minor drift');
    expect(page).toContain('Drifted: amount.');
    expect(page).toContain('<svg class="cashflow"');
    // Amounts formatted for de-DE in euros: the NPV as the ROI library formats it.
    const npv = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'EUR' }).format(result.npv / 100);
    expect(page).toContain(npv);
    // The assumptions are listed with their units.
    expect(page).toContain('Licences and subscriptions');
    expect(page).toContain('EUR per month');
    expect(page).toContain('test metrics of version 3');
  });

  it('says "not measured yet" for every missing section rather than inventing figures', () => {
    const empty = renderExecutiveReportHtml({ project: 'Empty', generatedAt: 'not a date' });
    expect(empty.match(/Not measured yet\./g)?.length).toBe(6);
    expect(empty).toContain('No model version registered yet.');
    expect(empty).toContain('Nothing has been measured for this pilot yet.');
    expect(empty).not.toMatch(/NaN|Infinity|undefined|null/);
    expect(empty).not.toContain('<svg');
  });

  it("opens with the pilot verdict, worst finding first, and does not let the money figures stand for a go-ahead", () => {
    const verdict = {
      level: 'not-ready' as const,
      headline: 'Not ready: the success criterion is not met; also fairness concern by sex (disparate impact 0.32).',
      findings: [
        { severity: 'blocker' as const, title: 'the success criterion is not met', detail: 'Recall is 61 %, below 75 %.' },
        { severity: 'concern' as const, title: 'fairness concern by sex (disparate impact 0.32)', detail: 'Women are selected 6 % of the time.' },
        { severity: 'note' as const, title: 'the network is about the same as a simple linear model', detail: '…' },
      ],
    };
    const html = renderExecutiveReportHtml({ ...full, verdict });
    const glance = html.slice(html.indexOf('<div class="glance'), html.indexOf('</div>', html.indexOf('<div class="glance')));
    expect(glance).toContain('class="glance verdict-not-ready"');
    expect(glance).toMatch(/<strong>In short:<\/strong> Not ready: the success criterion is not met; also fairness concern by sex/);
    // No money headline for a pilot that does not stand: what it would take instead.
    expect(glance).toContain('No net present value is claimed while it stands: Recall is 61 %, below 75 %.');
    expect(glance).not.toMatch(/net present value of/);
    expect(glance).toContain('Women are selected 6 %');
    expect(glance).not.toContain('about the same as a simple linear model');
    expect(glance).not.toContain('The pilot meets its success criterion');
  });

  it('words a failed criterion and a pilot that never pays back', () => {
    const zero = computeRoi({ hoursSavedPerMonth: 0 }, { modelErrorRate: null, trainingSeconds: null, devicePowerWatts: null, baselinePresent: false });
    const html = renderExecutiveReportHtml({ project: 'P', generatedAt: '2026-11-21T05:00:00Z', goal: { question: 'Q', successCriterion: 'C', met: false }, roi: { result: zero, input: parseRoiInput({ hoursSavedPerMonth: 0 }) } });
    expect(html).toContain('No — the success criterion is not met.');
    expect(html).toContain('payback never');
    expect(html).toContain('never pays back');
    expect(html).not.toMatch(/NaN|Infinity/);
  });

  it('falls back to en-US for an unknown locale and tolerates junk numbers', () => {
    const html = renderExecutiveReportHtml({ project: 'P', generatedAt: '2026-11-21T05:00:00Z', locale: 'zz-!!', dataQuality: { score: Number.NaN, alerts: [] } });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('— / 100');
    expect(html).not.toContain('NaN');
  });
});

describe('cashFlowChartSvg', () => {
  it('keeps every coordinate finite for flat and single-point series', () => {
    for (const expected of [[0, 0, 0], [5], []]) {
      const svg = cashFlowChartSvg({ currency: 'USD', locale: 'en-US', expected, paybackMonth: null }).value;
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
  });

  it('places the zero line and the payback marker where the data says', () => {
    // Values −100…+100 → the zero line sits half-way down the plot (top 14, height 212 ⇒ y = 120).
    const svg = cashFlowChartSvg({ currency: 'USD', locale: 'en-US', expected: [-100, 0, 100], paybackMonth: 1 }).value;
    expect(svg).toMatch(/y1="120\.0" y2="120\.0" class="zero"/);
    // Month 1 of 2: x = 78 + 0.5 × 546 = 351.
    expect(svg).toMatch(/x1="351\.0" x2="351\.0"[^>]*class="payback"/);
    expect(svg).toContain('M78.0,226.0 L351.0,120.0 L624.0,14.0');
  });
});
