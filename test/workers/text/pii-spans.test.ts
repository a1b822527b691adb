import { describe, expect, it } from 'vitest';
import { addTextPii, emptyTextPii, findPiiSpans, maskText } from '../../../workers/text/pii-spans.js';

// Valid test values: DE89 3704 0044 0532 0130 00 and GB82 WEST 1234 5698 7654 32 are the ISO 13616
// examples (mod 97 = 1); 4111 1111 1111 1111 and 5500 0000 0000 0004 are Luhn-valid test cards.
const planted: Array<[string, Array<[string, string]>]> = [
  ['Please call John Smith at john.smith@corp.com or +44 20 7946 0958 before Friday.', [['name', 'John Smith'], ['email', 'john.smith@corp.com'], ['phone', '+44 20 7946 0958']]],
  ['Refund to IBAN DE89 3704 0044 0532 0130 00 please, card 4111 1111 1111 1111 was charged twice.', [['iban', 'DE89 3704 0044 0532 0130 00'], ['card', '4111 1111 1111 1111']]],
  ['My SSN is 123-45-6789, the server 192.168.1.20 rejected me; my desk is (555) 123-4567.', [['nationalId', '123-45-6789'], ['ip', '192.168.1.20'], ['phone', '(555) 123-4567']]],
  ['Host 2001:db8:85a3::8a2e:370:7334 is down, ring 555-123-4567 or pay to GB82WEST12345698765432.', [['ip', '2001:db8:85a3::8a2e:370:7334'], ['phone', '555-123-4567'], ['iban', 'GB82WEST12345698765432']]],
  ['Mastercard 5500-0000-0000-0004, mail a.b+tag@sub.example.co.uk', [['card', '5500-0000-0000-0004'], ['email', 'a.b+tag@sub.example.co.uk']]],
];

// Look-alikes that must not count: a card number failing Luhn, an IBAN failing mod-97, dates,
// versions, prices, clock times, order numbers, ratios, quantities.
const control = [
  'Invoice 4111 1111 1111 1112 failed; IBAN DE89370400440532013001 is wrong.',
  'Due 2024-01-15 or 15/01/2024, version 1.2.3.4.5, build 10.0.19045, at 12:30:45.',
  'It costs $1,299.99 or €12 345, order #20240115, section 3.2.1.4, v1.2.3.4 released.',
  'Ticket 2024-0001 priority 3, 12.03.2024, ratio 3:2, 1 234 567 units, 0.25 mg, 99.9% uptime.',
  'Email us at support (at) example dot com; the meeting moved to 10:00 on 2024/03/05.',
];

describe('personal data inside free text', () => {
  it.each(planted)('finds every planted span in %s', (text, expected) => {
    const found = findPiiSpans(text).map((s) => [s.kind, text.slice(s.start, s.end)]);
    expect(found.sort()).toEqual([...expected].sort());
  });

  it.each(control)('finds nothing in the control text %s', (text) => {
    expect(findPiiSpans(text)).toEqual([]);
  });

  it('masks a copy for training with one placeholder per span, leaving the rest untouched', () => {
    expect(maskText(planted[0]![0])).toBe('Please call [NAME] at [EMAIL] or [PHONE] before Friday.');
    expect(maskText(control[0]!)).toBe(control[0]);
  });

  it('counts per kind and keeps only masked excerpts', () => {
    const summary = emptyTextPii();
    for (const [text] of planted) addTextPii(summary, text, 20);
    for (const text of control) addTextPii(summary, text, 20);
    expect(summary.texts).toBe(planted.length);
    expect(summary.counts).toEqual({ email: 2, phone: 3, iban: 2, card: 2, nationalId: 1, ip: 2, name: 1 });
    const joined = summary.examples.join('\n');
    for (const [, spans] of planted) for (const [, value] of spans) expect(joined).not.toContain(value);
    expect(joined).toContain('j***@c***.com');
  });
});

describe('person names inside free text', () => {
  const names: Array<[string, string[]]> = [
    ['Please call John Smith at john.smith@corp.com before Friday.', ['John Smith']],
    ['Meeting with María García-López and Jean-Pierre Dupont on Monday.', ['María García-López', 'Jean-Pierre Dupont']],
    ['Ask Dr. Patel or Mrs Okafor, then forward it to Sarah O’Connor.', ['Patel', 'Okafor', 'Sarah O’Connor']],
    ['Escalated by Mohammed Al-Rashid; Anna Maria Rossi and Ludwig van Beethoven are in copy.', ['Mohammed Al-Rashid', 'Anna Maria Rossi', 'Ludwig van Beethoven']],
    ['Thanks, Peter J. Müller', ['Peter J. Müller']],
    ['we asked Mark Johnson and John Smith Office staff', ['Mark Johnson', 'John Smith']],
  ];
  // Capitalised words that are not people: sentence starts, headlines, products, places, days,
  // and given names that are everyday words at the start of a sentence.
  const control = [
    'Please Call Support Tomorrow. The Printer On Floor Three Is Broken.',
    'Windows Server Update Failed. Will Microsoft Fix It? Mark All As Read.',
    'Grant Access To The Shared Drive. Hope Springs Eternal. New York Office Closed Monday.',
    'Dear Team, Kind Regards from the Service Desk. Microsoft Teams and Google Drive are down.',
    'JOHN SMITH in capitals, john smith in lower case, and John alone are not flagged.',
  ];

  it.each(names)('finds the planted names in %s', (text, expected) => {
    const found = findPiiSpans(text).filter((s) => s.kind === 'name').map((s) => text.slice(s.start, s.end));
    expect(found).toEqual(expected);
  });

  it.each(control)('finds no name in the control text %s', (text) => {
    expect(findPiiSpans(text).filter((s) => s.kind === 'name')).toEqual([]);
  });

  it('masks names with [NAME] and shows only initials in excerpts', () => {
    expect(maskText('Please call John Smith at john.smith@corp.com before Friday.')).toBe('Please call [NAME] at [EMAIL] before Friday.');
    const summary = emptyTextPii();
    addTextPii(summary, 'Please call John Smith today, he knows.', 5);
    expect(summary.counts).toEqual({ name: 1 });
    expect(summary.examples[0]).toContain('J*** S***');
    expect(summary.examples[0]).not.toContain('Smith');
  });
});
