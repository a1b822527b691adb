/**
 * The try-it channels of text, image and other kinds in-process with real worker processes: what
 * the panel is told per kind (a text version's classes, threshold and masking; a forecast
 * version's message and the command to use instead), every input checked at the channel (empty
 * or too long text, too many pictures, both texts and files, a file gone), a version of the wrong
 * kind refused, and serve mode confining the files' paths.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invoke } from '../../main/api/index.js';
import { type App, createApp } from '../../main/app.js';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../main/contract/index.js';
import { refusedPaths, resolveRoots } from '../../main/serve/confine.js';
import { fixture, tempDir, workerEntry } from '../helpers.js';
import { hourlyCounts, writeCsv } from '../workers/forecast/helpers.js';

let app: App;
let textVersion = 0;
let forecastVersion = 0;
const { dir, cleanup } = tempDir();

async function ok<K extends ChannelName>(name: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
  const result = await invoke(app, name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as ChannelOutput<K>;
}

beforeAll(async () => {
  app = createApp({ dataDir: dir, workerPath: workerEntry, mode: 'cli', version: 'test' });
  const mail = await ok('pilots:create', { name: 'mail', kind: 'text' });
  const text = await ok('text:train', { projectId: mail.id, path: fixture('text/spamassassin-eml'), epochs: 2, seed: 3, backend: 'wasm' });
  const textDone = await app.jobs.wait(text.job);
  expect(textDone.status, textDone.error?.message).toBe('succeeded');
  textVersion = textDone.result!.modelVersionId;

  const imported = await app.jobs.wait((await ok('datasets:import', { path: writeCsv(['time', 'visits'], hourlyCounts(24 * 30), 'visits.csv') })).id);
  const datasetId = (imported.result as { dataset: { id: number } }).dataset.id;
  const visits = await ok('pilots:create', { name: 'visits', datasetId });
  const forecast = await app.jobs.wait((await ok('forecast:train', { projectId: visits.id, datasetId, time: 'time', target: 'visits', horizon: 6, epochs: 2, seed: 7 })).job);
  expect(forecast.status, forecast.error?.message).toBe('succeeded');
  forecastVersion = forecast.result!.modelVersionId;
}, 240_000);

afterAll(async () => {
  await app.close();
  cleanup();
});

describe('try-it channels by kind', () => {
  it('tells the panel what a text version takes, and scores typed text as a job with a download', async () => {
    const about = await ok('tryit:about', { ref: 'mail@1' });
    expect(about).toMatchObject({ kind: 'text', versionId: textVersion, project: 'mail', version: 1, task: 'binary', classes: ['ham', 'spam'], positiveClass: 'spam', threshold: 0.5, maskPii: false });
    const job = await ok('tryit:text', { ref: textVersion, texts: ['Lowest mortgage rates, act now: click here'] });
    expect(job.input.downloadName).toBe('mail-v1-one-text-scored.csv');
    const done = await app.jobs.wait(job);
    expect(done.status, done.error?.message).toBe('succeeded');
    expect(done.result!.documents[0]!.words!.length).toBeGreaterThan(0);
    const download = await ok('downloads:read', { id: job.input.downloadId });
    expect(download.text.split('\n')[0]).toBe('text,prediction,probability_ham,probability_spam,top_words');
  }, 60_000);

  it('answers a forecast version with what to use instead, and refuses to score documents or pictures with it', async () => {
    const about = await ok('tryit:about', { ref: forecastVersion });
    expect(about.kind).toBe('forecast');
    if (about.kind !== 'forecast') return;
    expect(about.message).toMatch(/continues time series/);
    expect(about.commands).toEqual(['pilot predict visits@1 history.csv --out forecast.csv --horizon 7']);
    expect(await invoke(app, 'tryit:text', { ref: forecastVersion, texts: ['hello'] })).toMatchObject({ ok: false, error: { code: 'invalid-input', message: 'visits v1 is a forecast model; trying documents is for text models.' } });
    expect(await invoke(app, 'tryit:images', { ref: textVersion, files: [{ path: join(dir, 'a.png'), name: 'a.png' }] })).toMatchObject({ ok: false, error: { message: /mail v1 is a text model; trying pictures is for image models/ } });
  });

  it('checks every input at the channel', async () => {
    const refused = async (name: 'tryit:text' | 'tryit:images', input: unknown) => {
      const result = await invoke(app, name, input as ChannelInput<typeof name>);
      expect(result.ok).toBe(false);
      return result.ok ? '' : result.error.message;
    };
    expect(await refused('tryit:text', { ref: textVersion, texts: [' \n\t '] })).toMatch(/The text is empty/);
    expect(await refused('tryit:text', { ref: textVersion, texts: ['x'.repeat(100_001)] })).toMatch(/at most 100,000 characters; save a longer one as a \.txt file/);
    expect(await refused('tryit:text', { ref: textVersion, texts: ['a'], files: [{ path: '/tmp/a.txt', name: 'a.txt' }] })).toMatch(/either texts \(typed\) or files, not both/);
    expect(await refused('tryit:text', { ref: textVersion })).toMatch(/either texts \(typed\) or files/);
    const many = Array.from({ length: 21 }, (_, i) => ({ path: join(dir, `${i}.png`), name: `${i}.png` }));
    expect(await refused('tryit:images', { ref: textVersion, files: many })).toMatch(/at most 20 pictures at once/);
    expect(await refused('tryit:images', { ref: textVersion, files: [] })).toMatch(/Choose a picture/);
    const gone = join(dir, 'gone.txt');
    expect(await refused('tryit:text', { ref: textVersion, files: [{ path: gone, name: 'ticket-17.txt' }] })).toBe('ticket-17.txt is not there any more. Choose the file again.');
    writeFileSync(gone, 'now it is here');
    expect((await ok('tryit:text', { ref: textVersion, files: [{ path: gone, name: 'ticket-17.txt' }] })).input.downloadName).toBe('mail-v1-ticket-17-scored.csv');
  });

  it('serve mode confines the files of a try to the allowed folders', () => {
    const roots = resolveRoots([], { dataDir: dir, home: dir });
    expect(refusedPaths('tryit:images', { ref: 1, files: [{ path: join(dir, 'ok.png'), name: 'ok.png' }, { path: '/etc/passwd', name: 'cat.png' }] }, roots)).toEqual([{ field: 'files.1.path', path: '/etc/passwd', why: 'outside' }]);
    expect(refusedPaths('tryit:text', { ref: 1, files: [{ path: join(dir, '.ssh', 'id_rsa'), name: 'notes.txt' }] }, roots)).toEqual([{ field: 'files.0.path', path: join(dir, '.ssh', 'id_rsa'), why: 'secret' }]);
  });
});
