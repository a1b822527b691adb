import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileHashes } from '../../main/api/file-hashes.js';

/** A FileHashes whose hash reads the file for real and counts how often it did. */
function counting(now: () => number = Date.now) {
  const reads: string[] = [];
  const hashes = new FileHashes(async (path) => {
    reads.push(path);
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  }, now);
  return { hashes, reads };
}

function oldFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pilot-hashes-')), 'data.csv');
  writeFileSync(path, content);
  // Last modified a minute ago: outside the "racy" window.
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
  return path;
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('FileHashes', () => {
  it('reads an unchanged file once, and gives its real SHA-256 every time', async () => {
    const path = oldFile('a,b\n1,2\n');
    const { hashes, reads } = counting();
    expect(await hashes.sha256(path, statSync(path))).toBe(sha('a,b\n1,2\n'));
    expect(await hashes.sha256(path, statSync(path))).toBe(sha('a,b\n1,2\n'));
    expect(reads).toHaveLength(1);
  });

  it('hashes again when the size or the modification time moved', async () => {
    const path = oldFile('a,b\n1,2\n');
    const { hashes, reads } = counting();
    await hashes.sha256(path, statSync(path));
    appendFileSync(path, '3,4\n');
    const past = new Date(Date.now() - 30_000);
    utimesSync(path, past, past);
    expect(await hashes.sha256(path, statSync(path))).toBe(sha('a,b\n1,2\n3,4\n'));
    // Same size, other content, other time (an editor that rewrites in place).
    writeFileSync(path, 'a,b\n9,9\n3,4\n');
    utimesSync(path, new Date(Date.now() - 20_000), new Date(Date.now() - 20_000));
    expect(await hashes.sha256(path, statSync(path))).toBe(sha('a,b\n9,9\n3,4\n'));
    expect(reads).toHaveLength(3);
  });

  it('does not remember a hash taken right after a write (a second write in the same tick would go unseen)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pilot-hashes-')), 'data.csv');
    writeFileSync(path, 'x\n1\n');
    const { hashes, reads } = counting();
    await hashes.sha256(path, statSync(path));
    await hashes.sha256(path, statSync(path));
    expect(reads).toHaveLength(2);
    // Once the modification is old enough, the next hash is kept.
    const later = counting(() => statSync(path).mtimeMs + 5_000);
    await later.hashes.sha256(path, statSync(path));
    await later.hashes.sha256(path, statSync(path));
    expect(later.reads).toHaveLength(1);
  });
});
