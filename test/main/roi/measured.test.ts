import { describe, expect, it } from 'vitest';
import { modelErrorRateFromMetrics } from '../../../main/roi/measured.js';

describe('modelErrorRateFromMetrics', () => {
  it('turns accuracy into an error rate', () => {
    expect(modelErrorRateFromMetrics({ accuracy: 0.875 })).toEqual({ rate: 0.125, reason: null });
  });

  it('says why there is no error rate for regression, missing or broken metrics', () => {
    expect(modelErrorRateFromMetrics({ r2: 0.6 }).reason).toMatch(/regression/);
    expect(modelErrorRateFromMetrics(null).reason).toMatch(/no test metrics/);
    expect(modelErrorRateFromMetrics({ accuracy: Number.NaN }).rate).toBeNull();
    expect(modelErrorRateFromMetrics({ accuracy: 1.5 }).rate).toBeNull();
  });
});
