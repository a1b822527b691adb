import { describe, expect, it } from 'vitest';
import { guessLanguage } from '../../../workers/text/language.js';
import { textQuality } from '../../../workers/text/quality.js';
import { tokenize } from '../../../workers/text/tokenize.js';

const words = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');
/** A distinct 40-word document per seed (a seeded walk over the word list). */
function doc(seed: number): string {
  let s = seed * 2654435761;
  return Array.from({ length: 40 }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return words[s % words.length]!;
  }).join(' ');
}

describe('text quality', () => {
  it('finds empty, duplicate (with conflicting labels), near-duplicate, train/test overlapping texts and imbalance', () => {
    const texts: string[] = [];
    const labels: string[] = [];
    for (let i = 0; i < 60; i++) {
      texts.push(doc(i));
      labels.push(i < 54 ? 'a' : 'b');
    }
    texts.push('', 'ok');
    labels.push('a', 'a');
    texts.push(texts[3]!.toUpperCase()); // exact copy after case folding, other label
    labels.push('b');
    texts.push(texts[5]!.replace(/^\w+/, 'changed')); // near copy: one word of 40 changed
    labels.push('a');
    const tokens = texts.map(tokenize);
    const split = new Uint8Array(texts.length);
    split[texts.length - 1] = 2; // the near copy is in test, its original (5) in train
    const q = textQuality(texts, tokens, labels, split);
    expect(q.empty).toBe(1);
    expect(q.nearEmpty).toBe(1);
    expect(q.exactDuplicates).toBe(1);
    expect(q.conflictingDuplicates).toBe(1);
    expect(q.nearDuplicatePairs).toBe(1);
    expect(q.trainTestOverlap).toBe(1);
    expect(q.alerts.map((a) => a.code).sort()).toEqual(['CLASS_IMBALANCE', 'DUPLICATE_TEXTS', 'EMPTY_TEXTS', 'NEAR_DUPLICATE_TEXTS', 'TRAIN_TEST_OVERLAP']);
    expect(q.alerts.find((a) => a.code === 'DUPLICATE_TEXTS')!.severity).toBe('error');
  });

  it('finds a signature most documents share, and a language mix', () => {
    const texts = Array.from({ length: 20 }, (_, i) => (i % 2 ? `The printer ${words[i]} is broken and the queue is stuck for you.` : `Le serveur ${words[i]} est en panne et les utilisateurs ne peuvent pas se connecter.`) + '\n--\nACME Corp. This e-mail is confidential and meant for its recipient only.');
    const q = textQuality(texts, texts.map(tokenize), texts.map((_, i) => String(i % 2)));
    expect(q.boilerplate[0]).toEqual({ line: 'ACME Corp. This e-mail is confidential and meant for its recipient only.', share: 1 });
    expect(q.languages).toEqual({ english: 10, french: 10 });
    // Same template with one word changed: near copies too, rightly.
    expect(q.alerts.map((a) => a.code).sort()).toEqual(['BOILERPLATE', 'LANGUAGE_MIX', 'NEAR_DUPLICATE_TEXTS']);
  });

  it('tells scripts apart', () => {
    for (const [text, language] of [
      ['Это тестовое сообщение о сломанном принтере', 'Cyrillic'],
      ['这是一个关于打印机的测试消息', 'Chinese'],
      ['これはプリンターについてのテストです', 'Japanese'],
      ['이것은 프린터에 관한 테스트입니다', 'Korean'],
      ['Der Drucker ist nicht mit dem Netz verbunden und die Warteschlange ist voll', 'german'],
    ] as const) expect(guessLanguage(text, tokenize(text))).toBe(language);
  });
});
