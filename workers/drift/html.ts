/**
 * A drift report as one self-contained HTML page: inline CSS and SVG, no scripts, no external
 * resources, so it can be mailed or archived and opens offline.
 */
import type { ColumnDrift, DriftReport, Overlay } from './report.js';
import { escapeHtml as esc } from '../../common/html.js';

const TEST_NAMES: Record<string, string> = {
  ks: 'Kolmogorov–Smirnov',
  'chi-squared': 'Chi-squared',
  z: 'Two-proportion Z',
  wasserstein: 'Wasserstein (normed)',
  'jensen-shannon': 'Jensen–Shannon',
};

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330;padding:0 1rem}
h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
.summary{font-size:1.1rem;padding:1rem;border-radius:8px;background:#eef3fb;border-left:6px solid #3567b5}
.summary.retrain{background:#fdeeee;border-color:#c0392b}.summary.watch{background:#fff6e5;border-color:#d68910}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e6ec;vertical-align:top}
th{background:#f6f7f9;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.yes{color:#c0392b;font-weight:600}.no{color:#1e8449}.muted{color:#6b7280}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:1rem}
.card{border:1px solid #e3e6ec;border-radius:8px;padding:.75rem}.card h3{font-size:1rem;margin:0 0 .25rem}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;border-radius:2px}
`;

const REF_COLOR = '#8aa4cf';
const CUR_COLOR = '#e07b39';

/** Renders the report as a standalone HTML document. */
export function renderDriftHtml(report: DriftReport): string {
  const all = [...report.columns, ...(report.predictionDrift ? [report.predictionDrift] : []), ...(report.labelDrift ? [report.labelDrift] : [])];
  const sorted = [...report.columns].sort((a, b) => Number(b.drifted) - Number(a.drifted) || (b.psi ?? 0) - (a.psi ?? 0));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Drift report</title><style>${CSS}</style></head><body>
<h1>Drift report</h1>
<p class="muted">Reference: ${fmtInt(report.rows.reference)} rows · current: ${fmtInt(report.rows.current)} rows · ${report.driftedColumns} of ${report.judgedColumns} columns drifted (share ${report.driftShare.toFixed(2)}, dataset drift at ${report.driftShareThreshold})</p>
<p class="summary ${report.recommendation}">${esc(report.summary)}</p>
${performanceSection(report)}${special('Prediction drift', report.predictionDrift)}${special('Label drift', report.labelDrift)}
${listSection('Missing from the current file', report.missingColumns)}${listSection('Extra columns in the current file (not compared)', report.extraColumns)}
<h2>Columns</h2>
<table><thead><tr><th>Column</th><th>Test</th><th>Statistic</th><th>p-value</th><th>PSI</th><th>Drift</th><th>Why</th></tr></thead><tbody>
${sorted.map(row).join('\n')}
</tbody></table>
<h2>Distributions</h2>
<p class="legend"><span style="background:${REF_COLOR}"></span>reference<span style="background:${CUR_COLOR}"></span>current</p>
<div class="cards">${all.filter((c) => c.overlay).map(card).join('\n')}</div>
${listSection('Notes on reading the files', report.warnings)}
</body></html>
`;
}

function row(c: ColumnDrift): string {
  const drift = c.status === 'judged' || c.status === 'type-changed' ? (c.drifted ? '<span class="yes">yes</span>' : '<span class="no">no</span>') : `<span class="muted">${esc(c.status)}</span>`;
  return `<tr><td>${esc(c.name)}</td><td>${c.test ? TEST_NAMES[c.test] : '—'}</td><td class="num">${fmt(c.statistic)}</td><td class="num">${fmtP(c.pValue)}</td><td class="num">${fmt(c.psi)}</td><td>${drift}</td><td>${esc(c.explanation)}</td></tr>`;
}

function performanceSection(report: DriftReport): string {
  const p = report.performance;
  if (!p) return '';
  return `<h2>Performance</h2><p>${esc(p.metric)}: registered ${fmt(p.reference)}, now ${fmt(p.current)} on ${fmtInt(p.rows)} labelled rows (${p.degraded ? '<span class="yes">degraded</span>' : '<span class="no">within tolerance</span>'}).</p>`;
}

function special(title: string, c: ColumnDrift | null): string {
  if (!c) return '';
  return `<h2>${title}</h2><p>${esc(c.name)}: ${c.drifted ? '<span class="yes">drifted</span>' : '<span class="no">stable</span>'}. ${esc(c.explanation)}</p>`;
}

function listSection(title: string, items: string[]): string {
  return items.length === 0 ? '' : `<h2>${title}</h2><ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`;
}

function card(c: ColumnDrift): string {
  return `<div class="card"><h3>${esc(c.name)} ${c.drifted ? '<span class="yes">· drifted</span>' : ''}</h3>${svg(c.overlay as Overlay)}</div>`;
}

/** Grouped bars: reference and current share per bin, on one scale. */
function svg(o: Overlay): string {
  const labels =
    o.kind === 'categories'
      ? o.labels
      : o.reference.map((_, i) => `${fmt(o.edges[i] ?? 0)}–${fmt(o.edges[i + 1] ?? 0)}`);
  const ref = [...o.reference];
  const cur = [...o.current];
  if (o.kind === 'histogram') {
    // Current values outside the reference range get their own bars at either end.
    if (o.currentBelow > 0) {
      labels.unshift('below');
      ref.unshift(0);
      cur.unshift(o.currentBelow);
    }
    if (o.currentAbove > 0) {
      labels.push('above');
      ref.push(0);
      cur.push(o.currentAbove);
    }
  }
  const width = 320;
  const height = 140;
  const n = Math.max(1, labels.length);
  const slot = width / n;
  const max = Math.max(1e-9, ...ref, ...cur);
  const bar = (v: number, i: number, offset: number, color: string, label: string): string => {
    const h = (v / max) * (height - 10);
    return `<rect x="${(i * slot + offset).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${Math.max(1, slot / 2 - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${esc(label)}: ${(v * 100).toFixed(1)}%</title></rect>`;
  };
  const bars = labels.map((l, i) => bar(ref[i] ?? 0, i, 0, REF_COLOR, `${l} reference`) + bar(cur[i] ?? 0, i, slot / 2, CUR_COLOR, `${l} current`)).join('');
  const first = esc(labels[0] ?? '');
  const last = esc(labels[labels.length - 1] ?? '');
  return `<svg viewBox="0 0 ${width} ${height + 16}" width="100%" role="img" aria-label="reference vs current distribution">${bars}<line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/><text x="0" y="${height + 13}" font-size="10" fill="#555">${first}</text><text x="${width}" y="${height + 13}" font-size="10" fill="#555" text-anchor="end">${last}</text></svg>`;
}

function fmt(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  return a !== 0 && (a < 0.001 || a >= 1e6) ? n.toExponential(2) : Number(n.toPrecision(4)).toString();
}

function fmtP(p: number | null): string {
  if (p === null) return '—';
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}
