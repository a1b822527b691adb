/** The one estimate of a job's time left (workers/eta.ts), checked against figures worked out by hand. */
import { describe, expect, it } from 'vitest';
import { epochsLeftSeconds, secondsLeft } from '../../workers/eta.js';

describe('secondsLeft', () => {
  it('without an estimate of its own: the average pace so far over the fraction left', () => {
    // 30 s for a quarter: 90 s for the three quarters left.
    expect(secondsLeft(0.25, 30)).toBeCloseTo(90, 12);
    expect(secondsLeft(0.9, 45)).toBeCloseTo(5, 12);
    expect(secondsLeft(1, 45)).toBe(0);
  });

  it('says nothing before 1 % or half a second', () => {
    expect(secondsLeft(0.01, 30)).toBeNull();
    expect(secondsLeft(0.5, 0.5)).toBeNull();
    expect(secondsLeft(0, 10)).toBeNull();
  });

  it("a training's own estimate wins over the fraction: reading the data does not count as training", () => {
    // 20 s gone at 17.5 % (10 s reading, one 10 s epoch of 30): the fraction says 94 s, the pace 290 s.
    expect(secondsLeft(0.175, 20)).toBeCloseTo(94.2857, 3);
    expect(secondsLeft(0.175, 20, epochsLeftSeconds(29, 10))).toBe(290);
    expect(secondsLeft(0.9, 45, 0)).toBe(0);
    // A broken estimate falls back to the fraction.
    expect(secondsLeft(0.25, 30, Number.NaN)).toBeCloseTo(90, 12);
    expect(secondsLeft(0.25, 30, -1)).toBeCloseTo(90, 12);
  });
});

describe('epochsLeftSeconds', () => {
  it('the epochs left at the last epoch pace, never below zero', () => {
    expect(epochsLeftSeconds(26, 2.5)).toBe(65);
    expect(epochsLeftSeconds(0, 2.5)).toBe(0);
    expect(epochsLeftSeconds(-1, 2.5)).toBe(0);
  });
});
