/** hardware_profiles queries: insert and dedupe, history order and filter, fleet, previous profile, the plans. */
import { describe, expect, it } from 'vitest';
import {
  deleteHardwareProfile,
  getHardwareProfile,
  insertHardwareProfile,
  latestProfilePerMachine,
  listHardwareProfiles,
  previousProfile,
} from '../../db/hardware.js';
import { openStore } from '../../db/store.js';
import type { HardwareReport } from '../../workers/profiler/types.js';
import { judge } from '../../workers/profiler/verdict.js';
import { baseReport } from '../workers/profiler/helpers.js';

function report(machineId: string, hostname: string, createdAt: string): HardwareReport {
  const base = { ...baseReport(), machineId, hostname, createdAt };
  return { ...base, ...judge(base) };
}

describe('hardware profile queries', () => {
  it('stores a report, returns it whole, and keeps one row per machine and time', () => {
    const store = openStore(':memory:');
    const r = report('m1', 'ws-1', '2026-01-01T00:00:00.000Z');
    const first = insertHardwareProfile(store.write, { report: r, source: 'local', jobId: null });
    expect(first.created).toBe(true);
    expect(first.record).toMatchObject({ machineId: 'm1', hostname: 'ws-1', source: 'local', mode: 'quick', schemaVersion: 1, createdAt: Date.parse(r.createdAt) });
    expect(first.record.levels).toEqual({ tabular: 'green', image: 'amber', text: 'green', anomaly: 'green', timeseries: 'green' });
    expect(getHardwareProfile(store.read, first.record.id)?.report).toEqual(r);
    const again = insertHardwareProfile(store.write, { report: r, source: 'imported', importedFrom: '/x.json' });
    expect(again).toMatchObject({ created: false, record: { id: first.record.id, source: 'local' } });
  });

  it('lists newest first, filters by machine, gives the fleet and the previous profile', () => {
    const store = openStore(':memory:');
    const a1 = insertHardwareProfile(store.write, { report: report('m1', 'ws-1', '2026-01-01T00:00:00.000Z'), source: 'local' }).record;
    const a2 = insertHardwareProfile(store.write, { report: report('m1', 'ws-1', '2026-02-01T00:00:00.000Z'), source: 'local' }).record;
    const b1 = insertHardwareProfile(store.write, { report: report('m2', 'alpha', '2026-01-15T00:00:00.000Z'), source: 'imported', importedFrom: 'alpha.json' }).record;
    expect(listHardwareProfiles(store.read).map((p) => p.id)).toEqual([a2.id, b1.id, a1.id]);
    expect(listHardwareProfiles(store.read, { machineId: 'm1' }).map((p) => p.id)).toEqual([a2.id, a1.id]);
    expect(listHardwareProfiles(store.read, { limit: 1 }).map((p) => p.id)).toEqual([a2.id]);
    expect(latestProfilePerMachine(store.read).map((p) => [p.hostname, p.id])).toEqual([
      ['alpha', b1.id],
      ['ws-1', a2.id],
    ]);
    expect(previousProfile(store.read, a2)?.id).toBe(a1.id);
    expect(previousProfile(store.read, a1)).toBeNull();
    expect(deleteHardwareProfile(store.write, a1.id)).toBe(true);
    expect(deleteHardwareProfile(store.write, a1.id)).toBe(false);
    expect(previousProfile(store.read, a2)).toBeNull();
  });

  it('uses the (machine_id, created_at) index for a machine history', () => {
    const store = openStore(':memory:');
    const plan = store.read
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM hardware_profiles WHERE machine_id = ? ORDER BY created_at DESC, id DESC LIMIT ?')
      .all('m1', 10) as { detail: string }[];
    expect(plan.map((row) => row.detail).join('\n')).toMatch(/USING INDEX hardware_profiles_by_machine/u);
  });
});
