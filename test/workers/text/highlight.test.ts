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
