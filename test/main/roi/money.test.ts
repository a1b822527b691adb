import { describe, expect, it } from 'vitest';
import { formatMoney, minorDigits, sumMinor, toDecimalString, toMajor, toMinor } from '../../../main/roi/money.js';

const NBSP = '\u00a0';

describe('minor units', () => {
  it('knows the minor digits of a currency', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
  });

  it('rounds half away from zero, to the cent, despite binary floating point', () => {
    expect(1.005 * 100).toBeLessThan(100.5); // the trap: 100.49999999999999
    expect(toMinor(1.005, 'USD')).toBe(101);
    expect(toMinor(-1.005, 'USD')).toBe(-101);
    expect(toMinor(2.675, 'USD')).toBe(268);
    expect(toMinor(0.1 + 0.2, 'USD')).toBe(30);
    expect(toMinor(1234.5, 'JPY')).toBe(1235);
    expect(toMinor(-0.004, 'USD')).toBe(0);
    expect(Object.is(toMinor(-0.004, 'USD'), -0)).toBe(false);
    expect(toMinor(1.0005, 'KWD')).toBe(1001);
  });

  it('adds cents exactly where floats do not', () => {
    const dimes = Array.from({ length: 10 }, () => 0.1);
    expect(dimes.reduce((a, b) => a + b, 0)).not.toBe(1); // 0.9999999999999999
    expect(sumMinor(dimes.map((d) => toMinor(d, 'USD')))).toBe(100);
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 2])).toThrow(RangeError);
  });

  it('writes exact decimal strings', () => {
    expect(toDecimalString(123456, 'USD')).toBe('1234.56');
    expect(toDecimalString(-5, 'USD')).toBe('-0.05');
    expect(toDecimalString(7, 'JPY')).toBe('7');
    expect(toDecimalString(1, 'KWD')).toBe('0.001');
    expect(toMajor(250, 'EUR')).toBe(2.5);
    expect(() => toDecimalString(1.5, 'USD')).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it('formats en-US dollars', () => {
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(formatMoney(-123456, 'USD', 'en-US')).toBe('-$1,234.56');
  });

  it('formats de-DE euros with a comma and a no-break space', () => {
    expect(formatMoney(123456, 'EUR', 'de-DE')).toBe(`1.234,56${NBSP}€`);
  });

  it('formats ja-JP yen with no minor digits', () => {
    expect(formatMoney(1234, 'JPY', 'ja-JP')).toBe('￥1,234');
    expect(formatMoney(toMinor(1234.5, 'JPY'), 'JPY', 'ja-JP')).toBe('￥1,235');
  });

  it('formats amounts beyond float precision exactly', () => {
    // 2^53 − 1 cents: a float division by 100 would not print the last digits right.
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
  });
});
