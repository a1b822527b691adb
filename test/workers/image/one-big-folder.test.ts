import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listImages } from '../../../workers/image/files.js';

const fixture = join(import.meta.dirname, '../../fixtures/fashion-mnist-small');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('one class folder of 250,000 pictures', () => {
  // The listing once appended a folder's pictures with `entries.push(...files)`, which throws
  // "Maximum call stack size exceeded" above a few hundred thousand arguments in V8.
  it('is listed whole, in name order, without overflowing the stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-one-big-folder-'));
    dirs.push(dir);
    // Hard links to copies in the same folder tree (a file takes at most ~65,000 links on ext4, and
    // the fixtures may sit on another file system than the temporary folder).
    mkdirSync(join(dir, 'src'));
    const sources = Array.from({ length: 5 }, (_, i) => join(dir, 'src', `${i}.png`));
    for (const source of sources) copyFileSync(join(fixture, 'train', 'bag', 'train-00023.png'), source);
    const n = 250_000;
    mkdirSync(join(dir, 'many'));
    mkdirSync(join(dir, 'few'));
    for (let i = 0; i < n; i++) linkSync(sources[i % sources.length]!, join(dir, 'many', `${String(i).padStart(6, '0')}.png`));
    for (let i = 0; i < 3; i++) linkSync(sources[0]!, join(dir, 'few', `${i}.png`));
    const listing = await listImages(dir);
    const many = listing.entries.filter((e) => e.label === 'many');
    expect(many).toHaveLength(n);
    expect(listing.entries.filter((e) => e.label === 'few')).toHaveLength(3);
    expect(many[0]!.rel).toBe(join('many', '000000.png'));
    expect(many[n - 1]!.rel).toBe(join('many', `${n - 1}.png`));
  }, 300_000);
});
