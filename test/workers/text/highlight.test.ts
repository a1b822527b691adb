import { describe, expect, it } from 'vitest';
import { highlightPieces } from '../../../renderer/src/components/pilots/text/highlight.js';

describe('highlighting a document', () => {
  it('marks the words that drove the prediction, case-insensitively, and leaves the rest as text', () => {
    const pieces = highlightPieces('Click HERE for free money, click!', [
      { word: 'click', effect: 0.2 },
      { word: 'money', effect: -0.05 },
      { word: '<num>', effect: 0.1 },
    ]);
    expect(pieces).toEqual([
      { text: 'Click', effect: 0.2 },
      { text: ' HERE for free ', effect: null },
      { text: 'money', effect: -0.05 },
      { text: ', ', effect: null },
      { text: 'click', effect: 0.2 },
      { text: '!', effect: null },
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe('Click HERE for free money, click!');
  });
});

describe('highlighting what the tokenizer reads as one token', () => {
  it('marks placeholders, numbers, URLs and e-mail addresses with their normalised tokens, and never a word inside them', () => {
    const text = 'Call [PHONE] or mail [EMAIL] before 2024; see https://win.example.com/claim or bob@win.example.com, win now';
    const pieces = highlightPieces(text, [
      { word: '<phone>', effect: 0.3 },
      { word: '<email>', effect: 0.1 },
      { word: '<num>', effect: -0.02 },
      { word: '<url>', effect: 0.05 },
      { word: 'win', effect: 0.2 },
    ]);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
    expect(pieces.filter((p) => p.effect !== null)).toEqual([
      { text: '[PHONE]', effect: 0.3 },
      { text: '[EMAIL]', effect: 0.1 },
      { text: '2024', effect: -0.02 },
      { text: 'https://win.example.com/claim', effect: 0.05 },
      { text: 'bob@win.example.com', effect: 0.1 },
      { text: 'win', effect: 0.2 },
    ]);
  });
});
