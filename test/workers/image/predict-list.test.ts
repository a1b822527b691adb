/** Which pictures `pilot predict` reads from a folder: each once, even through a link loop. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { picturesOf } from '../../../workers/image/predict.js';

describe('picturesOf', () => {
  it('lists every picture of a folder once, a link back to a parent folder included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'predict-list-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'one.png'), 'x');
    writeFileSync(join(dir, 'two.jpg'), 'x');
    symlinkSync('..', join(dir, 'a', 'loop'));
    const { paths } = await picturesOf(dir);
    expect(paths).toEqual([join(dir, 'a', 'one.png'), join(dir, 'two.jpg')]);
  });
});
