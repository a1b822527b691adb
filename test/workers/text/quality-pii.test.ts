import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../../workers/protocol.js';
import { scoreQuality } from '../../../workers/quality/index.js';

// A ticket export: every 7th ticket mentions an e-mail, every 11th a phone number, every 13th an
// IBAN (ISO 13616 example, mod 97 = 1); the rest mention dates, versions, prices and order
// numbers only. Counts below are worked out from those rules, not from the scorer.
function ticketsCsv(rows: number): { csv: string; emails: number; phones: number; ibans: number; texts: number } {
  const lines = ['id,team,ticket,amount'];
  let emails = 0;
  let phones = 0;
  let ibans = 0;
  let texts = 0;
  for (let i = 1; i <= rows; i++) {
    const parts = [`Ticket ${i}: printer on floor ${i % 9} fails since 2024-03-${String((i % 28) + 1).padStart(2, '0')}, firmware 1.2.${i % 7}.4.5, quote $1,${i % 10}99.00`];
    let any = false;
    if (i % 7 === 0) {
      parts.push(`write to user${i}@corp.example.com`);
      emails++;
      any = true;
    }
    if (i % 11 === 0) {
      parts.push(`call +44 20 7946 ${String(1000 + i).slice(-4)}`);
      phones++;
      any = true;
    }
    if (i % 13 === 0) {
      parts.push('refund to DE89 3704 0044 0532 0130 00');
      ibans++;
      any = true;
    }
    if (any) texts++;
    lines.push(`${i},${['ops', 'it', 'hr'][i % 3]},"${parts.join('; ')}",${(i * 3.7).toFixed(2)}`);
  }
  return { csv: `${lines.join('\n')}\n`, emails, phones, ibans, texts };
}

describe('quality scorer: personal data inside text columns', () => {
  it.each([1, 3])('counts planted spans per text column and raises PERSONAL_DATA_IN_TEXT (%i byte ranges)', async (ranges) => {
    const dir = mkdtempSync(join(tmpdir(), 'text-pii-'));
    const made = ticketsCsv(600);
    const path = join(dir, 'tickets.csv');
    writeFileSync(path, made.csv);
    const report = await scoreQuality({ path, threads: 1, ranges }, makeContext({ dataDir: dir }));
    const ticket = report.columns.find((c) => c.name === 'ticket')!;
    expect(ticket.textPii.counts).toEqual({ email: made.emails, phone: made.phones, iban: made.ibans });
    expect(ticket.textPii.texts).toBe(made.texts);
    for (const e of ticket.textPii.examples) expect(e).not.toMatch(/user\d+@corp|DE89 3704|7946 \d{4}/);
    const alerts = report.alerts.filter((a) => a.code === 'PERSONAL_DATA_IN_TEXT');
    expect(alerts.map((a) => a.column)).toEqual(['ticket']);
    for (const c of report.columns.filter((c) => c.name !== 'ticket')) expect(c.textPii.texts).toBe(0);
  });
});
