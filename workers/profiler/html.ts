/**
 * A self-contained HTML report (no scripts, no external files; prints on A4) of one profile, or
 * a fleet comparison of several followed by each machine's details.
 */
import { bestMachine } from '../../common/fleet.js';
import { escapeHtml } from '../../common/html.js';
import { verdictWords } from '../../common/verdict-words.js';
import type { HardwareReport, PilotKind, Verdict } from './types.js';
import { PILOT_KINDS, PILOT_LABELS } from './types.js';

const GB = 1024 ** 3;

const gb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? 'not detected' : `${(bytes / GB).toFixed(1)} GB`);
const num = (value: number | null | undefined, digits = 1, unit = '') =>
  value === null || value === undefined ? '—' : `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })}${unit ? ` ${unit}` : ''}`;
const minutes = (value: number | null) => (value === null ? 'not measured' : value < 90 ? `${num(value, value < 10 ? 1 : 0)} min` : `${num(value / 60, 1)} h`);

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:24px auto;max-width:1040px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.muted{color:#57606a}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:10px}
.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 12px}.card b{display:block;font-size:12px;text-transform:uppercase;color:#57606a}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.level{font-weight:600;border-radius:10px;padding:1px 8px;white-space:nowrap}
.green{background:#dafbe1;color:#116329}.amber{background:#fff8c5;color:#7d4e00}.red{background:#ffebe9;color:#a40e26}
ol li,ul li{margin:3px 0}.fix{color:#0b5394}code{background:#f6f8fa;padding:0 3px;border-radius:3px}
.machine{page-break-before:always}.machine:first-of-type{page-break-before:auto}
@media print{body{margin:0;max-width:none;font-size:11px}h2{page-break-after:avoid}table,tr,.card{page-break-inside:avoid}}
`;

function levelBadge(verdict: Pick<Verdict, 'level' | 'estimatedMinutes'>): string {
  return `<span class="level ${verdict.level}">${escapeHtml(verdict.level)} · ${escapeHtml(verdictWords(verdict))}</span>`;
}

function gpuLine(report: HardwareReport): string {
  if (report.gpus.length === 0) return 'not detected';
  return report.gpus
    .map((gpu) => `${gpu.model} (${gpu.sharedMemory ? 'shared memory' : gb(gpu.vramBytes)}${gpu.cudaVersion ? `, CUDA ${gpu.cudaVersion}` : ''})`)
    .join('; ');
}

function machineSection(report: HardwareReport): string {
  const best = Math.max(...Object.values(report.benchmarks.matmulGflops).map((value) => value ?? 0), 0);
  const parts: string[] = [];
  parts.push(`<section class="machine"><h1>${escapeHtml(report.hostname)}</h1>
<div class="muted">Profiled ${escapeHtml(report.createdAt)} · machine id ${escapeHtml(report.machineId)} · ${escapeHtml(report.os.distro)} ${escapeHtml(report.os.release)} (${escapeHtml(report.os.arch)}) · Node ${escapeHtml(report.os.node)}${report.os.electron ? ` · Electron ${escapeHtml(report.os.electron)}` : ''}</div>
<h2>Summary</h2><div class="cards">
<div class="card"><b>CPU</b>${escapeHtml(report.cpu.model)}<br>${report.cpu.physicalCores} cores / ${report.cpu.logicalCores} threads${report.cpu.maxClockGHz ? `, up to ${report.cpu.maxClockGHz} GHz` : ''}<br><span class="muted">${escapeHtml(report.cpu.flags.join(', ') || 'no SIMD flags reported')}</span></div>
<div class="card"><b>Memory</b>${gb(report.memory.totalBytes)} total<br>${gb(report.memory.availableBytes)} available<br><span class="muted">swap ${gb(report.memory.swapTotalBytes)}</span></div>
<div class="card"><b>GPU</b>${escapeHtml(gpuLine(report))}</div>
<div class="card"><b>Data drive</b>${escapeHtml(report.disk.path)}<br>${escapeHtml(report.disk.type)} · ${gb(report.disk.freeBytes)} free of ${gb(report.disk.sizeBytes)}<br><span class="muted">${escapeHtml(report.disk.typeDetail)}</span></div>
</div>`);

  if (report.gpus.length > 0) {
    parts.push(`<h2>GPUs</h2><table><tr><th>Vendor</th><th>Model</th><th>Memory</th><th>Driver</th><th>CUDA (driver max)</th><th>Compute capability</th><th>Power limit</th><th>Temperature</th><th>MIG</th></tr>
${report.gpus
  .map(
    (gpu) =>
      `<tr><td>${escapeHtml(gpu.vendor)}</td><td>${escapeHtml(gpu.model)}</td><td>${gpu.sharedMemory ? `shared (${gb(gpu.vramBytes)})` : gb(gpu.vramBytes)}<br><span class="muted">${escapeHtml(gpu.vramSource)}</span></td><td>${escapeHtml(gpu.driver ?? '—')}</td><td>${escapeHtml(gpu.cudaVersion ?? '—')}</td><td>${escapeHtml(gpu.computeCapability ?? '—')}</td><td>${num(gpu.powerLimitW, 0, 'W')}</td><td>${num(gpu.temperatureC, 0, '°C')}</td><td>${gpu.mig ? (gpu.mig.enabled ? `on, ${gpu.mig.devices.length} slices` : 'off') : '—'}</td></tr>`,
  )
  .join('\n')}</table>`);
  }

  parts.push(`<h2>Training stack</h2><table><tr><th>Backend</th><th>Available</th><th>Why</th></tr>
${report.backends.map((status) => `<tr><td>${escapeHtml(status.name)}</td><td>${status.available ? 'yes' : 'no'}</td><td>${escapeHtml(status.reason)}</td></tr>`).join('\n')}</table>
<table><tr><th>Pilot</th><th>Backend it gets</th><th>Why not a better one</th></tr>
${report.stack.pilots.map((pilot) => `<tr><td>${escapeHtml(PILOT_LABELS[pilot.template as PilotKind] ?? pilot.template)}</td><td>${escapeHtml(pilot.backend ?? 'none')}</td><td>${escapeHtml(pilot.reason)}</td></tr>`).join('\n')}</table>`);
  if (report.stack.problems.length > 0) {
    parts.push(`<ol>${report.stack.problems.map((problem) => `<li>${escapeHtml(problem.message)}<br><span class="fix">What to do: ${escapeHtml(problem.fix)}</span></li>`).join('')}</ol>`);
  }

  const bench = report.benchmarks;
  if (bench.mode === 'none') {
    parts.push('<h2>Measurements</h2><p class="muted">Not measured: run the quick benchmark for speeds and training-time estimates.</p>');
  } else {
    const rows = [
      ...bench.matmul.map(
        (point) =>
          `<tr><td>Matrix multiply ${point.size}×${point.size}, ${escapeHtml(point.backend)}</td><td>${num(point.gflops, 2, 'GFLOP/s')}</td><td>${best ? `${Math.round((point.gflops / best) * 100)}% of the fastest backend here` : ''}</td></tr>`,
      ),
      `<tr><td>Memory bandwidth (array copy)</td><td>${num(bench.memoryGBps, 1, 'GB/s')}</td><td>how fast data moves between RAM and CPU</td></tr>`,
      `<tr><td>Disk write (synced)</td><td>${num(bench.diskWriteMBps, 0, 'MB/s')}</td><td>${escapeHtml(bench.diskSkipped ?? 'sequential, data drive')}</td></tr>`,
      `<tr><td>Disk read</td><td>${num(bench.diskReadMBps, 0, 'MB/s')}</td><td>${escapeHtml(bench.diskSkipped ?? (bench.diskReadUncached ? 'sequential, bypassing the OS cache' : 'right after writing: may come from the OS cache'))}</td></tr>`,
      ...bench.train.map(
        (point) =>
          `<tr><td>Training step: ${escapeHtml(PILOT_LABELS[point.template as PilotKind] ?? point.template)}<br><span class="muted">${escapeHtml(point.model)}</span></td><td>${num(point.samplesPerSec, 0, `${point.unit}/s`)}</td><td>on ${escapeHtml(point.backend)}${point.note ? ` — ${escapeHtml(point.note)}` : ''}</td></tr>`,
      ),
    ];
    parts.push(`<h2>Measurements (${escapeHtml(bench.mode)}, ${num(bench.seconds, 1, 's')})</h2><table><tr><th>What</th><th>Measured</th><th>What it means</th></tr>${rows.join('\n')}</table>`);
    if (bench.notes.length > 0) parts.push(`<ul class="muted">${bench.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`);
  }

  parts.push(`<h2>Verdict per pilot</h2><table><tr><th>Pilot</th><th>Verdict</th><th>Estimated training</th><th>Largest that fits</th><th>Why</th></tr>
${report.verdicts
  .map(
    (verdict) =>
      `<tr><td>${escapeHtml(PILOT_LABELS[verdict.template as PilotKind] ?? verdict.template)}<br><span class="muted">${escapeHtml(verdict.typicalPilot)}</span></td><td>${levelBadge(verdict)}</td><td>${minutes(verdict.estimatedMinutes)}</td><td>${escapeHtml(verdict.largestPilot)}</td><td><ul>${verdict.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul></td></tr>`,
  )
  .join('\n')}</table>`);
  if (report.recommendations.length > 0) {
    parts.push(`<h2>Recommendations, most effective first</h2><ol>${report.recommendations.map((rec) => `<li>${escapeHtml(rec.text)}</li>`).join('')}</ol>`);
  }
  if (report.notes.length > 0) parts.push(`<h2>Notes</h2><ul class="muted">${report.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`);
  parts.push('</section>');
  return parts.join('\n');
}

/**
 * For each pilot kind, the machine that trains it best: benchmarked machines that can run it first
 * (best level, then shortest estimate), unbenchmarked ones after them (common/fleet.ts says why).
 */
export function bestMachinePerPilot(reports: HardwareReport[]): Record<PilotKind, HardwareReport | null> {
  return Object.fromEntries(PILOT_KINDS.map((kind) => [kind, bestMachine(reports, (r) => r.verdicts, kind)?.machine ?? null])) as Record<PilotKind, HardwareReport | null>;
}

/** "gpu-box", "gpu-box (box-2 is not benchmarked and may do better: benchmark it)" or "box-2 (not benchmarked: …)". */
export function bestMachineLabel(reports: HardwareReport[], kind: PilotKind): string {
  const choice = bestMachine(reports, (r) => r.verdicts, kind);
  if (!choice) return 'none';
  if (!choice.measured) return `${choice.machine.hostname} (not benchmarked: run its quick benchmark to confirm)`;
  return choice.benchmarkNext ? `${choice.machine.hostname} (${choice.benchmarkNext.hostname} is not benchmarked and may do better: benchmark it)` : choice.machine.hostname;
}

function fleetSection(reports: HardwareReport[]): string {
  const head = reports.map((report) => `<th>${escapeHtml(report.hostname)}<br><span class="muted">${escapeHtml(report.createdAt.slice(0, 10))}</span></th>`).join('');
  const row = (label: string, cell: (report: HardwareReport) => string) => `<tr><th>${escapeHtml(label)}</th>${reports.map((report) => `<td>${cell(report)}</td>`).join('')}</tr>`;
  const best = bestMachinePerPilot(reports);
  const rows = [
    row('CPU', (r) => `${escapeHtml(r.cpu.model)}<br>${r.cpu.physicalCores}c/${r.cpu.logicalCores}t`),
    row('RAM', (r) => gb(r.memory.totalBytes)),
    row('GPU', (r) => escapeHtml(gpuLine(r))),
    row('Free on data drive', (r) => `${gb(r.disk.freeBytes)} (${escapeHtml(r.disk.type)})`),
    row('Best backend', (r) => escapeHtml(r.backends.find((status) => status.available)?.name ?? 'none')),
    row('Matmul, best', (r) => num(Math.max(0, ...Object.values(r.benchmarks.matmulGflops).map((v) => v ?? 0)) || null, 1, 'GFLOP/s')),
    row('Memory bandwidth', (r) => num(r.benchmarks.memoryGBps, 1, 'GB/s')),
    row('Disk write', (r) => num(r.benchmarks.diskWriteMBps, 0, 'MB/s')),
    ...PILOT_KINDS.map((kind) =>
      row(PILOT_LABELS[kind], (r) => {
        const verdict = r.verdicts.find((candidate) => candidate.template === kind);
        if (!verdict) return '—';
        return `${levelBadge(verdict)}<br>${minutes(verdict.estimatedMinutes)}${best[kind] === r ? ' <b>← best</b>' : ''}`;
      }),
    ),
  ];
  const answer = PILOT_KINDS.map((kind) => `<li>${escapeHtml(PILOT_LABELS[kind])}: <b>${escapeHtml(bestMachineLabel(reports, kind))}</b></li>`).join('');
  return `<section><h1>Fleet comparison: ${reports.length} machines</h1><p>Which machine should run the pilot?</p><ul>${answer}</ul><table><tr><th></th>${head}</tr>${rows.join('\n')}</table></section>`;
}

/** The HTML report of one profile, or of several (fleet comparison first, then each machine). */
export function renderHardwareHtml(input: HardwareReport | HardwareReport[]): string {
  const reports = Array.isArray(input) ? input : [input];
  const title = reports.length === 1 ? `Hardware readiness — ${reports[0]?.hostname ?? ''}` : `Hardware readiness — fleet of ${reports.length}`;
  const body = reports.length > 1 ? `${fleetSection(reports)}\n${reports.map(machineSection).join('\n')}` : reports.map(machineSection).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
${body}
<footer class="muted"><p>Pilot Workbench hardware report, schema ${reports[0]?.schemaVersion ?? ''}. Estimates assume the typical pilot named in each row; the rules are in docs/hardware-rules.md.</p></footer>
</body></html>
`;
}
