/** The fleet ranking: a machine with no benchmark never outranks a benchmarked one (its level ignores time). */
import { describe, expect, it } from 'vitest';
import { bestMachine, type FleetVerdict } from '../../common/fleet.js';

const machine = (name: string, level: FleetVerdict['level'], estimatedMinutes: number | null) => ({ name, verdicts: [{ template: 'image', level, estimatedMinutes }] });
const pick = (...machines: ReturnType<typeof machine>[]) => bestMachine(machines, (m) => m.verdicts, 'image');

describe('bestMachine', () => {
  it('ranks a benchmarked machine above an unbenchmarked amber one, and names the latter to benchmark next only when its level is better', () => {
    // The case from the walk-through: box-b was never benchmarked (amber from its CPU backend alone),
    // ws-a was benchmarked at 300 minutes (red). Before, box-b won on level alone.
    const choice = pick(machine('box-b', 'amber', null), machine('ws-a', 'red', 300));
    expect(choice?.machine.name).toBe('ws-a');
    expect(choice?.measured).toBe(true);
    expect(choice?.benchmarkNext?.name).toBe('box-b');
    // Same level: the benchmarked one wins and nothing better is waiting to be measured.
    const same = pick(machine('box-b', 'amber', null), machine('ws-a', 'amber', 45));
    expect([same?.machine.name, same?.benchmarkNext]).toEqual(['ws-a', null]);
  });

  it('orders benchmarked machines by level then estimate; with none benchmarked, the best level wins, flagged as not measured', () => {
    expect(pick(machine('slow', 'amber', 120), machine('fast', 'amber', 40), machine('green', 'green', 20))?.machine.name).toBe('green');
    expect(pick(machine('slow', 'amber', 120), machine('fast', 'amber', 40))?.machine.name).toBe('fast');
    const unmeasured = pick(machine('a', 'amber', null), machine('b', 'green', null));
    expect([unmeasured?.machine.name, unmeasured?.measured]).toEqual(['b', false]);
    expect(bestMachine([{ verdicts: [] as FleetVerdict[] }], (m) => m.verdicts, 'image')).toBeNull();
  });
});
