/**
 * Windows owner identity (main/jobs/liveness.ts): a PID plus the process's creation time, read
 * from PowerShell or, failing that, wmic. This machine is Linux, so the two tools' output is
 * injected here exactly as they print it; what cannot be tested here is that PowerShell and wmic
 * really print these shapes on a given Windows version (and that execution policy lets
 * `powershell -Command` run), which the fallback to wmic and then to the PID alone covers.
 * Expected milliseconds computed with Python's datetime:
 *   datetime(2026,12,2,5,50,36,123456,tzinfo=timezone.utc).timestamp()*1000 → 1796190636123
 *   datetime(2019,3,31,1,59,59,999000,tzinfo=timezone(timedelta(minutes=-300))).timestamp()*1000 → 1554015599999
 */
import { describe, expect, it } from 'vitest';
import { parseIsoUtc, parseWmicDate, type RunCommand, windowsProcessStart } from '../../main/jobs/liveness.js';

function runner(answers: { powershell?: string | Error; wmic?: string | Error }): { run: RunCommand; calls: string[][] } {
  const calls: string[][] = [];
  const run: RunCommand = (file, args) => {
    calls.push([file, ...args]);
    const answer = file === 'powershell.exe' ? answers.powershell : answers.wmic;
    if (answer === undefined) throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' });
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { run, calls };
}

describe('Windows process start identity', () => {
  it('reads PowerShell StartTime (ISO 8601, 7 fraction digits) as ms since 1970 UTC', () => {
    const { run, calls } = runner({ powershell: '2026-12-02T05:50:36.1234567Z\r\n' });
    expect(windowsProcessStart(4242, run)).toBe('win:1796190636123');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.join(' ')).toContain('Get-Process -Id 4242 -ErrorAction Stop');
  });

  it('falls back to wmic CreationDate (local time with a minute offset) and reads the same instant', () => {
    // 06:50:36.123456 at UTC+60 minutes is 05:50:36.123456 UTC: the same process as above.
    const { run, calls } = runner({ powershell: new Error('powershell.exe is not recognized'), wmic: '\r\r\nCreationDate=20261202065036.123456+060\r\r\n\r\r\n' });
    expect(windowsProcessStart(4242, run)).toBe('win:1796190636123');
    expect(calls.map((call) => call[0])).toEqual(['powershell.exe', 'wmic']);
    expect(calls[1]).toContain('ProcessId=4242');
  });

  it('tells a reused PID from its first owner by the creation time', () => {
    const first = windowsProcessStart(77, runner({ powershell: '2026-12-02T05:50:36.1234567Z' }).run);
    const reused = windowsProcessStart(77, runner({ powershell: '2026-12-02T05:50:37.0000000Z' }).run);
    expect(first).not.toBeNull();
    expect(reused).not.toBe(first);
  });

  it('answers null when neither tool answers or the output is not a date (the PID alone decides then)', () => {
    expect(windowsProcessStart(9, runner({}).run)).toBeNull();
    expect(windowsProcessStart(9, runner({ powershell: '', wmic: 'No Instance(s) Available.\r\n' }).run)).toBeNull();
    expect(windowsProcessStart(9, runner({ powershell: 'Get-Process : Cannot find a process with the process identifier 9.' }).run)).toBeNull();
    expect(windowsProcessStart(0, runner({ powershell: '2026-12-02T05:50:36Z' }).run)).toBeNull();
  });

  it('parses the two formats, negative offsets and whole seconds included', () => {
    expect(parseWmicDate('20190331015959.999000-300')).toBe(1554015599999);
    expect(parseIsoUtc('2019-03-31T06:59:59.999Z')).toBe(1554015599999);
    expect(parseIsoUtc('2026-12-02T05:50:36Z')).toBe(1796190636000);
    expect(parseIsoUtc('yesterday')).toBeNull();
    expect(parseWmicDate('2019033020595')).toBeNull();
  });
});
