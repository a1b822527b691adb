/**
 * The model card as a pure function: intervals against independent values (scipy/numpy,
 * reference/card_intervals.py), every registry string escaped in HTML and Markdown, and the
 * limitations it must state (a baseline that wins, a four-fifths failure, a small test split).
 */
import { describe, expect, it } from 'vitest';
import { modelCard, type CardData } from '../../../workers/export/card/card.js';
import { classificationIntervals, wilson } from '../../../workers/export/card/intervals.js';

const hostile = '<script>alert("x")</script> | *bold* & co';

function data(overrides: Partial<CardData> = {}): CardData {
  return {
    generatedAt: Date.UTC(2026, 11, 1, 12),
    producer: 'Pilot Workbench test',
    project: { name: `churn ${hostile}`, question: `Who leaves? ${hostile}` },
    version: {
      id: 3,
      version: 2,
      stage: 'production',
      aliases: ['champion'],
      task: 'binary',
      target: 'churn',
      backend: 'wasm',
      createdAt: Date.UTC(2026, 10, 20),
      description: '',
      datasetSha256: 'ab'.repeat(32),
      artifactSha256: 'cd'.repeat(32),
      hyperparameters: { hiddenLayers: [16], learningRate: 0.003 },
      testMetrics: { accuracy: 0.85, rocAuc: 0.9, positiveClass: 'yes', confusionMatrix: { labels: ['no', 'yes'], matrix: [[50, 10], [5, 35]] } },
      baselines: { majority: { accuracy: 0.6 }, linear: { accuracy: 0.87 } },
    },
    run: {
      rows: { train: 400, validation: 80, test: 100 },
      backendReason: 'tfjs-backend-wasm',
      startedAt: Date.UTC(2026, 10, 20),
      finishedAt: Date.UTC(2026, 10, 20, 0, 1),
      features: ['tenure', `plan ${hostile}`],
      excluded: [{ column: 'email', reason: 'personal data' }],
      featureImportance: [],
      fairness: [{ column: 'sex', groups: [{ group: `F ${hostile}`, count: 40, accuracy: 0.8, selectionRate: 0.2, tpr: 0.7, fpr: 0.1 }, { group: 'M', count: 60, accuracy: 0.88, selectionRate: 0.4, tpr: 0.8, fpr: 0.1 }], disparateImpact: 0.5, tprGap: 0.1 }],
      warnings: [],
    },
    dataset: { name: 'churn.csv', path: '/data/churn.csv', rowCount: 580, changed: false },
    quality: { id: 1, score: 91, createdAt: Date.UTC(2026, 10, 19), breakdown: { completeness: 99 }, alerts: [{ severity: 'warning', message: `"plan" is missing ${hostile}` }] },
    hardware: { hostname: 'gpu-box', cpu: 'AMD EPYC', gpus: [], os: 'Debian 12' },
    history: [{ at: Date.UTC(2026, 10, 21), version: 2, action: 'promote', fromStage: 'staging', toStage: 'production', alias: null, actor: 'alice (pilot cli)', reason: hostile }],
    evaluations: [],
    flags: [],
    ...overrides,
  } as CardData;
}

describe('model card intervals', () => {
  it('Wilson score interval equals the scipy computation', () => {
    const [low, high] = wilson(85, 100);
    expect(low).toBeCloseTo(0.7671644040916763, 9);
    expect(high).toBeCloseTo(0.9069401471634337, 9);
    const [l3, h3] = wilson(3, 10);
    expect(l3).toBeCloseTo(0.10779126740630099, 9);
    expect(h3).toBeCloseTo(0.6032218525388546, 9);
  });

  it('bootstrap intervals of F1 and balanced accuracy agree with numpy (20,000 resamples) within resampling noise', () => {
    const intervals = classificationIntervals([[50, 10], [5, 35]], 1);
    const f1 = intervals.find((i) => i.metric === 'f1')!;
    expect(f1.value).toBeCloseTo(0.8235294117647058, 12);
    expect(Math.abs(f1.low! - 0.725)).toBeLessThan(0.015);
    expect(Math.abs(f1.high! - 0.90324132)).toBeLessThan(0.015);
    const balanced = intervals.find((i) => i.metric === 'balancedAccuracy')!;
    expect(balanced.value).toBeCloseTo(0.8541666666666667, 12);
    expect(Math.abs(balanced.low! - 0.78125)).toBeLessThan(0.015);
    expect(Math.abs(balanced.high! - 0.92083333)).toBeLessThan(0.015);
  });
});

describe('model card', () => {
  it('has every section, escapes every registry string, and states its limitations', () => {
    const card = modelCard(data());
    for (const title of ['Intended use', 'Data', 'Metrics on the test split', 'Fairness per group', 'Limitations', 'Lineage', 'Stage history']) {
      expect(card.markdown).toContain(`## ${title}`);
      expect(card.html).toContain(`<h2>${title}</h2>`);
    }
    // No registry text becomes markup, in either format.
    expect(card.html).not.toContain('<script>');
    expect(card.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(card.markdown).not.toContain('<script>');
    expect(card.markdown).toContain('&lt;script&gt;');
    expect(card.markdown).toContain('\\| \\*bold\\*');
    expect(card.html.match(/<script/g)).toBeNull();
    // Metrics with intervals; the headline interval is Wilson's.
    expect(card.html).toMatch(/<td>accuracy<\/td><td>0\.850<\/td><td>0\.767 – 0\.907<\/td><td>Wilson score<\/td>/);
    // Limitations said plainly.
    expect(card.markdown).toMatch(/The linear baseline does as well as the network or better \(accuracy 0\.870 against 0\.850\)/);
    expect(card.markdown).toMatch(/disparate impact 0\.50, below the four-fifths rule/);
    expect(card.markdown).toMatch(/Data quality \(warning\)/);
    // Lineage and history.
    expect(card.markdown).toContain(`Dataset SHA-256: ${'ab'.repeat(32)}`);
    expect(card.html).toContain('<td>promote staging → production</td>');
  });

  it('says "about the same" when the lead over the baseline is inside the interval, and notes a small test split', () => {
    const base = data();
    const close = modelCard(data({ version: { ...base.version, baselines: { linear: { accuracy: 0.8 } } } }));
    // 0.85 against 0.80, and 0.80 lies inside the Wilson interval 0.767–0.907 of the network's accuracy.
    expect(close.markdown).toMatch(/lead over the linear baseline \(0\.850 against 0\.800\) is inside the 95 % interval of its accuracy: about the same/);
    expect(close.markdown).not.toMatch(/does as well as the network/);
    const small = modelCard(data({ run: { ...base.run!, rows: { train: 40, validation: 10, test: 10 } } }));
    expect(small.markdown).toMatch(/The test split has only 10 rows/);
  });

  it('regression: intervals from the residuals, and a note when they are a sample', () => {
    const base = data();
    const residuals = Array.from({ length: 50 }, (_, i) => ({ actual: i, predicted: i + ((i % 5) - 2) }));
    const card = modelCard(
      data({
        version: { ...base.version, task: 'regression', testMetrics: { mae: 1.2, rmse: 1.41, r2: 0.99, residuals }, baselines: { linear: { r2: 0.5 } } },
        run: { ...base.run!, rows: { train: 300, validation: 60, test: 60 }, fairness: [] },
      }),
    );
    const mae = card.intervals.find((i) => i.metric === 'mae')!;
    // Residuals i mod 5 − 2 → |e| mean = (2+1+0+1+2)/5 = 1.2 exactly.
    expect(mae.value).toBeCloseTo(1.2, 12);
    expect(mae.low!).toBeLessThan(1.2);
    expect(mae.high!).toBeGreaterThan(1.2);
    expect(card.markdown).toMatch(/from the 50 test residuals the registry keeps, a sample of the 60 test rows/);
    expect(card.markdown).toMatch(/No protected attribute was named/);
  });
});
