import { describe, expect, it } from 'vitest';
import { channels } from '../../main/contract/index.js';
import { joinDistinct } from '../../main/contract/define.js';

describe('joinDistinct', () => {
  it('joins the maps and refuses a key two of them declare, naming it', () => {
    expect(joinDistinct('channel', { a: 1 }, { b: 2 })).toEqual({ a: 1, b: 2 });
    expect(() => joinDistinct('channel', { 'pilots:list': 1 }, { other: 2 }, { 'pilots:list': 3 })).toThrow('Two capabilities declare the channel "pilots:list"');
  });

  it('keeps every capability channel of the contract', () => {
    for (const name of ['app:info', 'datasets:import', 'quality:score', 'hardware:profile', 'models:list', 'pilots:train', 'roi:compute', 'drift:check']) {
      expect(Object.hasOwn(channels, name), name).toBe(true);
    }
  });
});
