/**
 * The executive report: one self-contained HTML file (no script, no external resource, inline
 * SVG chart) of one to three printed A4 pages, for a reader who has never seen the app. The
 * desktop app prints it to PDF; the CLI writes it with `pilot report PROJECT --html FILE`.
 */
import { formatMoney, isKnownLocale } from '../money.js';
import { html, raw } from '../../../common/html.js';
import { fmtDate } from './format.js';
import { allSections } from './sections.js';
import type { ExecutiveReportData } from './types.js';

const CSS = `
@page { size: A4; margin: 14mm 16mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; margin: 0 auto; max-width: 178mm; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 0 0 2mm; border-bottom: 1px solid #ccc; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 3mm 0 1mm; }
p { margin: 1mm 0 2mm; }
section { margin: 0 0 5mm; break-inside: avoid; page-break-inside: avoid; }
.sub { color: #555; margin-bottom: 5mm; }
.glance { border: 1px solid #bbb; border-radius: 2mm; padding: 3mm 4mm; margin-bottom: 5mm; background: #f7f7f9; }
.question { font-size: 12pt; font-weight: 600; }
.label { color: #555; }
.answer { font-weight: 600; padding: 1mm 2mm; border-left: 3px solid #999; }
.verdict-ready { border-color: #2c7a3f; } .verdict-review { border-color: #c59b1c; } .verdict-not-ready { border-color: #b5402b; border-width: 2px; }
.answer.good { border-color: #2c7a3f; } .answer.bad { border-color: #b5402b; } .answer.pending { border-color: #c59b1c; }
.missing { color: #666; font-style: italic; }
.note { color: #444; font-size: 9.5pt; }
.range { color: #555; } dl.assumptions .origin { color: #666; font-size: 8pt; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; font-size: 9.5pt; }
th, td { text-align: left; padding: 0.8mm 2mm; border-bottom: 1px solid #e3e3e3; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.better { color: #2c7a3f; } td.worse { color: #b5402b; }
ul { margin: 1mm 0 2mm; padding-left: 5mm; }
.alerts .sev { display: inline-block; min-width: 14mm; font-size: 8.5pt; text-transform: uppercase; color: #555; }
.alerts .high .sev { color: #b5402b; font-weight: 700; }
.warnings li { color: #7a4b00; }
.legend { font-size: 9pt; color: #444; }
.legend .k { display: inline-block; width: 8mm; height: 0; border-top: 2px solid; margin: 0 1.5mm 0.8mm 3mm; vertical-align: middle; }
.legend .expected { border-color: #1f5fa8; } .legend .pessimistic { border-color: #b5402b; border-top-style: dashed; } .legend .optimistic { border-color: #2c7a3f; border-top-style: dotted; }
svg.cashflow { display: block; max-height: 62mm; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; }
.pair section { min-width: 0; }
dl.assumptions { columns: 2; column-gap: 6mm; margin: 1mm 0; font-size: 9pt; }
dl.assumptions div { display: flex; justify-content: space-between; gap: 2mm; border-bottom: 1px solid #eee; padding: 0.5mm 0; break-inside: avoid; }
dl.assumptions dt { color: #444; } dl.assumptions dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
footer { color: #777; font-size: 8.5pt; border-top: 1px solid #ddd; padding-top: 2mm; }
@media print { body { padding: 0; } }
`;

function glance(data: ExecutiveReportData, locale: string): string {
  const parts: string[] = [];
  if (data.verdict) {
    parts.push(data.verdict.headline);
  } else if (data.goal) {
    parts.push(data.goal.met === null ? 'The success criterion has not been evaluated yet.' : data.goal.met ? 'The pilot meets its success criterion.' : 'The pilot does not meet its success criterion.');
  }
  const failed = data.verdict?.level === 'not-ready';
  if (data.roi && failed) {
    // A pilot that does not stand gets no money headline: what it would take comes first.
    const blocker = data.verdict?.findings.find((f) => f.severity === 'blocker');
    parts.push(`No net present value is claimed while it stands${blocker ? `: ${blocker.detail}` : '.'} The business case further down shows what the pilot would be worth once fixed.`);
  } else if (data.roi) {
    const r = data.roi.result;
    parts.push(
      r.paybackMonth === null
        ? `On the current assumptions it does not pay back within ${r.horizonMonths} months (net present value ${formatMoney(r.npv, r.currency, locale)}).`
        : `On the current assumptions it pays back in month ${Math.ceil(r.paybackMonth)}, with a net present value of ${formatMoney(r.npv, r.currency, locale)} over ${r.horizonMonths} months.`,
    );
  }
  if (data.drift?.status === 'major') parts.push('The data has drifted since training: the figures need re-checking.');
  return parts.length === 0 ? 'Nothing has been measured for this pilot yet.' : parts.join(' ');
}

function findingsList(data: ExecutiveReportData) {
  const serious = (data.verdict?.findings ?? []).filter((f) => f.severity !== 'note').slice(0, 4);
  if (serious.length === 0) return '';
  return html`<ul class="findings">${serious.map((f) => html`<li><strong>${f.title.charAt(0).toUpperCase() + f.title.slice(1)}.</strong> ${f.detail}</li>`)}</ul>`;
}

/** Renders the report. Every section is optional; all user text is escaped. */
export function renderExecutiveReportHtml(data: ExecutiveReportData): string {
  const wanted = data.locale ?? data.roi?.result.locale ?? 'en-US';
  const locale = isKnownLocale(wanted) ? wanted : 'en-US';
  const lang = locale.split('-')[0] ?? 'en';
  return html`<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${data.project} — pilot report</title>
<style>${raw(CSS)}</style>
</head>
<body>
<header><h1>${data.project}</h1><p class="sub">Deep-learning pilot: executive report, ${fmtDate(data.generatedAt, locale)}</p></header>
<div class="glance${data.verdict ? ` verdict-${data.verdict.level}` : ''}"><strong>In short:</strong> ${glance(data, locale)}${findingsList(data)}</div>
${allSections(data, locale)}
<footer>Made by Pilot Workbench, offline, from the figures measured on this organisation's own machines and data. Figures marked "not measured yet" have not been measured; none are estimated by the report.</footer>
</body>
</html>
`.value;
}
