/**
 * Splitting one file into byte ranges that several threads read at once, at record boundaries.
 *
 * A range starts just after a line break. Whether that break really ends a record (rather than
 * sitting inside a quoted field) depends only on the parity of the quote characters before it,
 * and the parser counts every quote it passes whatever state it starts in. So: read the ranges
 * in parallel assuming each start is a boundary, then check each seam's parity from the counts;
 * a seam with odd parity is moved forward to the first line break with even parity, and only
 * the two ranges next to it are read again. Correct for any RFC 4180 file; rare in practice.
 */
import { open } from 'node:fs/promises';

/** Nominal split points moved to just after the next line feed. Returns [start, b1, …, end]. */
export async function planRanges(path: string, start: number, end: number, count: number): Promise<number[]> {
  const bounds = [start];
  if (count > 1) {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      for (let i = 1; i < count; i++) {
        const nominal = start + Math.floor(((end - start) * i) / count);
        const at = await nextLineStart(handle, buffer, nominal, end);
        if (at > bounds[bounds.length - 1]! && at < end) bounds.push(at);
      }
    } finally {
      await handle.close();
    }
  }
  bounds.push(end);
  return bounds;
}

type Handle = Awaited<ReturnType<typeof open>>;

async function nextLineStart(handle: Handle, buffer: Buffer, from: number, end: number): Promise<number> {
  let position = from;
  while (position < end) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
    if (bytesRead === 0) break;
    const k = buffer.subarray(0, bytesRead).indexOf(10);
    if (k >= 0) return position + k + 1;
    position += bytesRead;
  }
  return end;
}

/**
 * Given the boundaries and each range's quote count, returns the boundaries moved where a seam
 * fell inside a quoted field. Boundaries that end up at or past the next one are dropped.
 */
export async function fixSeams(path: string, bounds: number[], quotes: number[]): Promise<number[]> {
  const fixed = [bounds[0]!];
  let before = 0;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(256 * 1024);
    for (let i = 1; i < bounds.length - 1; i++) {
      before += quotes[i - 1]!;
      let at = bounds[i]!;
      if (before % 2 === 1) at = await nextEvenLineStart(handle, buffer, at, bounds[bounds.length - 1]!);
      if (at > fixed[fixed.length - 1]! && at < bounds[bounds.length - 1]!) fixed.push(at);
    }
  } finally {
    await handle.close();
  }
  const last = bounds[bounds.length - 1]!;
  while (fixed.length > 1 && fixed[fixed.length - 1]! >= last) fixed.pop();
  fixed.push(last);
  return fixed;
}

/** From inside a quoted field (odd parity), the first line start where the parity is even again. */
async function nextEvenLineStart(handle: Handle, buffer: Buffer, from: number, end: number): Promise<number> {
  let odd = true;
  let position = from;
  while (position < end) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
    if (bytesRead === 0) break;
    for (let k = 0; k < bytesRead; k++) {
      const b = buffer[k]!;
      if (b === 34) odd = !odd;
      else if (b === 10 && !odd) return position + k + 1;
    }
    position += bytesRead;
  }
  return end;
}
