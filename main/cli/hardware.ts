/** `pilot hardware …`: profile and measure this machine, import other machines' profiles, compare the fleet. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { HardwareProfileRecord } from '../../db/hardware.js';
import { previousProfile } from '../../db/hardware.js';
import { verdictWords } from '../../common/verdict-words.js';
import { diffProfiles } from '../../workers/profiler/diff.js';
import { bestMachineLabel, bestMachinePerPilot, renderHardwareHtml } from '../../workers/profiler/html.js';
import { PILOT_KINDS, PILOT_LABELS, type HardwareReport } from '../../workers/profiler/types.js';
import { invoke } from '../api/index.js';
import { CliError, type CliContext, type Command, UsageError } from './command.js';
import { call } from './call.js';
import { bytes, table } from './format.js';
import { runJob } from './run-job.js';

const minutes = (value: number | null) => (value === null ? 'not measured' : value < 90 ? `${value < 10 ? value.toFixed(1) : Math.round(value)} min` : `${(value / 60).toFixed(1)} h`);
const gbOrUnknown = (value: number | null) => (value === null ? 'not detected' : bytes(value));

function describeReport(report: HardwareReport, ctx: CliContext): void {
  const gpu = report.gpus.length === 0 ? 'not detected' : report.gpus.map((g) => `${g.model} (${g.sharedMemory ? 'shared memory' : gbOrUnknown(g.vramBytes)}${g.cudaVersion ? `, driver ${g.driver}, CUDA ${g.cudaVersion}` : ''})`).join('; ');
  ctx.out(`${report.hostname} (machine ${report.machineId}), ${report.os.distro} ${report.os.release} ${report.os.arch}, Node ${report.os.node}`);
  ctx.out(`CPU     ${report.cpu.model}: ${report.cpu.physicalCores} cores / ${report.cpu.logicalCores} threads; ${report.cpu.flags.join(', ') || 'no SIMD flags reported'}`);
  ctx.out(`Memory  ${bytes(report.memory.totalBytes)} total, ${bytes(report.memory.availableBytes)} available`);
  ctx.out(`GPU     ${gpu}`);
  ctx.out(`Disk    ${report.disk.path}: ${report.disk.type}, ${gbOrUnknown(report.disk.freeBytes)} free (${report.disk.typeDetail})`);
  ctx.out('');
  ctx.out('Training stack');
  for (const status of report.backends) ctx.out(`  ${status.available ? '✓' : '✗'} ${status.name}: ${status.reason}`);
  for (const problem of report.stack.problems) ctx.out(`  ! ${problem.message}\n    → ${problem.fix}`);
  const bench = report.benchmarks;
  if (bench.mode !== 'none') {
    ctx.out('');
    ctx.out(`Measured (${bench.mode}, ${bench.seconds.toFixed(1)} s)`);
    const best = Math.max(0, ...Object.values(bench.matmulGflops).map((v) => v ?? 0));
    const rows: (string | number | null)[][] = [
      ...Object.entries(bench.matmulGflops).map(([name, gflops]) => [`matmul on ${name}`, `${(gflops ?? 0).toFixed(2)} GFLOP/s`, best ? `${Math.round(((gflops ?? 0) / best) * 100)}% of the best backend here` : '']),
      ['memory bandwidth', bench.memoryGBps === null ? '—' : `${bench.memoryGBps.toFixed(1)} GB/s`, 'array copy, read + write'],
      ['disk write', bench.diskWriteMBps === null ? '—' : `${bench.diskWriteMBps.toFixed(0)} MB/s`, bench.diskSkipped ?? 'sequential, synced, data drive'],
      ['disk read', bench.diskReadMBps === null ? '—' : `${bench.diskReadMBps.toFixed(0)} MB/s`, bench.diskSkipped ?? (bench.diskReadUncached ? 'sequential, bypassing the OS cache' : 'right after writing: may be cached')],
      ...bench.train.map((point) => [`train ${point.template}`, `${point.samplesPerSec.toFixed(0)} ${point.unit}/s`, `on ${point.backend}${point.note ? `: ${point.note}` : ''}`]),
    ];
    ctx.out(table(['WHAT', 'MEASURED', 'MEANING'], rows));
  }
  ctx.out('');
  ctx.out(
    table(
      ['PILOT', 'VERDICT', 'BACKEND', 'TRAINING', 'LARGEST THAT FITS'],
      report.verdicts.map((v) => [PILOT_LABELS[v.template], `${v.level} · ${verdictWords(v)}`, v.backend ?? 'none', minutes(v.estimatedMinutes), v.largestPilot]),
    ),
  );
  for (const verdict of report.verdicts.filter((v) => v.level !== 'green')) ctx.out(`  ${verdict.template}: ${verdict.reasons.join(' ')}`);
  if (report.recommendations.length > 0) {
    ctx.out('');
    ctx.out('Recommendations, most effective first');
    report.recommendations.forEach((rec, i) => ctx.out(`  ${i + 1}. ${rec.text}`));
  }
  for (const note of report.notes) ctx.err(`note: ${note}`);
}

async function writeHtml(ctx: CliContext, reports: HardwareReport[]): Promise<void> {
  const file = ctx.flags['html'];
  if (typeof file !== 'string') return;
  const path = resolve(file);
  await writeFile(path, renderHardwareHtml(reports.length === 1 ? reports[0]! : reports));
  ctx.err(`HTML report written to ${path}`);
}

/** Profile ids from numbers, importing any file arguments first. */
async function resolveProfiles(ctx: CliContext): Promise<HardwareProfileRecord[]> {
  if (ctx.args.length === 0) return call(invoke(ctx.app(), 'hardware:fleet', {}));
  const records: HardwareProfileRecord[] = [];
  for (const arg of ctx.args) {
    let id: number;
    if (/^\d+$/u.test(arg)) {
      id = Number(arg);
    } else {
      const imported = await call(invoke(ctx.app(), 'hardware:import', { path: arg }));
      id = imported.profile.id;
    }
    records.push(await call(invoke(ctx.app(), 'hardware:get', { id })));
  }
  return records;
}

export const hardwareCommands: Command[] = [
  {
    name: 'hardware import',
    usage: 'FILE… [--json]',
    summary: 'Import hardware profiles exported on other machines (pilot hardware --json > host.json there).',
    args: { min: 1, max: 100 },
    async run(ctx) {
      const results = [];
      for (const path of ctx.args) results.push(await call(invoke(ctx.app(), 'hardware:import', { path })));
      if (ctx.json) return ctx.out(JSON.stringify(results, null, 2));
      for (const { profile, created } of results) {
        ctx.out(`${created ? 'Imported' : 'Already imported'} ${profile.hostname} (machine ${profile.machineId}), profiled ${new Date(profile.createdAt).toISOString()}: profile ${profile.id}`);
      }
    },
  },
  {
    name: 'hardware compare',
    usage: '[IDS|FILES…] [--json] [--html FILE]',
    summary: 'Compare machines side by side (default: the newest profile of every machine); files are imported first.',
    options: { html: { type: 'string' } },
    args: { min: 0, max: 100 },
    async run(ctx) {
      const records = await resolveProfiles(ctx);
      if (records.length === 0) throw new CliError('No hardware profiles yet. Run pilot hardware, or import profiles with pilot hardware import FILE.');
      const reports = records.map((record) => record.report);
      const best = bestMachinePerPilot(reports);
      const changes = records.length === 2 ? diffProfiles(reports[0]!, reports[1]!) : null;
      await writeHtml(ctx, reports);
      if (ctx.json) {
        return ctx.out(
          JSON.stringify(
            {
              machines: records.map((r) => ({
                profileId: r.id,
                hostname: r.hostname,
                machineId: r.machineId,
                createdAt: r.report.createdAt,
                source: r.source,
                verdicts: r.report.verdicts.map((v) => ({ template: v.template, level: v.level, estimatedMinutes: v.estimatedMinutes })),
              })),
              bestPerPilot: Object.fromEntries(PILOT_KINDS.map((kind) => [kind, best[kind]?.hostname ?? null])),
              changes,
            },
            null,
            2,
          ),
        );
      }
      ctx.out(
        table(
          ['ID', 'HOST', 'CPU', 'RAM', 'GPU', 'FREE DISK', ...PILOT_KINDS.map((kind) => kind.toUpperCase())],
          records.map((r) => [
            r.id,
            r.hostname,
            `${r.report.cpu.model} (${r.report.cpu.logicalCores}t)`,
            bytes(r.report.memory.totalBytes),
            r.report.gpus.map((g) => g.model).join(', ') || 'none',
            gbOrUnknown(r.report.disk.freeBytes),
            ...PILOT_KINDS.map((kind) => {
              const verdict = r.report.verdicts.find((v) => v.template === kind);
              return verdict ? `${verdict.level} ${minutes(verdict.estimatedMinutes)}` : '—';
            }),
          ]),
        ),
      );
      ctx.out('');
      ctx.out('Which machine should run the pilot');
      for (const kind of PILOT_KINDS) ctx.out(`  ${PILOT_LABELS[kind]}: ${bestMachineLabel(reports, kind)}`);
      if (changes) {
        ctx.out('');
        ctx.out(changes.length === 0 ? 'No differences worth noting.' : `Changes from ${records[0]!.id} to ${records[1]!.id}`);
        for (const change of changes) ctx.out(`  ${change.summary}`);
      }
    },
  },
  {
    name: 'hardware history',
    usage: '[--json]',
    summary: 'List stored hardware profiles (this machine and imported ones).',
    args: { min: 0, max: 0 },
    async run(ctx) {
      const profiles = await call(invoke(ctx.app(), 'hardware:list', {}));
      if (ctx.json) return ctx.out(JSON.stringify(profiles, null, 2));
      if (profiles.length === 0) return ctx.out('No hardware profiles yet. Run: pilot hardware');
      ctx.out(
        table(
          ['ID', 'HOST', 'MACHINE', 'SOURCE', 'BENCH', 'PROFILED', ...PILOT_KINDS.map((kind) => kind.toUpperCase())],
          profiles.map((p) => [p.id, p.hostname, p.machineId, p.source, p.mode, new Date(p.createdAt).toISOString().slice(0, 16).replace('T', ' '), ...PILOT_KINDS.map((kind) => p.levels[kind] ?? '—')]),
        ),
      );
    },
  },
  {
    name: 'hardware',
    usage: '[--quick|--full|--no-bench] [--json] [--html FILE]',
    summary: 'Profile this machine, check its training stack, measure it (quick by default) and judge each kind of pilot.',
    options: { quick: { type: 'boolean' }, full: { type: 'boolean' }, 'no-bench': { type: 'boolean' }, html: { type: 'string' } },
    args: { min: 0, max: 0 },
    async run(ctx) {
      const chosen = (['quick', 'full', 'no-bench'] as const).filter((flag) => ctx.flags[flag] === true);
      if (chosen.length > 1) throw new UsageError(`choose one of --quick, --full, --no-bench (got ${chosen.map((flag) => `--${flag}`).join(' ')})`);
      const mode = chosen[0] === 'full' ? 'full' : chosen[0] === 'no-bench' ? 'none' : 'quick';
      const job = await call(invoke(ctx.app(), 'hardware:profile', { mode }));
      const final = await runJob(ctx, job);
      const outcome = final.result;
      const { profileId, ...report } = outcome;
      await writeHtml(ctx, [report]);
      if (ctx.json) return ctx.out(JSON.stringify(report, null, 2));
      describeReport(report, ctx);
      const before = previousProfile(ctx.app().store.read, { id: profileId, machineId: report.machineId, createdAt: Date.parse(report.createdAt) });
      if (before) {
        const changes = diffProfiles(before.report, report);
        ctx.out('');
        ctx.out(changes.length === 0 ? `No changes since profile ${before.id}.` : `Changes since profile ${before.id}`);
        for (const change of changes) ctx.out(`  ${change.summary}`);
      }
      ctx.out('');
      ctx.out(`Stored as hardware profile ${profileId}.`);
    },
  },
];
