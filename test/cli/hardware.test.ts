/** `pilot hardware` as a real process on this machine (no GPU), plus import, compare, history and errors. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');

describe('pilot hardware', () => {
  let exported: Record<string, unknown>;

  it('--no-bench --json prints the documented shape and says "not detected" for the missing GPU', () => {
    const run = pilot(['hardware', '--no-bench', '--json'], { dataDir });
    expect(run.code).toBe(0);
    exported = JSON.parse(run.stdout);
    expect(Object.keys(exported)).toEqual(
      expect.arrayContaining(['schemaVersion', 'machineId', 'hostname', 'createdAt', 'cpu', 'memory', 'gpus', 'disk', 'backends', 'benchmarks', 'verdicts']),
    );
    expect(exported['gpus']).toEqual([]);
    expect((exported['notes'] as string[]).join('\n')).toMatch(/GPU: not detected/u);
    expect((exported['benchmarks'] as { mode: string }).mode).toBe('none');
  });

  it('prints a readable report, stores it, and shows what changed since the last profile', () => {
    const html = join(dir, 'me.html');
    const run = pilot(['hardware', '--no-bench', '--html', html], { dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/GPU {5}not detected/u);
    // Image pilots train on wasm with the workbench's convolution kernels (registered before the stack check), as the trainer does.
    // Not benchmarked (--no-bench): no kind may read as ready, the badge says it is not known yet and what to do.
    expect(run.stdout).toMatch(/Image classification\s+amber · not known yet: run the quick benchmark \(≈ 20 s\)\s+wasm\s+not measured/u);
    expect(run.stdout).not.toMatch(/\bgreen · ready\b/u);
    expect(run.stdout).toMatch(/1\. Run the quick benchmark \(≈ 20 s\)/u);
    expect(run.stdout).toMatch(/(No changes since profile 1\.|Changes since profile 1)/u);
    expect(run.stdout).toMatch(/Stored as hardware profile 2\./u);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/u);
  });

  it('refuses two modes at once', () => {
    const run = pilot(['hardware', '--quick', '--full'], { dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/choose one of --quick, --full, --no-bench/u);
  });

  it('imports another machine once, and compares the fleet', () => {
    const other = { ...exported, machineId: '0123456789abcdef', hostname: 'gpu-lab', createdAt: '2026-01-01T00:00:00.000Z' };
    const file = join(dir, 'gpu-lab.json');
    writeFileSync(file, JSON.stringify(other));
    const first = pilot(['hardware', 'import', file], { dataDir });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Imported gpu-lab \(machine 0123456789abcdef\), profiled 2026-01-01T00:00:00\.000Z: profile 3/u);
    expect(pilot(['hardware', 'import', file], { dataDir }).stdout).toMatch(/^Already imported gpu-lab/u);

    const html = join(dir, 'fleet.html');
    const compare = pilot(['hardware', 'compare', '--json', '--html', html], { dataDir });
    expect(compare.code).toBe(0);
    const fleet = JSON.parse(compare.stdout);
    expect(fleet.machines.map((m: { hostname: string }) => m.hostname).sort()).toEqual(['gpu-lab', exported['hostname']].sort());
    expect(Object.keys(fleet.bestPerPilot)).toEqual(['tabular', 'image', 'text', 'anomaly', 'timeseries']);
    expect(existsSync(html) && readFileSync(html, 'utf8')).toMatch(/Fleet comparison: 2 machines/u);

    const history = JSON.parse(pilot(['hardware', 'history', '--json'], { dataDir }).stdout);
    expect(history.map((p: { id: number; source: string }) => [p.id, p.source])).toEqual([
      [2, 'local'],
      [1, 'local'],
      [3, 'imported'],
    ]);
  });

  it('compares two stored profiles and lists the changes', () => {
    const run = pilot(['hardware', 'compare', '1', '3', '--json'], { dataDir });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.changes.map((c: { field: string }) => c.field)).toContain('machineId');
  });

  it('refuses a file that is not a profile, and one from a newer version, with what to do', () => {
    const notProfile = join(dir, 'data.json');
    writeFileSync(notProfile, '{"rows": 1}');
    const bad = pilot(['hardware', 'import', notProfile], { dataDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/data\.json is not a hardware profile .*pilot hardware --json > host\.json/u);
    const newer = join(dir, 'newer.json');
    writeFileSync(newer, JSON.stringify({ ...exported, schemaVersion: 99 }));
    const future = pilot(['hardware', 'import', newer], { dataDir });
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/schema version 99, newer than this app understands \(1\); update Pilot Workbench/u);
  });
});
