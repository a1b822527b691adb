/** Personal data counts in words: "1 e-mail address and 2 phone numbers". */
import type { PersonalDataCounts } from '../../../../main/contract/index.js';

const NAMES: Record<string, [string, string]> = {
  email: ['e-mail address', 'e-mail addresses'],
  phone: ['phone number', 'phone numbers'],
  iban: ['IBAN', 'IBANs'],
  card: ['card number', 'card numbers'],
  ip: ['IP address', 'IP addresses'],
  nationalId: ['social security number', 'social security numbers'],
  name: ['person name', 'person names'],
};

export function personalDataWords(counts: PersonalDataCounts): string {
  const parts = Object.entries(counts).map(([kind, n]) => {
    const [one, many] = NAMES[kind] ?? [kind, kind];
    return `${n} ${n === 1 ? one : many}`;
  });
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
