import { describe, expect, it } from 'vitest';
import { bagsOf, encodeTexts } from '../../../workers/text/corpus.js';
import { readTextDataset } from '../../../workers/text/read.js';
import { bagOf, defaultTokenizer, MAX_DOCUMENT_TOKENS, tokenize } from '../../../workers/text/tokenize.js';

/**
 * The tokenizer's definition as one Unicode-property regular expression (what the code-point
 * scanner replaced for speed): at each position a URL, an e-mail address, a placeholder of the
 * masked copy, one character of a script written without spaces, or a word.
 */
const TOKEN =
  /https?:\/\/[^\s<>"]+|www\.[^\s<>"]+|[\p{L}\p{N}._%+'-]*[\p{L}\p{N}]@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+|\[(?:email|phone|card|iban|ip|ssn|name)\]|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;

function reference(text: string): string[] {
  const head = text.length > MAX_DOCUMENT_TOKENS * 20 ? text.slice(0, MAX_DOCUMENT_TOKENS * 20) : text;
  const lower = head.normalize('NFKC').toLowerCase();
  const out: string[] = [];
  for (const m of lower.matchAll(TOKEN)) {
    if (out.length >= MAX_DOCUMENT_TOKENS) break;
    const t = m[0];
    if (t.startsWith('http://') || t.startsWith('https://') || t.startsWith('www.')) out.push('<url>');
    else if (t.startsWith('[')) out.push(`<${t.slice(1, -1)}>`);
    else if (t.indexOf('@') > 0) out.push('<email>');
    else if (/^[0-9]\p{N}*$/u.test(t)) out.push('<num>');
    else out.push(t);
  }
  return out;
}

/** Seeded strings over the characters where the scanner's rules meet (e-mail punctuation, URLs, scripts, marks, surrogates). */
function fuzz(count: number): string[] {
  const parts = ['a', 'B', 'z', '0', '9', '.', '@', '-', '_', '%', '+', "'", '’', '[', ']', '[email]', '[PHONE]', 'http://', 'https://', 'www.', ' ', '\n', '\u00a0', '<', '>', '"', 'é', 'ß', '漢', 'ひ', 'カ', 'ก', '่', '١', '𝐀', '😀', '\u0301', 'İ', 'ﬁ', 'x.y', '@a.b', '\ud800', '..', 'ي', 'ж'];
  let s = 7;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 30) }, () => parts[Math.floor(next() * parts.length)]!).join(''));
}

describe('tokenizer', () => {
  it('gives exactly the tokens of its regular-expression definition on the corpus fixtures, other scripts and seeded junk', async () => {
    const csv = await readTextDataset({ path: 'test/fixtures/text/spamassassin.csv', textColumn: 'text', target: 'label' });
    const eml = await readTextDataset({ path: 'test/fixtures/text/spamassassin-eml' });
    const scripts = ['Это тестовое сообщение', '这是一个关于打印机的测试消息', 'これはプリンターのテスト', 'ภาษาไทยง่ายนิดเดียว', "l'école d’été — naïve café", 'mail Jörg.Müller@beispiel.de, https://x.y/z?a=1 or www.foo.org', '12,5 3.14 ٣٤ 5th ２０２４', 'call [EMAIL] or [PHONE]'];
    const texts = [...csv.texts, ...eml.texts, ...scripts, ...fuzz(3000)];
    const differing = texts.filter((text) => tokenize(text).join('\u0000') !== reference(text).join('\u0000'));
    expect(texts).toHaveLength(500 + 80 + scripts.length + 3000);
    expect(differing.slice(0, 3)).toEqual([]);
    expect(tokenize('call [EMAIL] or a@b.co at https://x.org, 42 times')).toEqual(['call', '<email>', 'or', '<email>', 'at', '<url>', '<num>', 'times']);
  });

  it('hashes an encoded corpus into the same bags as the tokens one by one', () => {
    const texts = ['the printer is broken, the printer', 'réseau en panne', '', 'a b a b a b'];
    const corpus = encodeTexts(texts);
    const settings = defaultTokenizer(10);
    const bags = bagsOf(corpus, [0, 1, 2, 3], settings);
    texts.forEach((text, i) => {
      const one = bagOf(tokenize(text), settings);
      expect(Array.from(bags[i]!.ids)).toEqual(Array.from(one.ids));
      expect(Array.from(bags[i]!.weights)).toEqual(Array.from(one.weights));
    });
    expect(corpus.terms.filter((t) => t === 'printer')).toHaveLength(1);
  });
});
