/**
 * Batch scoring as a streaming pass: on a small file it writes exactly what the whole-file path
 * (`predictFile`, which holds every row) writes; on a 300,000-row file built by repeating that
 * small file, every output row is the small file's prediction for the same input row (so the pass
 * over a large file is checked row by row without holding it); progress arrives per batch; a
 * cancelled job leaves neither a half-written output nor a temporary file, and an existing file
 * it was asked to replace stays as it was.
 */
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictEngine, type PredictProgress } from '../../../workers/predict/index.js';
import { BATCH_ROWS } from '../../../workers/predict/tabular.js';
import { CancelledError, makeContext } from '../../../workers/protocol.js';
import { predictFile, trainInputSchema, trainModel } from '../../../workers/trainer/index.js';
import { Rng } from '../../../workers/trainer/random.js';

const REPEAT = 100;
let dir = '';
let small = '';
let big = '';
const models: Record<'binary' | 'regression', string> = { binary: '', regression: '' };

/** 3,000 rows with what real exports hold: quoted commas, a formula, blanks, non-ASCII text, a ragged row, a region the model never saw. */
function smallRows(): string {
  const rng = new Rng(11);
  const lines = ['amount,plan,region,note,spend,label'];
  for (let i = 0; i < 3000; i++) {
    const amount = i % 97 === 0 ? '' : (rng.next() * 100).toFixed(2);
    const plan = ['basic', 'plus', 'pro'][rng.int(3)]!;
    const region = i % 500 === 7 ? 'atlantis' : ['north', 'south', 'east'][rng.int(3)]!;
    const note = i === 3 ? '"=HYPERLINK(""http://evil.example"",""x"")"' : i % 50 === 0 ? '"Zoë, Orléans"' : `n${i}`;
    const spend = (Number(amount || 50) * 3 + rng.next() * 40 - (plan === 'basic' ? 30 : 0)).toFixed(3);
    const label = Number(amount || 50) + (plan === 'basic' ? 15 : 0) + rng.next() * 30 > 70 ? 'yes' : 'no';
    lines.push(i === 10 ? `${amount},${plan}` : `${amount},${plan},${region},${note},${spend},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'predict-stream-'));
  const text = smallRows();
  small = join(dir, 'small.csv');
  writeFileSync(small, text);
  const body = text.slice(text.indexOf('\n') + 1);
  big = join(dir, 'big.csv');
  writeFileSync(big, text.slice(0, text.indexOf('\n') + 1) + body.repeat(REPEAT));
  const train = join(dir, 'train.csv');
  writeFileSync(train, text.split('\n').slice(0, 801).join('\n') + '\n');
  for (const [task, target] of [['binary', 'label'], ['regression', 'spend']] as const) {
    const result = await trainModel(trainInputSchema.parse({ file: train, target, epochs: 2, exclude: ['note', task === 'binary' ? 'spend' : 'label'] }), makeContext({ dataDir: dir }));
    models[task] = result.artifactDir;
  }
}, 120_000);

async function* lines(path: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(path), crlfDelay: Infinity });
}

describe('streaming batch prediction', () => {
  for (const task of ['binary', 'regression'] as const) {
    it(`writes what the whole-file path writes (${task})${task === 'binary' ? ', and the same row by row on a 300,000-row file' : ''}`, async () => {
      const reference = join(dir, `reference-${task}.csv`);
      const held = await predictFile(models[task], small, reference);
      const streamed = join(dir, `streamed-${task}.csv`);
      const result = await predictEngine({ artifactDir: models[task], path: small, outPath: streamed }, makeContext({ dataDir: dir }));
      expect(readFileSync(streamed, 'utf8')).toBe(readFileSync(reference, 'utf8'));
      expect(result).toMatchObject({ kind: 'tabular', rows: held.rows, addedColumns: held.addedColumns, warnings: held.warnings, task: held.task });
      expect(result.rowsPerSecond).toBeGreaterThan(0);
      expect(held.warnings.some((w) => w.includes('"region": 6 row(s)'))).toBe(true);
      if (task === 'regression') return;

      const expected = readFileSync(reference, 'utf8').split('\n').slice(0, -1);
      const out = join(dir, `big-${task}.csv`);
      const reports: PredictProgress[] = [];
      const ctx = makeContext<PredictProgress>({ dataDir: dir });
      const original = ctx.progress;
      ctx.progress = (report) => {
        if (report.detail) reports.push(report.detail);
        original(report);
      };
      const large = await predictEngine({ artifactDir: models[task], path: big, outPath: out }, ctx);
      expect(large.rows).toBe(3000 * REPEAT);
      expect(large.warnings).toContain(`"region": ${6 * REPEAT} row(s) have a category the model did not learn in training (new or rare); they were treated as "other".`);
      expect(large.warnings).toContain(`${REPEAT} row(s) did not have 6 fields; they were padded with blanks or cut.`);
      let i = 0;
      let mismatches = 0;
      for await (const line of lines(out)) {
        const want = i === 0 ? expected[0] : expected[1 + ((i - 1) % 3000)];
        if (line !== want && mismatches++ < 3) expect(line, `output line ${i + 1}`).toBe(want);
        i++;
      }
      expect(mismatches).toBe(0);
      expect(i).toBe(1 + 3000 * REPEAT);
      // One report per batch, rows and bytes rising to the whole file.
      expect(reports.length).toBe(Math.ceil((3000 * REPEAT) / BATCH_ROWS));
      expect(reports.map((r) => r.rows)).toEqual([...reports.map((r) => r.rows)].sort((a, b) => a - b));
      expect(reports.at(-1)!.rows).toBe(3000 * REPEAT);
      expect(reports.at(-2)!.bytes).toBeGreaterThan(0);
      expect(ctx.reports.at(-1)).toMatchObject({ fraction: 1 });
    }, 60_000);
  }

  it('reads numbers in the model\u2019s format (decimal comma) as the whole-file path does', async () => {
    // The small file, semicolon-delimited with decimal commas; a few amounts that are not numbers.
    const lines = readFileSync(small, 'utf8').trim().split('\n');
    const german = lines.map((line, i) => {
      const cells = line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      if (i > 0) cells[0] = i % 301 === 0 ? 'n/a' : cells[0]!.replace('.', ',');
      return cells.join(';');
    });
    const file = join(dir, 'german.csv');
    writeFileSync(file, `${german.join('\n')}\n`);
    const train = join(dir, 'german-train.csv');
    writeFileSync(train, `${german.slice(0, 801).join('\n')}\n`);
    const trained = await trainModel(
      trainInputSchema.parse({ file: train, target: 'label', epochs: 1, exclude: ['note', 'spend'], numberFormats: [{ column: 'amount', decimal: ',', thousands: '', source: 'override', ambiguous: false, note: 'decimal comma' }] }),
      makeContext({ dataDir: dir }),
    );
    const reference = join(dir, 'german-reference.csv');
    const held = await predictFile(trained.artifactDir, file, reference);
    const streamed = join(dir, 'german-streamed.csv');
    const result = await predictEngine({ artifactDir: trained.artifactDir, path: file, outPath: streamed }, makeContext({ dataDir: dir }));
    expect(readFileSync(streamed, 'utf8')).toBe(readFileSync(reference, 'utf8'));
    expect(result.warnings).toEqual(held.warnings);
    expect(result.warnings.some((w) => w.startsWith('"amount": 9 value(s) are not numbers'))).toBe(true);
  }, 60_000);

  it('cancels within a batch and leaves no half-written output, and an existing file it would replace untouched', async () => {
    const cancelDir = mkdtempSync(join(tmpdir(), 'predict-cancel-'));
    for (const force of [false, true]) {
      const out = join(cancelDir, `out-${force}.csv`);
      if (force) writeFileSync(out, 'precious\n');
      const controller = new AbortController();
      const ctx = makeContext<PredictProgress>({ dataDir: cancelDir, signal: controller.signal });
      let batches = 0;
      ctx.progress = (report) => {
        if (report.detail && ++batches === 3) controller.abort();
      };
      await expect(predictEngine({ artifactDir: models.binary, path: big, outPath: out, force }, ctx)).rejects.toBeInstanceOf(CancelledError);
      expect(batches).toBe(3);
      if (force) expect(readFileSync(out, 'utf8')).toBe('precious\n');
      else expect(existsSync(out)).toBe(false);
    }
    expect(readdirSync(cancelDir).sort()).toEqual(['out-true.csv']);
  }, 60_000);

  it('refuses an existing output without --force before reading, and an input with a header only', async () => {
    const out = join(dir, 'taken.csv');
    writeFileSync(out, 'mine\n');
    await expect(predictEngine({ artifactDir: models.binary, path: small, outPath: out }, makeContext())).rejects.toThrow(/already exists\. Choose another output file, or pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, 'amount,plan,region,note,label\n');
    const none = join(dir, 'none.csv');
    await expect(predictEngine({ artifactDir: models.binary, path: empty, outPath: none }, makeContext())).rejects.toThrow(/has a header but no rows to predict/);
    expect(existsSync(none)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  }, 30_000);
});
