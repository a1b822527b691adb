/**
 * The cumulative cash-flow chart as inline SVG: no script, no external file, prints as vectors.
 * Expected scenario solid, pessimistic dashed, optimistic dotted; the payback month marked.
 */
import { formatMoneyCompact, type Minor } from '../money.js';
import { html, type Raw } from '../../../common/html.js';

export interface CashFlowChartInput {
  currency: string;
  locale: string;
  expected: readonly Minor[];
  pessimistic?: readonly Minor[];
  optimistic?: readonly Minor[];
  paybackMonth: number | null;
}

const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 78, right: 16, top: 14, bottom: 34 };

function niceStep(range: number, ticks: number): number {
  const rough = range / ticks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const unit = rough / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

/** Renders the chart; every coordinate is finite even for empty or flat series. */
export function cashFlowChartSvg(input: CashFlowChartInput): Raw {
  const series = [input.expected, input.pessimistic ?? [], input.optimistic ?? []];
  const months = Math.max(1, input.expected.length - 1);
  const all = series.flat();
  let min = Math.min(0, ...all);
  let max = Math.max(0, ...all);
  if (max - min < 1) {
    min -= 1;
    max += 1;
  }
  const step = niceStep(max - min, 5);
  min = Math.floor(min / step) * step;
  max = Math.ceil(max / step) * step;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (month: number) => (PAD.left + (month / months) * plotW).toFixed(1);
  const y = (value: number) => (PAD.top + ((max - value) / (max - min)) * plotH).toFixed(1);
  const path = (values: readonly Minor[]) => values.map((v, m) => `${m === 0 ? 'M' : 'L'}${x(m)},${y(v)}`).join(' ');

  const yTicks: Raw[] = [];
  for (let v = min; v <= max + step / 2; v += step) {
    yTicks.push(html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${PAD.left - 6}" y="${y(v)}" dy="0.32em" text-anchor="end">${formatMoneyCompact(v, input.currency, input.locale)}</text>`);
  }
  const xStep = months <= 12 ? 1 : months <= 36 ? 6 : 12;
  const xTicks: Raw[] = [];
  for (let m = 0; m <= months; m += xStep) {
    xTicks.push(html`<text x="${x(m)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${m}</text>`);
  }
  const payback =
    input.paybackMonth === null || input.paybackMonth > months
      ? ''
      : html`<line x1="${x(input.paybackMonth)}" x2="${x(input.paybackMonth)}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" class="payback"/><text x="${x(input.paybackMonth)}" y="${PAD.top + 10}" dx="4">payback</text>`;
  const line = (values: readonly Minor[], cls: string) => (values.length > 1 ? html`<path d="${path(values)}" class="${cls}"/>` : '');
  return html`<svg class="cashflow" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="Cumulative cash flow by month, expected, pessimistic and optimistic scenarios" xmlns="http://www.w3.org/2000/svg">
<style>.cashflow text{font:11px system-ui,sans-serif;fill:#333}.cashflow .grid{stroke:#ddd}.cashflow .zero{stroke:#555}.cashflow path{fill:none;stroke-width:2}.cashflow .expected{stroke:#1f5fa8}.cashflow .pessimistic{stroke:#b5402b;stroke-dasharray:6 4}.cashflow .optimistic{stroke:#2c7a3f;stroke-dasharray:2 3}.cashflow .payback{stroke:#888;stroke-dasharray:3 3}</style>
${yTicks}${xTicks}
<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(0)}" y2="${y(0)}" class="zero"/>
${line(input.pessimistic ?? [], 'pessimistic')}${line(input.optimistic ?? [], 'optimistic')}${line(input.expected, 'expected')}${payback}
<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 4}" text-anchor="middle">Month</text>
</svg>`;
}
