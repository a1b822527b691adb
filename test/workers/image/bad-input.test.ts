/**
 * Issue #12's bad input for image pilots, made for real: a folder of 100,000 files (listing
 * progress, counts, bounded memory), files deleted while a run reads and trains on them, and a
 * folder mixing CMYK JPEG, 16-bit, transparent, grey and palette pictures trained end to end.
 */
import { copyFileSync, cpSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { LIST_PROGRESS_EVERY, listImages } from '../../../workers/image/files.js';
import { trainImages as engine } from '../../../workers/image/engine.js';
import { imageInputSchema, type ImageInputRaw } from '../../../workers/image/schema.js';
import { CancelledError, makeContext, type JobContext, type ProgressReport } from '../../../workers/protocol.js';
import { verifyArtifact } from '../../../workers/trainer/artifact.js';
import { loadImage, pixels } from '../../../workers/image/decode.js';

const trainImages = (raw: ImageInputRaw, ctx: JobContext) => engine(imageInputSchema.parse(raw), ctx);
const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');
const made: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** `count` training pictures of each class copied from the fixture into `dir/<class>/`. */
function copyClasses(dir: string, classes: string[], count: number): void {
  for (const cls of classes) {
    for (const f of readdirSync(join(fixture, 'train', cls))
      .sort()
      .slice(0, count))
      cpSync(join(fixture, 'train', cls, f), join(dir, cls, f));
  }
}

/** A context whose progress also goes to `onReport` (to act at a given moment of the run). */
function watching(dataDir: string, onReport: (report: ProgressReport) => void) {
  const ctx = makeContext({ dataDir });
  const push = ctx.progress.bind(ctx);
  ctx.progress = (report) => {
    push(report);
    onReport(report);
  };
  return ctx;
}

describe('a folder of 100,000 files', () => {
  const dir = temp('image-100k-');
  const perClass = 50_000;
  const notImages = 7;

  it('is listed with progress on the way, the right counts, in bounded memory; training samples it', async () => {
    // Hard links to the fixture's 60 pictures of each class (copied once into this folder, so the links stay on one file system).
    for (const cls of ['bag', 'trouser']) {
      const sources = readdirSync(join(fixture, 'train', cls)).sort();
      mkdirSync(join(dir, 'src', cls), { recursive: true });
      for (const f of sources) copyFileSync(join(fixture, 'train', cls, f), join(dir, 'src', cls, f));
      mkdirSync(join(dir, 'data', cls, 'more'), { recursive: true });
      for (let i = 0; i < perClass; i++) {
        // A nested folder holds the last 1,000 of each class, so the walk goes below a class folder too.
        const at = i >= perClass - 1000 ? join(dir, 'data', cls, 'more') : join(dir, 'data', cls);
        linkSync(join(dir, 'src', cls, sources[i % sources.length]!), join(at, `${String(i).padStart(5, '0')}.png`));
      }
    }
    for (let i = 0; i < notImages; i++) writeFileSync(join(dir, 'data', 'bag', `notes-${i}.txt`), 'not a picture');

    const looked: number[] = [];
    let heapPeak = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    const listing = await listImages(join(dir, 'data'), {
      onProgress: (n) => {
        looked.push(n);
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      },
    });
    // Files and the two "more" folders: 100,009 entries looked at, a report every LIST_PROGRESS_EVERY.
    const entries = 2 * perClass + notImages + 2;
    expect(looked).toEqual(Array.from({ length: Math.floor(entries / LIST_PROGRESS_EVERY) }, (_, i) => (i + 1) * LIST_PROGRESS_EVERY));
    expect(listing.entries).toHaveLength(2 * perClass);
    expect(listing.classes).toEqual(['bag', 'trouser']);
    expect(listing.entries.filter((e) => e.label === 'bag')).toHaveLength(perClass);
    expect(listing.entries.filter((e) => e.rel.startsWith('trouser/more/'))).toHaveLength(1000);
    expect(listing.skipped.map((s) => s.path).sort()).toEqual(Array.from({ length: notImages }, (_, i) => `bag/notes-${i}.txt`));
    expect(listing.emptyClasses).toEqual([]);
    // Names and sizes only: well under 1 kB a file while listing (100,000 files, ~30 MB measured).
    expect(Math.max(heapPeak, process.memoryUsage().heapUsed) - heapBefore).toBeLessThan(100 * 2 ** 20);

    // Training on it: the run shows the listing's progress before reading pictures, and samples the 100,000 to maxImages.
    const ctx = makeContext({ dataDir: temp('image-100k-data-') });
    const result = await trainImages({ source: join(dir, 'data'), epochs: 1, imageSize: 28, backend: 'wasm', threads: 1, maxImages: 200 }, ctx);
    const stages = ctx.reports.map((r) => r.stage);
    const listingStages = stages.filter((s) => s.startsWith('Listing pictures ('));
    expect(listingStages).toHaveLength(Math.floor(entries / LIST_PROGRESS_EVERY));
    expect(listingStages.at(-1)).toBe('Listing pictures (100,000 files looked at)');
    expect(stages.indexOf(listingStages.at(-1)!)).toBeLessThan(stages.findIndex((s) => s.startsWith('Reading pictures')));
    expect(result.warnings).toContain(`${2 * perClass} pictures listed; a stratified sample of 200 was used (maxImages) to bound memory.`);
    expect(result.dataset.images).toBe(200);
    expect(result.rows.train + result.rows.validation + result.rows.test).toBe(200);
    expect(result.dataset.skipped).toBe(notImages);
    expect(result.classes).toEqual(['bag', 'trouser']);
  }, 180_000);
});

describe('a file that disappears during the run', () => {
  it('while the folder is listed: skipped as gone (not as a broken link), the listing goes on', async () => {
    const dir = temp('image-vanish-list-');
    mkdirSync(join(dir, 'src'));
    const one = readdirSync(join(fixture, 'train', 'bag')).sort()[0]!;
    copyFileSync(join(fixture, 'train', 'bag', one), join(dir, 'src', 'one.png'));
    for (const cls of ['a', 'b']) {
      mkdirSync(join(dir, 'data', cls), { recursive: true });
      for (let i = 0; i < LIST_PROGRESS_EVERY; i++) linkSync(join(dir, 'src', 'one.png'), join(dir, 'data', cls, `${i}.png`));
    }
    // The report comes as the 5,000th entry (a/'s last) is counted, before it is looked at: a/'s files are deleted then.
    let removed = 0;
    const listing = await listImages(join(dir, 'data'), {
      onProgress: (n) => {
        if (n !== LIST_PROGRESS_EVERY) return;
        for (const f of readdirSync(join(dir, 'data', 'a'))) unlinkSync(join(dir, 'data', 'a', f));
        removed++;
      },
    });
    expect(removed).toBe(1);
    const gone = listing.skipped.filter((s) => s.path.startsWith('a/'));
    expect(gone).toHaveLength(1);
    expect(gone[0]!.reason).toBe('disappeared while the folder was listed (moved or deleted)');
    expect(listing.entries.filter((e) => e.label === 'a').length).toBe(LIST_PROGRESS_EVERY - 1);
    expect(listing.entries.filter((e) => e.label === 'b')).toHaveLength(LIST_PROGRESS_EVERY);
  }, 60_000);

  it('a cancel while a large folder is listed stops the listing', async () => {
    const dir = temp('image-cancel-list-');
    mkdirSync(join(dir, 'data', 'a'), { recursive: true });
    mkdirSync(join(dir, 'data', 'b'));
    const one = readdirSync(join(fixture, 'train', 'bag')).sort()[0]!;
    copyFileSync(join(fixture, 'train', 'bag', one), join(dir, 'one.png'));
    for (let i = 0; i < 3 * LIST_PROGRESS_EVERY; i++) linkSync(join(dir, 'one.png'), join(dir, 'data', i % 2 ? 'a' : 'b', `${i}.png`));
    const controller = new AbortController();
    const heard: number[] = [];
    const listing = listImages(join(dir, 'data'), {
      signal: controller.signal,
      onProgress: (n) => {
        heard.push(n);
        controller.abort();
      },
    });
    await expect(listing).rejects.toBeInstanceOf(CancelledError);
    // Stopped at the next report: one heard, the second never reached.
    expect(heard).toEqual([LIST_PROGRESS_EVERY]);
  }, 60_000);

  it('while the pictures are read: listed with its name as gone, training goes on with the rest; during training: the drift summary says so', async () => {
    const dir = temp('image-vanish-');
    copyClasses(dir, ['bag', 'trouser'], 20);
    const bag = readdirSync(join(dir, 'bag')).sort();
    const trouser = readdirSync(join(dir, 'trouser')).sort();
    // Listed in order bag/…, trouser/…; the first few files are already being read when reading starts, so later ones are deleted.
    const goneWhileReading = [`bag/${bag[10]!}`, `trouser/${trouser[15]!}`];
    const goneWhileTraining = `bag/${bag[3]!}`;
    let readingStarted = false;
    let trainingStarted = false;
    const ctx = watching(temp('image-vanish-data-'), (report) => {
      if (!readingStarted && report.stage.startsWith('Reading pictures')) {
        readingStarted = true;
        for (const rel of goneWhileReading) unlinkSync(join(dir, rel));
      }
      if (!trainingStarted && report.stage.startsWith('Epoch 1/')) {
        trainingStarted = true;
        unlinkSync(join(dir, goneWhileTraining));
      }
    });
    const result = await trainImages({ source: dir, epochs: 2, imageSize: 28, backend: 'wasm', threads: 1 }, ctx);
    expect(readingStarted && trainingStarted).toBe(true);
    expect(result.dataset.unreadable).toEqual(
      goneWhileReading.map((path) => ({ path, reason: 'the file disappeared (moved or deleted after the folder was listed)' })),
    );
    expect(result.dataset.images).toBe(38);
    expect(result.rows.train + result.rows.validation + result.rows.test).toBe(38);
    expect(result.warnings).toContain(
      `2 files could not be read and were left out (e.g. ${goneWhileReading[0]}: the file disappeared (moved or deleted after the folder was listed)).`,
    );
    expect(result.warnings).toContain(
      '1 pictures could no longer be read when the drift summary read them again (moved or deleted during training): the summary leaves them out; the model trained on them.',
    );
    expect(result.epochs).toHaveLength(2);
    await verifyArtifact(result.artifactDir);
    const metadata = JSON.parse(readFileSync(join(result.artifactDir, 'metadata.json'), 'utf8')) as { driftReference: { images: number; sampled: number } };
    expect(metadata.driftReference).toMatchObject({ images: 38, sampled: 37 });
  }, 180_000);

  it('when too few remain in a class: a clear refusal naming it, nothing written', async () => {
    const dir = temp('image-vanish-few-');
    copyClasses(dir, ['bag', 'trouser'], 12);
    const trouser = readdirSync(join(dir, 'trouser')).sort();
    const dataDir = temp('image-vanish-few-data-');
    let deleted = false;
    const ctx = watching(dataDir, (report) => {
      if (deleted || !report.stage.startsWith('Reading pictures')) return;
      deleted = true;
      // All but two trousers vanish (the files already being read when reading starts are the first bags).
      for (const f of trouser.slice(2)) unlinkSync(join(dir, 'trouser', f));
    });
    await expect(trainImages({ source: dir, epochs: 1, imageSize: 28, backend: 'wasm', threads: 1 }, ctx)).rejects.toThrow(
      /The classes "trouser" have fewer than 3 readable pictures: too few to train, validate and test on\. 10 files could not be read, e.g\. trouser\/\S+ \(the file disappeared \(moved or deleted after the folder was listed\)\)\. Add pictures, or remove those folders\./,
    );
    expect(readdirSync(dataDir).filter((d) => d === 'models')).toEqual([]);
  }, 60_000);
});

describe('a folder mixing CMYK JPEG, 16-bit, transparent, grey and palette pictures', () => {
  it('trains end to end (an empty class folder, a link loop and a text file beside them), and the result records each conversion with its count', async () => {
    const dir = temp('image-formats-');
    const made: Record<string, number> = { cmyk: 0, rgb16: 0, alpha: 0, grey: 0, palette: 0 };
    const kinds = Object.keys(made);
    for (const cls of ['bag', 'trouser']) {
      const files = readdirSync(join(fixture, 'train', cls))
        .sort()
        .slice(0, 20);
      mkdirSync(join(dir, cls));
      for (const [i, f] of files.entries()) {
        const kind = kinds[i % kinds.length]!;
        made[kind]!++;
        // The fixture's pictures are 8-bit grey 28 × 28 PNGs; tinted so the colour ones are really colour.
        const tinted = sharp(join(fixture, 'train', cls, f))
          .toColourspace('srgb')
          .tint(cls === 'bag' ? '#c08040' : '#4080c0');
        const out = join(dir, cls, `${i}-${kind}`);
        if (kind === 'cmyk') await tinted.toColourspace('cmyk').jpeg({ quality: 95 }).toFile(`${out}.jpg`);
        else if (kind === 'rgb16') await tinted.toColourspace('rgb16').png().toFile(`${out}.png`);
        else if (kind === 'alpha') await tinted.ensureAlpha(0.6).png().toFile(`${out}.png`);
        else if (kind === 'grey') copyFileSync(join(fixture, 'train', cls, f), `${out}.png`);
        else await tinted.png({ palette: true, colours: 64, dither: 0 }).toFile(`${out}.png`);
      }
    }
    // Beside them: an empty class folder, a link looping back to the top and a file that is not a picture.
    mkdirSync(join(dir, 'coat'));
    symlinkSync('..', join(dir, 'bag', 'loop'));
    writeFileSync(join(dir, 'trouser', 'notes.txt'), 'not a picture');
    // What the files are, read independently of the decoder under test.
    const meta = async (cls: string, name: string) => sharp(join(dir, cls, name)).metadata();
    expect(await meta('bag', '0-cmyk.jpg')).toMatchObject({ space: 'cmyk', channels: 4 });
    expect(await meta('bag', '1-rgb16.png')).toMatchObject({ depth: 'ushort', channels: 3 });
    expect(await meta('bag', '2-alpha.png')).toMatchObject({ hasAlpha: true, channels: 4 });
    expect(await meta('bag', '3-grey.png')).toMatchObject({ space: 'b-w', channels: 1 });
    expect(await meta('bag', '4-palette.png')).toMatchObject({ isPalette: true });

    // Each decodes to the tinted picture it was made from (CMYK not inverted, 16 bits scaled, alpha 0.6 over white).
    const first = readdirSync(join(fixture, 'train', 'bag')).sort();
    const source = (i: number) =>
      sharp(join(fixture, 'train', 'bag', first[i]!))
        .toColourspace('srgb')
        .tint('#c08040')
        .raw()
        .toBuffer();
    const meanDiff = (a: Uint8Array, b: (v: number) => number, from: Uint8Array) => a.reduce((sum, v, j) => sum + Math.abs(v - b(from[j]!)), 0) / a.length;
    for (const [i, name, expected, within] of [
      [0, '0-cmyk.jpg', (v: number) => v, 16],
      [1, '1-rgb16.png', (v: number) => v, 1],
      [2, '2-alpha.png', (v: number) => 0.6 * v + 0.4 * 255, 2],
      [4, '4-palette.png', (v: number) => v, 8],
    ] as const) {
      const decoded = await pixels(await loadImage(join(dir, 'bag', name)), 28, 28, 3);
      expect(meanDiff(decoded, expected, await source(i)), name).toBeLessThan(within);
    }

    const result = await trainImages(
      { source: dir, epochs: 2, imageSize: 28, backend: 'wasm', threads: 1 },
      makeContext({ dataDir: temp('image-formats-data-') }),
    );
    expect(result.dataset.unreadable).toEqual([]);
    expect(result.dataset.images).toBe(40);
    expect(result.classes).toEqual(['bag', 'trouser']);
    expect(result.warnings).toContain('The class folder "coat" has no pictures and was left out.');
    expect(result.dataset.skipped).toBe(2);
    expect(result.hyperparameters.channels).toBe(3);
    expect(result.epochs).toHaveLength(2);
    expect(result.metrics.accuracy).toBeGreaterThan(0);
    expect(result.dataset.conversions).toEqual({
      'CMYK to sRGB': made.cmyk,
      '16-bit to 8-bit': made.rgb16,
      'transparency onto white': made.alpha,
      'palette to full colour': made.palette,
      'grey to three channels': made.grey,
    });
    expect(result.warnings.find((w) => w.startsWith('Pictures converted while reading'))).toBe(
      `Pictures converted while reading (the network reads sRGB 8-bit pixels): ${made.cmyk} CMYK to sRGB, ${made.rgb16} 16-bit to 8-bit, ${made.alpha} transparency onto white, ${made.palette} palette to full colour.`,
    );
    await verifyArtifact(result.artifactDir);
  }, 180_000);
});
