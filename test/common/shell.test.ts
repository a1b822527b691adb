/**
 * Suggested commands survive a paste: each is split as a POSIX shell splits words (by `sh -c`
 * itself, printing its argv one per line with NUL separators), and must give back the arguments.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from '../../common/shell.js';

/** The argv a real shell gives `command` (after `pilot`), NUL-separated. */
function argvOf(command: string): string[] {
  const result = spawnSync('/bin/sh', ['-c', `set -f; pilot() { printf '%s\\0' "$@"; }; ${command}`], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\0').slice(0, -1);
}

describe('suggested commands', () => {
  const cases: string[][] = [
    ['predict', 'Diabetes screening@1', 'new.csv', '--out', 'scored.csv'],
    ['predict', "Bob's churn@2", '/data/My Files/march $2026.csv', '--out', 'a;b.csv'],
    ['models', 'promote', 'claims-fraud@3', '--reason', 'beats "today"\'s process'],
    ['roi', 'fraud', '--set', 'costPerError=120'],
    ['predict', '', '*.csv', '~/x', 'back\\slash', 'tab\there', 'line\nbreak'],
  ];
  it.each(cases)('a shell splits the suggestion back into the same arguments (%s …)', (...args: string[]) => {
    expect(argvOf(`pilot ${shellCommand(args)}`)).toEqual(args);
  });

  it('leaves plain arguments alone, so the usual commands read as typed', () => {
    expect(shellCommand(['pilot', 'predict', 'churn@3', 'new.csv', '--out', 'scored.csv'])).toBe('pilot predict churn@3 new.csv --out scored.csv');
    expect(shellQuote('Diabetes screening@1')).toBe("'Diabetes screening@1'");
  });
});
