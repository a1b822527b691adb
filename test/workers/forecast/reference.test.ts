/**
 * The linear autoregression's solver, the forecast metrics and the interval quantiles against
 * numpy (test/workers/forecast/reference.py, run once; its printed values are copied here).
 */
import { describe, expect, it } from 'vitest';
import { fitLinear, predictLinear } from '../../../workers/forecast/linear.js';
import { compareErrors, forecastMetrics, maseScale, quantile } from '../../../workers/forecast/metrics.js';

describe('linear autoregression solver', () => {
  it('matches numpy on a multi-output least-squares problem with an intercept', () => {
    const n = 60;
    const d = 5;
    const k = 3;
    const w = [
      [1.0, -2.0, 0.5],
      [0.3, 0.0, 1.0],
      [-1.0, 1.0, 2.0],
      [0.0, 0.5, -0.5],
      [2.0, 0.1, 0.0],
    ];
    const x = new Float32Array(n * d);
    const y = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = Math.sin(0.37 * i * (j + 1) + j);
      for (let h = 0; h < k; h++) {
        let s = 0.5 * h + Math.cos(0.9 * i + h) * 0.2;
        for (let j = 0; j < d; j++) s += x[i * d + j]! * w[j]![h]!;
        y[i * k + h] = s;
      }
    }
    const model = fitLinear(x, y, n, d, k);
    // numpy.linalg.solve of the same ridge system (it agrees with lstsq to 2.4e-6).
    const numpy = [
      [0.9983752105, -2.0016781184, 0.4998069492],
      [0.2803444759, -0.0421105504, 0.9741488686],
      [-0.9996056269, 0.9984113061, 1.9978889242],
      [-0.0133837801, 0.4944490336, -0.4926135504],
      [1.9969256338, 0.0966252311, -0.0005745935],
      [0.0014188567, 0.4949221581, 0.9930943774],
    ];
    // float32 inputs against numpy's float64: agreement to about 1e-5.
    numpy.flat().forEach((v, i) => expect(model.coefficients[i]!).toBeCloseTo(v, 4));
    const fitted = predictLinear(model, x, n);
    let worst = 0;
    for (let i = 0; i < n * k; i++) worst = Math.max(worst, Math.abs(fitted[i]! - y[i]!));
    expect(worst).toBeLessThan(0.5);
  });
});

describe('forecast metrics', () => {
  const actual = [10, 12, 0, 5, 8, 9, 20, 18];
  const predicted = [11, 10, 1, 5, 8, 12, 15, 20];
  const scale = maseScale([3, 5, 9, 4, 6, 10, 5, 7, 12, 4], 10, 3);

  it('MAE, RMSE, sMAPE and MASE overall and per step match numpy; MAPE is null with a zero actual', () => {
    expect(scale).toBeCloseTo(1.1428571428571428, 12);
    const m = forecastMetrics(actual, predicted, [scale, scale, scale, scale], 2);
    expect(m.mae).toBeCloseTo(1.75, 12);
    expect(m.rmse).toBeCloseTo(2.345207879911715, 12);
    expect(m.smape).toBeCloseTo(0.36921850079744817, 12);
    expect(m.mase).toBeCloseTo(1.53125, 12);
    expect(m.mape).toBeNull();
    expect(m.byStep.map((s) => s.mae)).toEqual([1.75, 1.75]);
    expect(m.byStep[0]!.rmse).toBeCloseTo(2.598076211353316, 12);
    expect(m.byStep[1]!.rmse).toBeCloseTo(2.0615528128088303, 12);
    expect(m.byStep[0]!.smape).toBeCloseTo(0.5952380952380952, 12);
    expect(m.byStep[1]!.smape).toBeCloseTo(0.1431989063568011, 12);
  });

  it('MAPE over the windows without a zero matches numpy', () => {
    const m = forecastMetrics(actual, predicted, [1, 1, 1, 1], 2, [0, 2, 3]);
    expect(m.mape).toBeCloseTo(0.16018518518518518, 12);
    expect(m.windows).toBe(3);
  });

  it('quantiles interpolate as numpy.quantile does', () => {
    const sorted = [-3.0, 1.5, 0.2, 7.0, -0.4, 2.2, 0.0].sort((a, b) => a - b);
    expect(quantile(sorted, 0.05)).toBeCloseTo(-2.22, 12);
    expect(quantile(sorted, 0.95)).toBeCloseTo(5.56, 12);
    expect(quantile(sorted, 0.5)).toBeCloseTo(0.2, 12);
  });
});

describe('compareErrors (Diebold–Mariano)', () => {
  it('matches numpy with a Newey–West variance', () => {
    const actual = [10, 12, 11, 13, 9, 8, 14, 15, 12, 12, 10, 9];
    const a = [9, 12, 12, 12, 9, 9, 13, 16, 12, 11, 11, 9];
    const b = [12, 10, 10, 15, 7, 9, 15, 12, 10, 13, 12, 8];
    const c = compareErrors(actual, a, b, [2, 2, 2, 1, 1, 1], 2, [0, 1, 2, 3, 4, 5], 3);
    expect(c.z).toBeCloseTo(-6.0, 10);
    expect(c.closer).toBeCloseTo(0.6, 12);
    expect(c.significant).toBe(true);
    // A model against itself: no difference.
    expect(compareErrors(actual, a, a, [1, 1, 1, 1, 1, 1], 2, [0, 1, 2, 3, 4, 5], 3)).toEqual({ closer: 0, z: 0, significant: false });
  });
});
