/**
 * A text version checked after training, as real processes: `pilot evaluate VERSION FOLDER` on a
 * folder of class subfolders, and `pilot drift VERSION FILE|FOLDER`. Accuracies are checked
 * against the version's own predictions written by `pilot predict` (a different code path:
 * a CSV of predictions, compared here with the class folder of each file).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextTrainOutcome } from '../../main/contract/text.js';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');
let version = 0;

beforeAll(() => {
  const run = pilot(['train', fixture('text/spamassassin-eml'), '--kind', 'text', '--epochs', '3', '--seed', '3', '--json'], { dataDir });
  expect(run.code, run.stderr).toBe(0);
  version = (JSON.parse(run.stdout) as TextTrainOutcome).modelVersionId;
}, 180_000);

describe('pilot evaluate VERSION FOLDER (text)', () => {
  it('scores a folder of class subfolders with the accuracy its predictions give, and warns about a folder that is not a class', () => {
    const folder = join(dir, 'eval');
    cpSync(fixture('text/spamassassin-eml'), folder, { recursive: true });
    mkdirSync(join(folder, 'newsletters'));
    writeFileSync(join(folder, 'newsletters', 'a.txt'), 'weekly digest of the team news');
    const out = join(dir, 'eval-predictions.csv');
    expect(pilot(['predict', String(version), fixture('text/spamassassin-eml'), '--out', out], { dataDir }).code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
    const right = lines.filter((line) => line.split('/')[0] === line.split(',')[1]).length;

    const run = pilot(['evaluate', String(version), folder, '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as { rows: { total: number; scored: number; unknownLabel: number }; metrics: { accuracy: number }; warnings: string[]; evaluationId: number };
    expect(r.rows).toMatchObject({ total: 81, scored: 80, unknownLabel: 1 });
    expect(r.metrics.accuracy).toBeCloseTo(right / 80, 10);
    expect(r.warnings.join(' ')).toMatch(/1 document\(s\) are in a subfolder that is not a class the model learned \(e\.g\. "newsletters"; its classes: ham, spam\)/);
    expect(r.evaluationId).toBeGreaterThan(0);
  }, 120_000);

  it('scores a folder holding one class only', () => {
    const folder = join(dir, 'only-spam');
    cpSync(join(fixture('text/spamassassin-eml'), 'spam'), join(folder, 'spam'), { recursive: true });
    const run = pilot(['evaluate', String(version), folder, '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as { rows: { scored: number } };
    expect(r.rows.scored).toBe(40);
  }, 60_000);
});

describe('pilot drift VERSION FILE|FOLDER (text)', () => {
  it('finds no vocabulary or length shift in the training documents themselves', () => {
    const run = pilot(['drift', String(version), fixture('text/spamassassin-eml'), '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as { columns: Array<{ name: string; drifted: boolean; status: string }>; rows: { current: number }; text: { documents: { current: number } }; summary: string };
    expect(r.columns.map((c) => c.name)).toEqual(['vocabulary', 'words per document', 'unseen words per document']);
    expect(r.rows.current).toBe(80);
    expect(r.text.documents.current).toBe(80);
    expect(r.columns.find((c) => c.name === 'vocabulary')!.drifted).toBe(false);
    expect(r.columns.find((c) => c.name === 'words per document')!.drifted).toBe(false);
    // Every word of the training split is in the vocabulary: the unseen share can only fall.
    expect(r.columns.find((c) => c.name === 'unseen words per document')!.drifted).toBe(false);
    expect(r.summary).toMatch(/^None of 2 inputs shifted; .*no action needed\.$/);
  }, 120_000);

  it('flags a batch in other words (a CSV of printer tickets) as drifted, in plain words, and prints the table', () => {
    const lines = ['text,label'];
    const things = ['printer', 'scanner', 'laptop', 'badge reader', 'monitor', 'docking station'];
    const faults = ['jams on every page', 'will not power on', 'shows a blue screen', 'beeps all night', 'lost its network settings', 'needs a new toner cartridge'];
    for (let i = 0; i < 60; i++) lines.push(`"the ${things[i % 6]} on floor ${(i % 5) + 1} ${faults[(i * 5) % 6]}, please send someone before the audit",ham`);
    const path = join(dir, 'tickets.csv');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const run = pilot(['drift', String(version), path, '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as { columns: Array<{ name: string; drifted: boolean; status: string }>; recommendation: string; summary: string; performance: { rows: number } | null; text: { unseenShare: { current: number; test: number } } };
    expect(r.columns.find((c) => c.name === 'vocabulary')!.drifted).toBe(true);
    expect(r.columns.find((c) => c.name === 'words per document')!.drifted).toBe(true);
    // The fixture's test split has 12 documents: too few (under 30) to judge unseen words or predictions against.
    expect(r.columns.find((c) => c.name === 'unseen words per document')!.status).toBe('insufficient-data');
    expect(r.recommendation).toBe('retrain');
    expect(r.summary).toMatch(/^2 of 2 inputs shifted, the largest in .*; 1 input has too few values to judge; .*retrain recommended\.$/);
    expect(r.performance?.rows).toBe(60);

    const plain = pilot(['drift', String(version), path], { dataDir });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/vocabulary +jensen-shannon/);
    expect(plain.stdout).toMatch(/Unseen words: \d+\.\d % of the new documents' words/);
  }, 120_000);
});
