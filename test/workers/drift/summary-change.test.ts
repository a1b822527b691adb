import { expect, it } from 'vitest';
import { describeChange } from '../../../workers/drift/summary.js';

it('never says "fell from 0.86 to 0.86": more digits, or "stayed at"', () => {
  expect(describeChange('accuracy', 'fell', 0.9, 0.75)).toBe('accuracy fell from 0.90 to 0.75');
  expect(describeChange('accuracy', 'fell', 0.8612, 0.8571)).toBe('accuracy fell from 0.861 to 0.857');
  expect(describeChange('accuracy', 'fell', 0.86123, 0.86101)).toBe('accuracy fell from 0.8612 to 0.8610');
  expect(describeChange('accuracy', 'fell', 0.86, 0.86)).toBe('accuracy stayed at 0.86');
  expect(describeChange('MAE', 'rose', 424.2, 460.4)).toBe('MAE rose from 424 to 460');
});
