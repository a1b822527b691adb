import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { sharedLines } from '../../../workers/text/quality.js';

/** The rule written with strings: lines trimmed, white-space runs folded, ≥ 20 characters, counted once per document, in ≥ 30 %. */
function reference(texts: string[]): Array<{ line: string; share: number }> {
  const counts = new Map<string, number>();
  for (const t of texts) {
    const lines = new Set(t.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l.length >= 20));
    for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  const n = texts.length;
  return [...counts].filter(([, c]) => n >= 10 && c >= 0.3 * n).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([line, c]) => ({ line: line.slice(0, 120), share: c / n }));
}

describe('lines most documents share (boilerplate)', () => {
  it('finds the lines the string-based rule finds, with the same shares and order', () => {
    const rows = parse(readFileSync('test/fixtures/text/spamassassin.csv'), { columns: true }) as Array<Record<string, string>>;
    const signature = 'ACME Corp. This e-mail is confidential.';
    const texts = rows.map((r, i) => {
      // Planted: a signature in 40 % (spaced differently), a disclaimer in 35 %, a 21-character line in all.
      const parts = [r.text!];
      if (i % 5 < 2) parts.push(i % 2 ? `  ${signature.replace(/ /g, '\u00a0 ')}\r` : `\t${signature.replace(/ /g, '   ')}`);
      if (i % 20 < 7) parts.push('Unsubscribe: reply with REMOVE in the subject line');
      parts.push('-- sent from my phone');
      return parts.join('\n');
    });
    const expected = reference(texts);
    expect(expected.map((l) => l.line)).toEqual(['-- sent from my phone', 'ACME Corp. This e-mail is confidential.', 'Unsubscribe: reply with REMOVE in the subject line']);
    expect(expected.map((l) => l.share)).toEqual([1, 0.4, 0.35]);
    expect(sharedLines(texts, texts.length)).toEqual(expected);
    // Below 10 documents nothing is boilerplate.
    expect(sharedLines(texts.slice(0, 9), 9)).toEqual([]);
  });
});
