/**
 * The model card of one version: intended use, data and its quality, metrics with 95 % intervals
 * against the baselines, fairness per group, limitations, lineage, stage history. A pure function
 * of what the registry holds: main reads the rows and passes plain data (`CardData`); the card
 * renders to Markdown and HTML from one document, so both say the same.
 */
import { classificationIntervals, regressionIntervals, type MetricInterval } from './intervals.js';
import { toHtml, toMarkdown, type Block, type CardDocument, type Section } from './render.js';

/** A group's figures as the trainer records them (fairness.ts). */
export interface CardGroup {
  group: string;
  count: number;
  accuracy?: number;
  selectionRate?: number;
  tpr?: number | null;
  fpr?: number | null;
  mae?: number;
}

/** Everything the card shows, read from the registry by the caller. */
export interface CardData {
  /** When the card is generated (epoch ms) and by what (`Pilot Workbench 0.1.0`). */
  generatedAt: number;
  producer: string;
  project: { name: string; question: string };
  version: {
    id: number;
    version: number;
    stage: string;
    aliases: string[];
    task: string;
    target: string;
    backend: string;
    createdAt: number;
    description: string;
    datasetSha256: string;
    artifactSha256: string;
    hyperparameters: Record<string, unknown>;
    testMetrics: Record<string, unknown>;
    baselines: Record<string, unknown>;
  };
  /** The training run, when its row survives. */
  run: {
    rows: { train: number; validation: number; test: number } | null;
    backendReason: string | null;
    startedAt: number;
    finishedAt: number | null;
    features: string[];
    excluded: Array<{ column: string; reason: string }>;
    featureImportance: Array<{ column: string; importance: number }>;
    fairness: Array<{ column: string; groups: CardGroup[]; disparateImpact?: number | null; tprGap?: number | null }>;
    warnings: string[];
  } | null;
  dataset: { name: string; path: string; rowCount: number | null; changed: boolean } | null;
  quality: { id: number; score: number; createdAt: number; breakdown: Record<string, number>; alerts: Array<{ severity: string; message: string }> } | null;
  hardware: { hostname: string; cpu: string; gpus: string[]; os: string; memoryBytes: number | null } | null;
  history: Array<{ at: number; version: number | null; action: string; fromStage: string | null; toStage: string | null; alias: string | null; actor: string; reason: string }>;
  evaluations: Array<{ createdAt: number; file: string; metric: string; value: number | null; recorded: number | null }>;
  /** Sentences that weaken the lineage (from the registry's lineage check). */
  flags: string[];
}

/** The rendered card. */
export interface ModelCard {
  markdown: string;
  html: string;
  /** The metric intervals shown (for callers that want the numbers). */
  intervals: MetricInterval[];
}

const date = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const fmt = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3)) : v === null || v === undefined ? '—' : String(v));
const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${(v * 100).toFixed(1)} %` : '—');

interface Matrix {
  labels: string[];
  matrix: number[][];
}

/** The version's metric intervals from its recorded confusion matrix or residuals. */
export function intervalsOf(data: CardData): MetricInterval[] {
  const m = data.version.testMetrics;
  if (data.version.task === 'regression') return regressionIntervals(Array.isArray(m.residuals) ? (m.residuals as Array<{ actual: number; predicted: number }>) : []);
  const cm = m.confusionMatrix as Matrix | undefined;
  if (!cm?.matrix?.length) return [];
  const positive = data.version.task === 'binary' && typeof m.positiveClass === 'string' ? cm.labels.indexOf(m.positiveClass) : -1;
  return classificationIntervals(cm.matrix, positive >= 0 ? positive : null);
}

function headline(task: string, metrics: Record<string, unknown>): { name: string; value: number | null } {
  const name = task === 'regression' ? 'r2' : 'accuracy';
  return { name, value: typeof metrics[name] === 'number' ? (metrics[name] as number) : null };
}

function limitations(data: CardData, intervals: MetricInterval[]): string[] {
  const out: string[] = [];
  const v = data.version;
  const rows = data.run?.rows;
  if (rows && rows.test < 100) out.push(`The test split has only ${rows.test} rows, so the metrics are uncertain (see the intervals).`);
  const own = headline(v.task, v.testMetrics);
  const linear = headline(v.task, (v.baselines.linear ?? {}) as Record<string, unknown>);
  if (own.value !== null && linear.value !== null && own.value <= linear.value) {
    out.push(`The linear baseline does as well as the network or better (${own.name} ${fmt(linear.value)} against ${fmt(own.value)}): the simpler model may be enough.`);
  }
  const first = intervals[0];
  if (first && first.low !== null && linear.value !== null && own.name === first.metric && linear.value >= first.low && own.value !== null && own.value > linear.value) {
    out.push(`The network's lead over the linear baseline (${fmt(own.value)} against ${fmt(linear.value)}) is inside the 95 % interval of its ${own.name}: about the same on this test split.`);
  }
  for (const f of data.run?.fairness ?? []) {
    if (typeof f.disparateImpact === 'number' && f.disparateImpact < 0.8) {
      out.push(`Selection rates differ between groups of "${f.column}" (disparate impact ${f.disparateImpact.toFixed(2)}, below the four-fifths rule's 0.8): review before any use that affects people.`);
    }
  }
  if (data.dataset?.changed) out.push('The training file changed since (or is gone): retraining would not reproduce this version.');
  for (const alert of (data.quality?.alerts ?? []).filter((a) => a.severity !== 'info').slice(0, 8)) out.push(`Data quality (${alert.severity}): ${alert.message}`);
  for (const warning of data.run?.warnings ?? []) out.push(`Training: ${warning}`);
  out.push(
    'Validated on one held-out split of one file: it says how the model does on data like that file, not on other populations or later periods. Check new data for drift (pilot drift) and re-evaluate on labelled recent data (pilot evaluate).',
  );
  return out;
}

function fairnessBlocks(data: CardData): Block[] {
  const fairness = data.run?.fairness ?? [];
  if (!fairness.length) return [{ kind: 'paragraph', text: 'No protected attribute was named at training, so no per-group figures were recorded. Train with --protected to get them.' }];
  const regression = data.version.task === 'regression';
  return fairness.flatMap((f): Block[] => [
    {
      kind: 'paragraph',
      text: `By ${f.column}${typeof f.disparateImpact === 'number' ? `: disparate impact ${f.disparateImpact.toFixed(2)}` : ''}${typeof f.tprGap === 'number' ? `, true-positive-rate gap ${f.tprGap.toFixed(2)}` : ''}.`,
    },
    {
      kind: 'table',
      headers: regression ? ['Group', 'Test rows', 'MAE'] : ['Group', 'Test rows', 'Accuracy', 'Selected', 'TPR', 'FPR'],
      rows: f.groups.map((g) => (regression ? [g.group, String(g.count), fmt(g.mae)] : [g.group, String(g.count), fmt(g.accuracy), pct(g.selectionRate), fmt(g.tpr), fmt(g.fpr)])),
    },
  ]);
}

/** Builds the card document. */
export function cardDocument(data: CardData): { doc: CardDocument; intervals: MetricInterval[] } {
  const v = data.version;
  const intervals = intervalsOf(data);
  const baselineNames = Object.keys(v.baselines);
  const sections: Section[] = [
    {
      title: 'Intended use',
      blocks: [
        { kind: 'paragraph', text: data.project.question ? `Question: ${data.project.question}` : 'No question was recorded for this project.' },
        { kind: 'paragraph', text: `Predicts "${v.target}" (${v.task}) from ${data.run?.features.length ?? 'the'} input columns${data.run?.features.length ? `: ${data.run.features.join(', ')}` : ''}.` },
        ...(v.description ? [{ kind: 'paragraph' as const, text: v.description }] : []),
        { kind: 'paragraph', text: 'A pilot model: meant to measure whether the idea works on the organisation\u2019s own data, with people checking its answers. Not meant for automated decisions about individuals without review.' },
      ],
    },
    {
      title: 'Data',
      blocks: [
        {
          kind: 'list',
          items: [
            `Training file: ${data.dataset ? `${data.dataset.name} (${data.dataset.path}${data.dataset.rowCount === null ? '' : `, ${data.dataset.rowCount} rows`})` : 'no longer registered'}`,
            `SHA-256: ${v.datasetSha256}`,
            data.run?.rows ? `Split: ${data.run.rows.train} training, ${data.run.rows.validation} validation, ${data.run.rows.test} test rows (test rows never seen in training)` : 'Split: not recorded',
            ...(data.run?.excluded.length ? [`Left out: ${data.run.excluded.map((e) => `${e.column} (${e.reason})`).join('; ')}`] : []),
          ],
        },
        data.quality
          ? {
              kind: 'table',
              headers: ['Quality report', 'Score', ...Object.keys(data.quality.breakdown)],
              rows: [[`#${data.quality.id}, ${date(data.quality.createdAt)}`, `${data.quality.score.toFixed(0)}/100`, ...Object.values(data.quality.breakdown).map((x) => String(x))]],
            }
          : { kind: 'note', tone: 'warning', text: 'No quality report was recorded for the training data (run pilot quality on it).' },
      ],
    },
    {
      title: 'Metrics on the test split',
      blocks: [
        {
          kind: 'table',
          headers: ['Metric', 'Network', '95 % interval', 'Method', ...baselineNames.map((b) => `${b} baseline`)],
          rows: intervals.map((i) => [
            i.metric,
            fmt(i.value),
            i.low === null ? '—' : `${fmt(i.low)} – ${fmt(i.high)}`,
            i.method === 'wilson' ? 'Wilson score' : i.method === 'bootstrap' ? 'bootstrap (1,000 resamples of test rows)' : 'not available',
            ...baselineNames.map((b) => fmt(((v.baselines[b] ?? {}) as Record<string, unknown>)[i.metric])),
          ]),
        },
        ...(v.task === 'regression' && data.run?.rows && Array.isArray(v.testMetrics.residuals) && (v.testMetrics.residuals as unknown[]).length < data.run.rows.test
          ? [{ kind: 'note' as const, tone: 'info' as const, text: `Regression intervals come from the ${(v.testMetrics.residuals as unknown[]).length} test residuals the registry keeps, a sample of the ${data.run.rows.test} test rows.` }]
          : []),
        ...(typeof v.testMetrics.rocAuc === 'number' ? [{ kind: 'paragraph' as const, text: `ROC AUC ${fmt(v.testMetrics.rocAuc)} (no interval: it needs per-row scores, which the registry does not keep).` }] : []),
        ...(data.evaluations.length
          ? [{ kind: 'table' as const, headers: ['Evaluated', 'File', 'Metric', 'Value', 'At training'], rows: data.evaluations.map((e) => [date(e.createdAt), e.file, e.metric, fmt(e.value), fmt(e.recorded)]) }]
          : []),
      ],
    },
    { title: 'Fairness per group', blocks: fairnessBlocks(data) },
    { title: 'Limitations', blocks: [{ kind: 'list', items: limitations(data, intervals) }] },
    {
      title: 'Lineage',
      blocks: [
        {
          kind: 'list',
          items: [
            `Dataset SHA-256: ${v.datasetSha256}`,
            `Artifact SHA-256 (checksums.json): ${v.artifactSha256}`,
            `Backend: ${v.backend}${data.run?.backendReason ? ` — ${data.run.backendReason}` : ''}`,
            data.hardware
              ? `Hardware: ${data.hardware.hostname}, ${data.hardware.cpu}${data.hardware.gpus.length ? `, ${data.hardware.gpus.join(', ')}` : ', no GPU'}, ${data.hardware.os}`
              : 'Hardware: no profile recorded',
            data.run ? `Trained ${date(data.run.startedAt)}${data.run.finishedAt ? ` – ${date(data.run.finishedAt)}` : ''}` : 'Training run: no longer recorded',
            `Hyperparameters: ${Object.entries(v.hyperparameters).map(([k, x]) => `${k} ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(', ')}`,
            ...data.flags,
          ],
        },
      ],
    },
    {
      title: 'Stage history',
      blocks: [
        {
          kind: 'table',
          headers: ['When', 'Version', 'Change', 'By', 'Reason'],
          rows: data.history.map((e) => [
            date(e.at),
            e.version === null ? '' : `v${e.version}`,
            e.alias ? `${e.action} ${e.alias}` : e.fromStage || e.toStage ? `${e.action} ${e.fromStage ?? '—'} → ${e.toStage ?? '—'}` : e.action,
            e.actor,
            e.reason,
          ]),
        },
      ],
    },
  ];
  return {
    doc: {
      title: `Model card: ${data.project.name} version ${v.version}`,
      subtitle: `${v.stage}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''} · registered ${date(v.createdAt)} · generated ${date(data.generatedAt)} by ${data.producer}`,
      sections,
    },
    intervals,
  };
}

/** The card in Markdown and HTML. */
export function modelCard(data: CardData): ModelCard {
  const { doc, intervals } = cardDocument(data);
  return { markdown: toMarkdown(doc), html: toHtml(doc), intervals };
}
