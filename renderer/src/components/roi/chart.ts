/**
 * chart.js for the ROI charts: only the parts used are registered (a smaller bundle), colours come
 * from the theme's CSS variables, and a small plugin draws labelled vertical markers (payback,
 * break-even) without the annotation plugin.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

/** A theme colour by CSS variable name, e.g. `--accent`. */
export function cssColor(name: string, fallback = '#888'): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** A vertical line at x, with a label at the top. */
export interface Marker {
  x: number;
  label: string;
  color: string;
}

export const markersPlugin: Plugin<'line' | 'bar'> = {
  id: 'roiMarkers',
  afterDatasetsDraw(chart, _args, options) {
    const markers = (options as { markers?: Marker[] }).markers ?? [];
    const { ctx, chartArea, scales } = chart;
    const x = scales.x;
    if (!x) return;
    for (const marker of markers) {
      if (!Number.isFinite(marker.x)) continue;
      const px = x.getPixelForValue(marker.x);
      if (px < chartArea.left || px > chartArea.right) continue;
      ctx.save();
      ctx.strokeStyle = marker.color;
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = marker.color;
      ctx.font = '12px system-ui, sans-serif';
      ctx.textAlign = px > chartArea.right - 120 ? 'right' : 'left';
      ctx.fillText(marker.label, px + (ctx.textAlign === 'right' ? -4 : 4), chartArea.top + 12);
      ctx.restore();
    }
  },
};

/** A zero line: the cumulative curve crossing it is the payback. */
export const zeroLinePlugin: Plugin<'line'> = {
  id: 'roiZero',
  beforeDatasetsDraw(chart) {
    const y = chart.scales.y;
    if (!y) return;
    const py = y.getPixelForValue(0);
    const { ctx, chartArea } = chart;
    if (py < chartArea.top || py > chartArea.bottom) return;
    ctx.save();
    ctx.strokeStyle = cssColor('--border-strong');
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(chartArea.left, py);
    ctx.lineTo(chartArea.right, py);
    ctx.stroke();
    ctx.restore();
  },
};

/**
 * Creates the chart on a canvas and returns an updater: later configurations replace data and
 * options in place (no flicker), and `destroy` frees it.
 */
export function mountChart(canvas: HTMLCanvasElement, config: ChartConfiguration): { update(next: ChartConfiguration): void; destroy(): void } {
  const chart = new Chart(canvas, config);
  return {
    update(next) {
      chart.data = next.data;
      chart.options = next.options ?? {};
      chart.update('none');
    },
    destroy() {
      chart.destroy();
    },
  };
}

export type { ChartConfiguration };
