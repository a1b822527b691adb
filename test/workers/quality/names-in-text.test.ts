/**
 * Person names inside free-text cells are counted per column, past the exact-distinct table too
 * (there the scorer reads cells as bytes and only turns to the string scan when a cell may hold
 * personal data: a name has no digit and no `@`, so the old byte gate let every name past it).
 * 12,000 unique ticket texts without a digit or an `@`; every 5th names a person. Expected counts
 * follow from the rules that wrote the file, not from the scorer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { scoreQuality } from '../../../workers/quality/index.js';
import { mayHoldTextPii, mayHoldTextPiiText } from '../../../workers/quality/free-text.js';

const ADJ = 'slow broken noisy missing stuck frozen blank dim loud late early wrong odd cold hot wet dirty tiny huge old'.split(' ');
const NOUN = 'printer laptop screen mouse router badge door light phone desk chair cable keyboard scanner camera speaker socket lamp fan heater'.split(' ');
const VERB = 'fails again since lunch; needs a look; keeps beeping; stopped working; was replaced; is back; seems fine now; blinks red; smells odd; makes noise; got wet; fell down; needs parts; is on order; was moved; needs cleaning; is shared; got stolen; is new; looks used; runs hot; goes dark; shows errors; lost power; needs a reset; has a crack; is loose; is too slow; is missing keys; needs paper'.split('; ');
const PEOPLE = ['John Smith', 'Maria Garcia', 'Ahmed Khan', 'Sophie Martin', 'Lukas Weber'];

function ticketsCsv(rows: number): { csv: string; names: number } {
  const lines = ['team,ticket'];
  let names = 0;
  for (let i = 0; i < rows; i++) {
    let text = `The ${ADJ[i % 20]} ${NOUN[Math.floor(i / 20) % 20]} ${VERB[Math.floor(i / 400) % 30]}`;
    if (i % 5 === 0) {
      text += `, please ask ${PEOPLE[(i / 5) % 5]} about it`;
      names++;
    } else if (i % 5 === 1) {
      text += ', see the Monday Update from Help Desk';
    }
    lines.push(`${['ops', 'it', 'hr'][i % 3]},"${text}"`);
  }
  return { csv: `${lines.join('\n')}\n`, names };
}

describe('quality scorer: person names inside text columns', () => {
  it.each([1, 3])('counts every planted name, past the exact-distinct table, with masked examples (%i byte ranges)', async (ranges) => {
    const dir = mkdtempSync(join(tmpdir(), 'text-names-'));
    const made = ticketsCsv(12_000);
    const path = join(dir, 'tickets.csv');
    writeFileSync(path, made.csv);
    const report = await scoreQuality({ path, threads: 1, ranges }, makeContext({ dataDir: dir }));
    const ticket = report.columns.find((c) => c.name === 'ticket')!;
    // 12,000 / 5 = 2,400 names; "Monday Update" and "Help Desk" are not names.
    expect(made.names).toBe(2400);
    expect(ticket.textPii.counts).toEqual({ name: 2400 });
    expect(ticket.textPii.texts).toBe(2400);
    expect(ticket.textPii.examples.length).toBeGreaterThan(0);
    for (const e of ticket.textPii.examples) {
      expect(e).toMatch(/[JMAS]\*\*\* [SGKMW]\*\*\*/);
      expect(e).not.toMatch(/John Smith|Maria Garcia|Ahmed Khan|Sophie Martin|Lukas Weber/);
    }
    expect(report.alerts.filter((a) => a.code === 'PERSONAL_DATA_IN_TEXT').map((a) => a.column)).toEqual(['ticket']);
    expect(report.columns.find((c) => c.name === 'team')!.textPii.texts).toBe(0);
  }, 120_000);

  it('lets a sentence through the byte gate only for a digit, an @, a listed given name or a title before white space', () => {
    const gate = (s: string) => mayHoldTextPii(Buffer.from(s, 'latin1'), 0, s.length);
    expect(gate('please ask John Smith about it')).toBe(true);
    expect(gate('please ask Dr. Patel about it')).toBe(true);
    expect(gate('ask Jean-Luc Picard about it')).toBe(true);
    expect(gate('ask Anna van Berg about it')).toBe(true);
    expect(gate('printer on floor 3 is broken')).toBe(true);
    expect(gate('write to someone at corp')).toBe(false);
    expect(gate('see the Monday Update from Help Desk')).toBe(false);
    expect(gate('the printer keeps beeping all day')).toBe(false);
    expect(gate('JOHN SMITH wrote in capitals')).toBe(false); // the name regex needs Capitalised words too
    expect(gate('Johnson Controls sent a quote')).toBe(false);
    // The same gate for cells read as strings; a non-ASCII string always goes to the full scan.
    for (const s of ['please ask John Smith about it', 'the printer keeps beeping all day', 'printer on floor 3 is broken', 'see the Monday Update from Help Desk']) {
      expect(mayHoldTextPiiText(s)).toBe(gate(s));
    }
    expect(mayHoldTextPiiText('the café printer keeps beeping')).toBe(true);
  });
});
