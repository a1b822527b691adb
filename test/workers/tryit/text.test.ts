/**
 * Trying a text version (`tryit.text`): a model trained for real on the SpamAssassin fixture with
 * personal data masked; documents scored through the try-it engine get exactly `pilot predict`'s
 * classes and probabilities (the predictor run on the same CSV), typed personal data is masked as in
 * training, the highlighted words' effects are what the saved network gives when the word is
 * really taken out of the text, the version's threshold decides both, and bad input is refused
 * with the user's own file names.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { makeContext } from '../../../workers/protocol.js';
import { loadBestBackend } from '../../../workers/tfjs/backend.js';
import { loadTextArtifact } from '../../../workers/text/artifact.js';
import { textInputSchema, trainText } from '../../../workers/text/index.js';
import { predictTexts, scoreTexts } from '../../../workers/text/predict.js';
import { tryitTextEngine, tryitTextInputSchema, type TryitTextResult } from '../../../workers/tryit/text.js';

const CSV = 'test/fixtures/text/spamassassin.csv';
const dir = mkdtempSync(join(tmpdir(), 'tryit-text-'));
let artifactDir = '';
let outs = 0;

const tryText = (raw: Record<string, unknown>): Promise<TryitTextResult> =>
  tryitTextEngine(tryitTextInputSchema.parse({ artifactDir, outPath: join(dir, `out-${++outs}.csv`), ...raw }), makeContext({ dataDir: dir }));

beforeAll(async () => {
  const result = await trainText(textInputSchema.parse({ path: CSV, textColumn: 'text', target: 'label', maskPii: true, backend: 'wasm', seed: 3, epochs: 3, runId: 'spam' }), makeContext({ dataDir: dir }));
  artifactDir = result.artifactDir;
}, 240_000);

describe('tryit.text', () => {
  it('gives pilot predict’s class and probabilities for every document of a CSV, with highlights for the first ones', async () => {
    const records = parse(readFileSync(CSV, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    const sample = records.filter((_, i) => i % 17 === 0).slice(0, 25);
    const file = join(dir, 'new-mail.csv');
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    writeFileSync(file, `id,text\n${sample.map((r) => `${quote(r.id!)},${quote(r.text!)}`).join('\n')}\n`);

    const predicted = join(dir, 'predicted.csv');
    await predictTexts(artifactDir, file, predicted);
    const result = await tryText({ files: [{ path: file, name: 'new-mail.csv' }], explainDocuments: 5 });
    expect(result.totalDocuments).toBe(25);
    const tried = readFileSync(result.outPath, 'utf8');
    const expected = readFileSync(predicted, 'utf8');
    // Same header plus top_words, and each row of pilot predict's file is the start of the try-it row.
    const triedRows = parse(tried) as string[][];
    const expectedRows = parse(expected) as string[][];
    expect(triedRows[0]).toEqual([...expectedRows[0]!, 'top_words']);
    expect(triedRows.length).toBe(expectedRows.length);
    triedRows.forEach((row, i) => expect(row.slice(0, -1)).toEqual(expectedRows[i]));
    expect(result.documents.map((d) => d.predicted)).toEqual(expectedRows.slice(1).map((r) => r[2]));
    expect(result.documents.slice(0, 5).every((d) => d.words !== null && d.words.length > 0)).toBe(true);
    expect(result.documents[5]!.words).toBeNull();
    expect(result.warnings.join(' ')).toMatch(/first 5 of 25/);
  }, 120_000);

  it('masks typed personal data as the version was trained, and each highlighted word’s effect is the saved network’s change without it', async () => {
    const text = 'URGENT: you have won a free prize. Click now to claim your cash, reply to win.smith@prize-mail.com or call +44 20 7946 0958 today';
    const result = await tryText({ texts: [text] });
    const doc = result.documents[0]!;
    expect(result.maskPii).toBe(true);
    expect(doc.text).toContain('[EMAIL]');
    expect(doc.text).toContain('[PHONE]');
    expect(doc.text).not.toContain('win.smith@prize-mail.com');
    expect(doc.personalData).toEqual({ email: 1, phone: 1 });

    // The same text (unmasked) through pilot predict: same class and probabilities.
    const file = join(dir, 'typed.csv');
    writeFileSync(file, `text\n"${text}"\n`);
    await predictTexts(artifactDir, file, join(dir, 'typed-predicted.csv'));
    const [, row] = parse(readFileSync(join(dir, 'typed-predicted.csv'), 'utf8')) as string[][];
    expect(doc.predicted).toBe(row![1]);
    expect(doc.probabilities.spam!.toFixed(6)).toBe(row![3]);

    // Independently: take the word out of the (masked) text and score it with the saved tfjs model.
    const { tf } = await loadBestBackend();
    const { model, pipeline } = await loadTextArtifact(tf, artifactDir);
    const k = pipeline.classes.indexOf(doc.predicted);
    const base = (await scoreTexts(tf, model, pipeline, [doc.text]))[k]!;
    expect(doc.words!.length).toBeGreaterThan(3);
    let checked = 0;
    for (const { word, effect } of doc.words!.slice(0, 4)) {
      if (word.startsWith('<')) continue;
      checked++;
      const without = doc.text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${word}(?![\\p{L}\\p{N}])`, 'giu'), ' ');
      const p = (await scoreTexts(tf, model, pipeline, [without]))[k]!;
      expect(Math.abs(effect - (base - p))).toBeLessThan(1e-4);
    }
    expect(checked).toBeGreaterThan(1);
    model.dispose();
  }, 60_000);

  it('decides at the version’s threshold, as pilot predict does with it', async () => {
    const texts = ['Meeting moved to Thursday, see the agenda attached.', 'Cheap meds online, best prices, order now!', 'Your account statement is ready'];
    const loose = await tryText({ texts });
    // A threshold between two documents' chances of spam: the one below it changes class.
    const chances = loose.documents.map((d) => d.probabilities.spam!).sort((a, b) => b - a);
    const threshold = Number(((chances[0]! + chances[1]!) / 2).toFixed(4));
    const strict = await tryText({ texts, threshold });
    expect(strict.threshold).toBe(threshold);
    expect(strict.documents.filter((d, i) => d.predicted !== loose.documents[i]!.predicted)).toHaveLength(1);
    strict.documents.forEach((d, i) => {
      expect(d.probabilities).toEqual(loose.documents[i]!.probabilities);
      expect(d.predicted).toBe(d.probabilities.spam! >= threshold ? 'spam' : 'ham');
    });
    const file = join(dir, 'three.csv');
    writeFileSync(file, `text\n${texts.map((t) => `"${t}"`).join('\n')}\n`);
    await predictTexts(artifactDir, file, join(dir, 'three-strict.csv'), { threshold });
    const rows = (parse(readFileSync(join(dir, 'three-strict.csv'), 'utf8')) as string[][]).slice(1);
    expect(strict.documents.map((d) => d.predicted)).toEqual(rows.map((r) => r[1]));
  }, 60_000);

  it('refuses empty text, binary files, a CSV without the text column and mixed files, naming the user’s files', async () => {
    await expect(tryText({ texts: ['   \n '] })).rejects.toThrow(/The text is empty/);
    const junk = join(dir, 'upload-7f3a');
    writeFileSync(junk, Buffer.from([0, 1, 2, 0, 255, 254, 0, 0, 3]));
    await expect(tryText({ files: [{ path: junk, name: 'scan.txt' }] })).rejects.toThrow(/scan\.txt looks like a binary file/);
    await expect(tryText({ files: [{ path: junk, name: 'photo.png' }] })).rejects.toThrow(/photo\.png is not a document this model reads/);
    const noColumn = join(dir, 'stored-9c1e.csv');
    writeFileSync(noColumn, 'subject,body\nhello,world\n');
    const refused = tryText({ files: [{ path: noColumn, name: 'tickets.csv' }] });
    await expect(refused).rejects.toThrow(/tickets\.csv has no column "text"/);
    await expect(refused).rejects.not.toThrow(/stored-9c1e/);
    const note = join(dir, 'note.txt');
    writeFileSync(note, 'Hello there');
    await expect(tryText({ files: [{ path: noColumn, name: 'tickets.csv' }, { path: note, name: 'note.txt' }] })).rejects.toThrow(/one CSV of documents, or document files/);
    const one = await tryText({ files: [{ path: note, name: 'note.txt' }] });
    expect(one.documents[0]!.source).toBe('note.txt');
    expect((parse(readFileSync(one.outPath, 'utf8')) as string[][])[1]![0]).toBe('note.txt');
  }, 60_000);
});
