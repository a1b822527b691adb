/** `pilot train --search SECONDS`: the trial table in the JSON and in the human output, and bad budgets refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { TrainOutcome } from '../../main/contract/index.js';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');
const iris = fixture('iris.csv');
let json: TrainOutcome;
let run: { code: number | null; stdout: string; stderr: string };

beforeAll(() => {
  run = pilot(['train', iris, '--target', 'species', '--epochs', '20', '--seed', '1', '--search', '8', '--json'], { dataDir });
  json = JSON.parse(run.code === 0 ? run.stdout : '{}') as TrainOutcome;
});

describe('pilot train --search', () => {
  it('reports every trial and trains the chosen settings as the network', () => {
    expect(run.code, run.stderr).toBe(0);
    const search = json.search!;
    expect(search).toMatchObject({ budgetSeconds: 8, metric: 'accuracy', chosenTrial: expect.any(Number), reason: expect.any(String) });
    expect(search.trials.length).toBeGreaterThan(0);
    expect(search.trials.length).toBeLessThanOrEqual(27);
    for (const t of search.trials) {
      expect(t).toMatchObject({ trial: expect.any(Number), config: { hiddenLayers: expect.any(Array), learningRate: expect.any(Number), dropout: expect.any(Number), batchSize: expect.any(Number) }, epochs: expect.any(Number), valLoss: expect.any(Number), seconds: expect.any(Number), rung: expect.any(Number) });
      expect(['cut', 'completed', 'early-stop', 'budget']).toContain(t.stoppedAt);
      // Right answers on 24 validation rows: a multiple of 1/24.
      expect(Math.round(t.valMetric * 24) / 24).toBeCloseTo(t.valMetric, 10);
      expect(t.epochs).toBeLessThanOrEqual(20);
    }
    const best = search.trials.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    expect(search.chosenTrial).toBe(best.trial);
    expect(json.hyperparameters).toMatchObject(search.chosen);
    expect(json.hyperparameters.maxEpochs).toBe(20);
    // The search stops starting trials once the budget is spent: at most one step past it.
    expect(search.spentSeconds).toBeLessThanOrEqual(8 + Math.max(...search.trials.map((t) => t.seconds)) + 1);
  });

  it('prints the table with the chosen row marked in the human output', () => {
    const human = pilot(['train', iris, '--target', 'species', '--epochs', '20', '--seed', '1', '--search', '5', '--project', 'iris-human'], { dataDir });
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.split('\n');
    const head = lines.findIndex((l) => /^Settings search: \d+ trial\(s\) in \d+ s of a 5 s budget, judged on the validation rows only\.$/.test(l));
    expect(head).toBeGreaterThan(0);
    expect(lines[head + 1]).toMatch(/^ {2}trial +layers +learn rate +dropout +batch +epochs +val accuracy +val loss +seconds +outcome$/);
    const marked = lines.filter((l) => /^ {2}\*\d+ /.test(l));
    expect(marked).toHaveLength(1);
    expect(lines.slice(head + 2).some((l) => /^ {2}(The usual settings were best|Trial \d+ had the lowest validation loss)/.test(l))).toBe(true);
  });

  it('refuses a budget under 5 seconds or not a number, before anything is imported or trained', () => {
    const short = pilot(['train', iris, '--target', 'species', '--search', '2'], { dataDir });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--search takes a time budget of at least 5 seconds/);
    const text = pilot(['train', iris, '--target', 'species', '--search', 'soon'], { dataDir });
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/--search takes a whole number, got "soon"/);
  });
});
