/** Handlers of the model registry and offline evaluation. Stage rules live in db/registry.ts. */
import type { modelChannels } from '../contract/models.js';
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { findDatasetId } from '../../db/datasets.js';
import { evaluationTrend, insertEvaluation, listEvaluations } from '../../db/evaluations.js';
import { getProject } from '../../db/projects.js';
import { insertImportedVersion } from '../../db/registry-import.js';
import { versionFacts, type VersionFacts } from '../../db/registry-lineage.js';
import * as registry from '../../db/registry.js';
import { runColumns } from '../../db/runs.js';
import type { Store } from '../../db/store.js';
import { bundleFileName, readBundle, writeBundle, type BundleVersionInfo } from '../../workers/evaluate/bundle.js';
import { loadOrCreateSigner, trustedKeys } from '../../workers/evaluate/signing.js';
import { exportOnnx, exportTfjs } from '../../workers/export/index.js';
import { sha256File } from '../../workers/trainer/artifact.js';
import type { App } from '../app-types.js';
import type { CompareRow, Comparison, Lineage } from '../contract/models.js';
import { AppError } from '../errors.js';
import type { JobSupervisor } from '../jobs/supervisor.js';
import { keyInfo, storeImported } from './at-rest.js';
import { compareFeatures } from './compare-features.js';
import { checkDataset } from './datasets.js';
import type { HandlersOf } from './types.js';
import { registryGuard, versionOf } from './version-ref.js';
import { requireReasonToPromote, versionVerdictById } from '../verdict/gather.js';
import { DEFAULT_THRESHOLD, metricsAtThreshold, operatingPoint, sameThreshold, tableThresholds } from '../../common/operating.js';

const guard = registryGuard;

/** Who made a change: the OS user and the surface (desktop app, serve mode, CLI). */
function change(app: App, reason: string): registry.Change {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Some containers have no passwd entry; the surface still says where the change came from.
  }
  const surface = app.options.mode === 'cli' ? 'pilot cli' : app.options.mode === 'serve' ? 'serve' : 'app';
  return { actor: `${user} (${surface})`, reason, now: Date.now() };
}

const resolveRef = (app: App, ref: string | number) => versionOf(app.store.read, ref);
const projectOf = (app: App, ref: string | number) => guard(() => registry.requireProject(app.store.read, ref));

export async function lineageOf(app: App, facts: VersionFacts): Promise<Lineage> {
  const flags: string[] = [];
  const datasetCheck = facts.dataset ? await checkDataset(facts.dataset) : null;
  let datasetChanged = false;
  if (!facts.dataset) flags.push('The training dataset is no longer registered: only its SHA-256 is known.');
  else if (datasetCheck?.status === 'missing') {
    datasetChanged = true;
    flags.push(datasetCheck.message ?? 'The training file is gone.');
  } else if (datasetCheck && datasetCheck.currentSha256 !== facts.version.datasetSha256) {
    datasetChanged = true;
    flags.push(`${facts.dataset.name} changed since version ${facts.version.version} was trained on it (its SHA-256 differs): retraining on it would not reproduce this version.`);
  }
  if (facts.version.qualityReportId === null) flags.push('No quality report was recorded for the training data.');
  if (facts.version.hardwareProfileId === null) flags.push('No hardware profile was recorded for the training machine.');
  return { ...facts, datasetCheck, datasetChanged, flags };
}

function row(name: string, values: Array<number | string | null>): CompareRow {
  return { name, values, differs: new Set(values.map((v) => JSON.stringify(v))).size > 1 };
}

function compare(facts: VersionFacts[]): Omit<Comparison, 'features' | 'featureChanges'> {
  const versions = facts.map((f) => f.version);
  const numericKeys = (pick: (v: registry.RegistryVersion) => Record<string, unknown>) =>
    [...new Set(versions.flatMap((v) => Object.entries(pick(v)).filter(([, value]) => typeof value === 'number' || value === null).map(([k]) => k)))];
  const scalar = (value: unknown): number | string | null =>
    value === undefined || value === null ? null : typeof value === 'number' || typeof value === 'string' ? value : JSON.stringify(value);
  return {
    versions,
    metrics: numericKeys((v) => v.testMetrics).map((k) => row(k, versions.map((v) => scalar(v.testMetrics[k])))),
    data: [
      row('dataset sha256', versions.map((v) => v.datasetSha256)),
      row('quality score', facts.map((f) => f.quality?.score ?? null)),
      row('quality report', facts.map((f) => f.quality?.id ?? null)),
      row('test rows', facts.map((f) => f.run?.rows?.test ?? null)),
    ],
    hyperparameters: [...new Set(versions.flatMap((v) => Object.keys(v.hyperparameters)))].map((k) => row(k, versions.map((v) => scalar(v.hyperparameters[k])))),
    environment: [
      row('backend', versions.map((v) => v.backend)),
      row('hardware profile', facts.map((f) => f.hardware?.id ?? null)),
      row('machine', facts.map((f) => f.hardware?.hostname ?? null)),
    ],
    fairness: facts.map((f) => f.run?.fairness ?? []),
  };
}

function bundleInfo(facts: VersionFacts, question: string): BundleVersionInfo {
  const v = facts.version;
  return {
    project: v.projectName,
    question,
    version: v.version,
    kind: v.kind,
    task: v.task,
    target: v.target,
    backend: v.backend,
    datasetSha256: v.datasetSha256,
    hyperparameters: v.hyperparameters,
    testMetrics: v.testMetrics,
    baselines: v.baselines,
    description: v.description,
    stage: v.stage,
    createdAt: v.createdAt,
    run: { fairness: facts.run?.fairness ?? [], rows: facts.run?.rows ?? null },
  };
}

/** The run's result fields the evaluation needs: protected attributes and columns left out on purpose. */
function runSettings(app: App, runId: number): { protected: string[]; excluded: string[] } {
  const columns = runColumns(app.store.read, runId);
  return { protected: columns.protected, excluded: columns.excluded.map((e) => e.column) };
}

/** The evaluation job's input as stored with the job (the engine ignores `versionId`). */
export function defineModelJobs(jobs: JobSupervisor, store: Store): void {
  jobs.define('evaluate.run', {
    resource: 'cpu',
    onResult(result, job) {
      const input = job.input;
      return insertEvaluation(store.write, { versionId: input.versionId, datasetId: findDatasetId(store.write, input.file, result.datasetSha256), result, jobId: job.id }, Date.now());
    },
  });
}

export const modelHandlers: HandlersOf<typeof modelChannels> = {
  'models:list': (input, app) =>
    guard(() => registry.listVersions(app.store.read, input.project === undefined ? undefined : registry.requireProject(app.store.read, input.project).id)),
  'models:show': async (input, app) => {
    const version = resolveRef(app, input.ref);
    return {
      version,
      lineage: await lineageOf(app, versionFacts(app.store.read, version.id)),
      history: registry.history(app.store.read, version.projectId, { versionId: version.id }),
      evaluations: evaluationTrend(app.store.read, version.id),
      verdict: versionVerdictById(app.store.read, version.id),
    };
  },
  'models:promote': (input, app) =>
    guard(() => {
      const id = resolveRef(app, input.ref).id;
      requireReasonToPromote(app.store.read, id, input.reason);
      return registry.promote(app.store.write, id, input.to, change(app, input.reason));
    }),
  'models:demote': (input, app) => guard(() => registry.demote(app.store.write, resolveRef(app, input.ref).id, change(app, input.reason))),
  'models:archive': (input, app) => guard(() => registry.archive(app.store.write, resolveRef(app, input.ref).id, change(app, input.reason))),
  'models:rollback': (input, app) => guard(() => registry.rollback(app.store.write, projectOf(app, input.project).id, change(app, input.reason))),
  'models:rollback-plan': (input, app) => guard(() => registry.rollbackPlan(app.store.read, projectOf(app, input.project).id)),
  'models:alias-set': (input, app) => guard(() => registry.setAlias(app.store.write, resolveRef(app, input.ref).id, input.alias, change(app, input.reason))),
  'models:alias-remove': (input, app) => guard(() => registry.removeAlias(app.store.write, projectOf(app, input.project).id, input.alias, change(app, input.reason))),
  'models:history': (input, app) => {
    const project = projectOf(app, input.project);
    const versionId = input.version === undefined ? undefined : resolveRef(app, input.version).id;
    return {
      project,
      events: registry.history(app.store.read, project.id, versionId === undefined ? {} : { versionId }),
      production: input.at === undefined ? null : registry.productionAt(app.store.read, project.id, input.at),
    };
  },
  'models:compare': async (input, app) => {
    const comparison = compare(input.refs.map((r) => versionFacts(app.store.read, resolveRef(app, r).id)));
    return { ...comparison, ...(await compareFeatures(app.store.read, comparison.versions)) };
  },
  'models:lineage': (input, app) => lineageOf(app, versionFacts(app.store.read, resolveRef(app, input.ref).id)),
  'models:export': async (input, app) => {
    const version = resolveRef(app, input.ref);
    if (input.format !== 'bundle') {
      const label = { project: version.projectName, version: version.version, producerVersion: app.options.version };
      const written = await (input.format === 'onnx' ? exportOnnx : exportTfjs)(version.artifactDir, resolve(input.path), label);
      return { format: input.format, path: written.path, bytes: written.bytes, files: written.files };
    }
    const facts = versionFacts(app.store.read, version.id);
    const question = getProject(app.store.read, version.projectId)?.question ?? '';
    let target = resolve(input.path);
    // The file name comes from a slug: a project name never decides where the bundle lands.
    if ((await stat(target).catch(() => null))?.isDirectory()) target = join(target, bundleFileName(version.projectName, version.version));
    const written = await writeBundle(version.artifactDir, bundleInfo(facts, question), target, loadOrCreateSigner(app.options.dataDir));
    return {
      format: 'bundle' as const,
      path: written.path,
      bytes: written.bytes,
      sha256: written.sha256,
      files: written.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
      fingerprint: written.fingerprint,
    };
  },
  'models:import': async (input, app) => {
    const source = resolve(input.path);
    const artifactDir = join(app.options.dataDir, 'models', `imported-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
    const { manifest, signer } = await readBundle(source, artifactDir, undefined, trustedKeys(app.options.dataDir));
    const info = manifest.info;
    // Every refusal after unpacking removes the unpacked folder: no unregistered models/imported-* stays behind.
    try {
      // Bundles travel in the clear: while encryption at rest is on, the weights are stored encrypted with this installation's key.
      const stored = await storeImported(app, artifactDir);
      const artifactSha256 = stored?.artifactSha256 ?? (await sha256File(join(artifactDir, 'checksums.json')));
      const signedBy = signer.status === 'trusted' ? `signed by a trusted key (${signer.fingerprint})` : signer.status === 'unknown-signer' ? `signed by an unknown key (${signer.fingerprint})` : 'unsigned';
      const version = guard(() =>
        insertImportedVersion(
          app.store.write,
          {
            ...info,
            kind: info.kind ?? 'tabular',
            run: { ...info.run, signer },
            artifactDir,
            artifactSha256,
            source: basename(source),
          },
          change(app, input.reason || `Imported from ${basename(source)}, ${signedBy} (version ${info.version} of ${info.project} where it was exported)`),
        ),
      );
      return { ...version, signer, encryptedAtRest: stored?.encrypted ?? false };
    } catch (error) {
      await rm(artifactDir, { recursive: true, force: true });
      throw error;
    }
  },
  'models:evaluate': async (input, app) => {
    const version = resolveRef(app, input.ref);
    const file = resolve(input.path);
    const info = await stat(file).catch(() => null);
    // A text version also reads a folder of class subfolders, as its training did; an image version a folder of class
    // subfolders (or a CSV of path + label).
    const folderOk = (version.kind === 'text' || version.kind === 'image') && info?.isDirectory() === true;
    if (!info?.isFile() && !folderOk) {
      throw new AppError(
        'invalid-input',
        version.kind === 'image'
          ? `${file} does not exist. Give a folder with one subfolder of pictures per class (or a CSV of path + label).`
          : info?.isDirectory()
            ? `${file} is a folder. Give the path of a labelled CSV file (only text and image versions are evaluated on a folder of class subfolders).`
            : `${file} does not exist or is not a file. Give the path of a labelled CSV file${version.kind === 'text' ? ', or a folder with one subfolder of documents per class' : ''}.`,
      );
    }
    const settings = runSettings(app, version.runId);
    return app.jobs.submit({
      kind: 'evaluate.run',
      title: `Evaluate ${version.projectName} v${version.version} on ${basename(file)}`,
      // Decided at the version's operating threshold, and compared with its test figures at that threshold.
      input: {
        versionId: version.id,
        artifactDir: version.artifactDir,
        file,
        recorded: metricsAtThreshold(version.testMetrics, version.threshold),
        ...(version.threshold !== null ? { threshold: version.threshold } : {}),
        ...settings,
      },
    });
  },
  'models:threshold': (input, app) => {
    const version = resolveRef(app, input.ref);
    if (version.task !== 'binary') {
      throw new AppError('invalid-input', `${version.projectName}@${version.version} is a ${version.task} model: only yes/no (binary) models have a threshold to choose.`);
    }
    const steps = tableThresholds(version.testMetrics);
    if (input.threshold !== null && !steps.some((t) => sameThreshold(t, input.threshold!))) {
      throw new AppError(
        'invalid-input',
        `${input.threshold} is not in ${version.projectName}@${version.version}'s threshold table, so its figures were never measured. Choose one of ${steps.map((t) => t.toFixed(2)).join(', ')}.`,
      );
    }
    const before = operatingPoint(version.testMetrics, version.threshold ?? DEFAULT_THRESHOLD);
    const threshold = input.threshold === null || sameThreshold(input.threshold, DEFAULT_THRESHOLD) ? null : steps.find((t) => sameThreshold(t, input.threshold!))!;
    const updated = guard(() => registry.setThreshold(app.store.write, version.id, threshold, change(app, input.reason)));
    return {
      version: updated,
      point: operatingPoint(version.testMetrics, threshold ?? DEFAULT_THRESHOLD),
      before,
      verdict: versionVerdictById(app.store.read, version.id),
    };
  },
  'models:key': (_input, app) => keyInfo(app),
  'models:evaluations': (input, app) => listEvaluations(app.store.read, resolveRef(app, input.ref).id),
};
