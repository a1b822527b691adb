/** `pilot train --kind text` and `pilot predict` with a text version, as real processes: JSON shape, the stored version, bad input. */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import type { TextTrainOutcome } from '../../main/contract/text.js';
import { databasePath } from '../../main/paths.js';
import { fixture, pilot, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const dataDir = join(dir, 'home');

describe('pilot train --kind text', () => {
  it('trains on a folder of .eml class subfolders, registers the version, predicts a folder, and a bundle of it predicts the same elsewhere', () => {
    const run = pilot(['train', fixture('text/spamassassin-eml'), '--kind', 'text', '--epochs', '3', '--seed', '3', '--json'], { dataDir });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as TextTrainOutcome;
    expect(result).toMatchObject({ kind: 'text', version: 1, task: 'binary', classes: ['ham', 'spam'], summary: { metric: 'accuracy' } });
    expect(result.rows.train + result.rows.validation + result.rows.test).toBe(80);
    expect(run.stderr).toMatch(/epoch 3 {2}loss [\d.]+ {2}val_loss [\d.]+ {2}val_accuracy [\d.]+ {2}[\d,]+ documents\/s/);
    const db = new Database(databasePath(dataDir), { readonly: true });
    const rows = db.prepare('SELECT id, kind, task, target, artifact_dir FROM model_versions').all() as Array<{ id: number; kind: string; task: string; target: string; artifact_dir: string }>;
    const kinds = db.prepare('SELECT (SELECT kind FROM runs) AS run, (SELECT kind FROM projects) AS project').get() as { run: string; project: string };
    db.close();
    expect(rows).toEqual([{ id: result.modelVersionId, kind: 'text', task: 'binary', target: 'label', artifact_dir: result.artifactDir }]);
    expect(kinds).toEqual({ run: 'text', project: 'text' });

    const out = join(dir, 'predictions.csv');
    const predicted = pilot(['predict', String(result.modelVersionId), fixture('text/spamassassin-eml'), '--out', out, '--json'], { dataDir });
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('file,prediction,probability_ham,probability_spam');
    expect(lines).toHaveLength(81);
    const right = lines.slice(1).filter((line) => line.split('/')[0] === line.split(',')[1]).length;
    expect(right / 80).toBeGreaterThan(0.7);

    // A bundle carries the text version to another workbench, which predicts the same.
    const bundle = join(dir, 'text-bundle');
    expect(pilot(['models', 'export', String(result.modelVersionId), bundle, '--format', 'bundle'], { dataDir }).code).toBe(0);
    const other = join(dir, 'home-imported');
    const imported = pilot(['models', 'import', bundle, '--json'], { dataDir: other });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ kind: 'text', task: 'binary', stage: 'candidate' });
    const again = join(dir, 'predictions-imported.csv');
    expect(pilot(['predict', '1', fixture('text/spamassassin-eml'), '--out', again], { dataDir: other }).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(out, 'utf8'));
  }, 120_000);

  it('refuses a CSV without --text/--target, and a one-class folder, each with one line that says what to do', () => {
    const missing = pilot(['train', fixture('text/spamassassin.csv'), '--kind', 'text'], { dataDir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --text COLUMN .* and --target COLUMN/);
    const one = join(dir, 'one-class');
    mkdirSync(join(one, 'only'), { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(one, 'only', `${i}.txt`), `document number ${i} about printers`);
    const single = pilot(['train', one, '--kind', 'text'], { dataDir });
    expect(single.code).toBe(1);
    expect(single.stderr).toMatch(/Every document has the same label \("only"\).*Add documents of at least one other class/);
  }, 60_000);

  it.each([
    ['an all-empty text column', 'text,label\n,a\n"",b\n  ,a\n,b\n', /empty in all 4 rows/],
    ['a text column that is really numbers', 'text,label\n12.5,a\n13,b\n"1,200",a\n7,b\n', /holds numbers, not text/],
  ])('refuses %s with one last line that says what to do, leaving the file as it was and no version behind', (name, csv, message) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.csv`);
    writeFileSync(path, csv);
    const home = join(dir, `home-${name.replace(/\W+/g, '-')}`);
    const run = pilot(['train', path, '--kind', 'text', '--text', 'text', '--target', 'label'], { dataDir: home });
    expect(run.code).toBe(1);
    // Progress lines, then the refusal as the last line.
    expect(run.stderr.trim().split('\n').pop()).toMatch(new RegExp(`^pilot train: .*${message.source}`));
    expect(readFileSync(path, 'utf8')).toBe(csv);
    const db = new Database(databasePath(home), { readonly: true });
    const versions = db.prepare('SELECT COUNT(*) AS n FROM model_versions').get() as { n: number };
    db.close();
    expect(versions.n).toBe(0);
  }, 60_000);

  it('evaluates a text version on a labelled CSV with the same figures as its own predictions give', () => {
    const home = join(dir, 'home-evaluate');
    const csv = fixture('text/spamassassin.csv');
    const run = pilot(['train', csv, '--kind', 'text', '--text', 'text', '--target', 'label', '--epochs', '2', '--seed', '5', '--json'], { dataDir: home });
    expect(run.code, run.stderr).toBe(0);
    const trained = JSON.parse(run.stdout) as TextTrainOutcome;
    const evaluated = pilot(['evaluate', String(trained.modelVersionId), csv, '--json'], { dataDir: home });
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const result = JSON.parse(evaluated.stdout) as { task: string; target: string; rows: { total: number; scored: number }; metrics: { accuracy: number }; differences: Array<{ metric: string; recorded: number }>; columns: { extra: string[] } };
    expect(result).toMatchObject({ task: 'binary', target: 'label', rows: { total: 500, scored: 500 } });
    expect(result.columns.extra.sort()).toEqual(['group', 'id']);
    expect(result.differences[0]).toMatchObject({ metric: 'accuracy', recorded: trained.summary.network });
    // Independently: accuracy from the predictions pilot predict writes for the same file.
    const out = join(dir, 'evaluate-predictions.csv');
    expect(pilot(['predict', String(trained.modelVersionId), csv, '--out', out], { dataDir: home }).code).toBe(0);
    const rows = parse(readFileSync(out), { columns: true }) as Array<Record<string, string>>;
    const right = rows.filter((r) => r.prediction === r.label).length;
    expect(result.metrics.accuracy).toBeCloseTo(right / rows.length, 10);

    // Drift of the training file itself against the text version: every check judged, none shifted.
    const drift = pilot(['drift', String(trained.modelVersionId), csv, '--json'], { dataDir: home });
    expect(drift.code, drift.stderr).toBe(0);
    const report = JSON.parse(drift.stdout) as { columns: Array<{ name: string; status: string; drifted: boolean }>; predictionDrift: { status: string }; summary: string };
    expect(report.columns.map((c) => [c.name, c.status])).toEqual([['vocabulary', 'judged'], ['words per document', 'judged'], ['unseen words per document', 'judged']]);
    expect(report.columns.filter((c) => c.drifted)).toEqual([]);
    expect(report.predictionDrift.status).toBe('judged');
    expect(report.summary).toMatch(/^None of 3 inputs shifted/);
  }, 120_000);
});
