/** Handlers of model cards and hand-off packages: registry rows are read here, the files written by workers/export. */
import type { exportChannels } from '../contract/export.js';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { evaluationTrend } from '../../db/evaluations.js';
import { getHardwareProfile } from '../../db/hardware.js';
import { getProject } from '../../db/projects.js';
import { getRun } from '../../db/runs.js';
import { getQualityReport } from '../../db/quality.js';
import { versionFacts } from '../../db/registry-lineage.js';
import * as registry from '../../db/registry.js';
import { modelCard, type CardData } from '../../workers/export/card/card.js';
import { checkTarget, writePackage } from '../../workers/export/index.js';
import type { App } from '../app-types.js';
import { AppError } from '../errors.js';
import { distPath } from '../locate.js';
import { lineageOf } from './models.js';
import type { HandlersOf } from './types.js';

function resolveRef(app: App, ref: string | number): registry.RegistryVersion {
  try {
    return registry.resolveVersion(app.store.read, ref);
  } catch (error) {
    if (error instanceof registry.RegistryError) throw new AppError(error.code, error.message);
    throw error;
  }
}

interface RunResult {
  features?: string[];
  excluded?: Array<{ column: string; reason: string }>;
  featureImportance?: Array<{ column: string; importance: number }>;
  fairness?: NonNullable<CardData['run']>['fairness'];
  warnings?: string[];
}

/** Everything the card shows, read from the registry. */
export async function cardData(app: App, version: registry.RegistryVersion): Promise<CardData> {
  const lineage = await lineageOf(app, versionFacts(app.store.read, version.id));
  // A run's stored result is the trainer's own JSON; the card reads the parts it shows, each optional.
  const result = (version.runId === null ? null : getRun(app.store.read, version.runId)?.result ?? null) as RunResult | null ?? {};
  const question = getProject(app.store.read, version.projectId)?.question ?? '';
  const quality = version.qualityReportId === null ? null : getQualityReport(app.store.read, version.qualityReportId);
  const hardware = version.hardwareProfileId === null ? null : getHardwareProfile(app.store.read, version.hardwareProfileId);
  return {
    generatedAt: Date.now(),
    producer: `Pilot Workbench ${app.options.version}`,
    project: { name: version.projectName, question },
    version: { ...version },
    run: lineage.run
      ? {
          rows: lineage.run.rows,
          backendReason: lineage.run.backendReason,
          startedAt: lineage.run.startedAt,
          finishedAt: lineage.run.finishedAt,
          features: result.features ?? [],
          excluded: result.excluded ?? [],
          featureImportance: result.featureImportance ?? [],
          fairness: result.fairness ?? [],
          warnings: result.warnings ?? [],
        }
      : null,
    dataset: lineage.dataset ? { name: lineage.dataset.name, path: lineage.dataset.path, rowCount: lineage.dataset.rowCount, changed: lineage.datasetChanged } : null,
    quality: quality
      ? {
          id: quality.id,
          score: quality.score,
          createdAt: quality.createdAt,
          breakdown: { ...quality.report.scoreBreakdown },
          alerts: quality.report.alerts.map((a) => ({ severity: a.severity, message: a.message })),
        }
      : null,
    hardware: hardware
      ? {
          hostname: hardware.hostname,
          cpu: hardware.report.cpu.model,
          gpus: hardware.report.gpus.map((g) => g.model),
          os: `${hardware.report.os.distro} ${hardware.report.os.release}`.trim(),
          memoryBytes: hardware.report.memory.totalBytes,
        }
      : null,
    history: registry.history(app.store.read, version.projectId, { versionId: version.id }),
    evaluations: evaluationTrend(app.store.read, version.id),
    flags: lineage.flags,
  };
}

export const exportHandlers: HandlersOf<typeof exportChannels> = {
  'models:card': async (input, app) => {
    const version = resolveRef(app, input.ref);
    const card = modelCard(await cardData(app, version));
    const path = resolve(input.path);
    const text = input.format === 'html' ? card.html : card.markdown;
    try {
      await writeFile(path, text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AppError('invalid-input', `${path} could not be written (${code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'the folder is read-only for this user' : (code ?? 'error')}). Choose another path.`);
    }
    return { format: input.format, path, bytes: Buffer.byteLength(text), intervals: card.intervals };
  },
  'models:package': async (input, app) => {
    const version = resolveRef(app, input.ref);
    const out = await checkTarget(input.path);
    const written = await writePackage(
      version.artifactDir,
      out,
      input.target,
      {
        project: version.projectName,
        version: version.version,
        stage: version.stage,
        task: version.task,
        target: version.target,
        createdAt: version.createdAt,
        datasetSha256: version.datasetSha256,
        backend: version.backend,
        hyperparameters: version.hyperparameters,
        testMetrics: version.testMetrics,
        producerVersion: app.options.version,
      },
      distPath('predict-server.mjs'),
    );
    return { target: input.target, path: written.path, bytes: written.bytes, files: written.files };
  },
};
