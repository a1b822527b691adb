/** `pilot jobs --help` and `pilot models --help` list the group's commands (before: "unknown command"). */
import { afterAll, describe, expect, it } from 'vitest';
import { pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('help for a command group', () => {
  it('lists the commands of jobs and models, and still refuses an unknown word', () => {
    for (const [group, member] of [['jobs', 'jobs selftest'], ['models', 'models export']] as const) {
      const run = pilot([group, '--help'], { dataDir: dir });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`pilot ${member}`);
    }
    const unknown = pilot(['nosuch', '--help'], { dataDir: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "nosuch"/);
  });
});
