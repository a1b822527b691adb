/**
 * Exports of a model version for other runtimes: ONNX (network and numeric preprocessing in one
 * graph, `preprocessing.onnx.json` beside it) and the TensorFlow.js layers format the artifact
 * already is. Both check the artifact's checksums first and write a fresh folder atomically
 * (files.ts). Per pilot kind, one entry in `ONNX_EXPORTERS`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../protocol.js';
import { MODEL_FILES, plainArtifactFiles, verifyArtifact, type SavedPipeline } from '../trainer/artifact.js';
import { checkTarget, writeFolder, type WrittenFolder } from './files.js';
import { kservePackage, kubernetesPackage, mlflowPackage, tritonPackage, type PackageTarget, type PackageVersion } from './package/targets.js';
import { instructionsFor } from './onnx/instructions.js';
import { exportTabularOnnx, INPUT, type OnnxExport } from './onnx/tabular.js';
import { exportImageOnnx, type ImageOnnxExport } from './onnx/image.js';
import { imageOnnxReadme, onnxReadme, tfjsReadme } from './readmes.js';

export { checkTarget, writeFolder, type WrittenFile, type WrittenFolder } from './files.js';
export type { OnnxExport } from './onnx/tabular.js';
export type { ImageOnnxExport, ImageOnnxPreprocessing } from './onnx/image.js';
export { PACKAGE_TARGETS, type PackageTarget, type PackageVersion } from './package/targets.js';
export type { OnnxPreprocessing, ColumnInstruction } from './onnx/instructions.js';

/** The export formats besides the registry's own bundle. */
export type ExportFormat = 'onnx' | 'tfjs';

/** Any kind's ONNX export (`kind` tells which). */
export type KindOnnxExport = OnnxExport | ImageOnnxExport;

/** Converts one kind's verified artifact to ONNX. */
export type OnnxExporter = (artifactDir: string, producerVersion: string) => Promise<KindOnnxExport>;

/** Pilot kind (metadata.json's `kind`; tabular when absent) → its ONNX exporter. */
export const ONNX_EXPORTERS: Record<string, OnnxExporter> = {
  tabular: exportTabularOnnx,
  // kinds: one line per pilot kind below this line
  image: exportImageOnnx,
};

/** The pilot kind an artifact declares (artifacts written before kinds existed are tabular). */
export async function artifactKind(artifactDir: string): Promise<string> {
  const metadata = JSON.parse(await readFile(join(artifactDir, 'metadata.json'), 'utf8')) as { kind?: unknown };
  return typeof metadata.kind === 'string' ? metadata.kind : 'tabular';
}

/** Verifies the artifact's checksums and converts it; the ONNX bytes and instructions stay in memory. */
export async function toOnnx(artifactDir: string, producerVersion: string): Promise<KindOnnxExport> {
  await verifyArtifact(artifactDir);
  const kind = await artifactKind(artifactDir);
  const exporter = ONNX_EXPORTERS[kind];
  if (!exporter) {
    throw new UserInputError(
      `ONNX export of ${kind} pilots is not available yet (available: ${Object.keys(ONNX_EXPORTERS).join(', ')}). Export it in the TensorFlow.js format instead (--format tfjs).`,
    );
  }
  return exporter(artifactDir, producerVersion);
}

/** What the README of an export names: which version of which project. */
export interface ExportLabel {
  project: string;
  version: number;
  producerVersion: string;
}

/** Writes `target/` with model.onnx, preprocessing.onnx.json and a README of how to run it. */
export async function exportOnnx(artifactDir: string, target: string, label: ExportLabel): Promise<WrittenFolder> {
  const onnx = await toOnnx(artifactDir, label.producerVersion);
  return writeFolder(target, [
    { path: 'model.onnx', content: onnx.model },
    { path: 'preprocessing.onnx.json', content: `${JSON.stringify(onnx.preprocessing, null, 1)}\n` },
    { path: 'README.md', content: onnx.kind === 'image' ? imageOnnxReadme(label, onnx.preprocessing) : onnxReadme(label, onnx.preprocessing) },
  ]);
}

/** Writes `target/` with the artifact's TensorFlow.js files (unchanged, checksums included) and a README. */
export async function exportTfjs(artifactDir: string, target: string, label: ExportLabel): Promise<WrittenFolder> {
  // A model encrypted at rest leaves as a plain copy: the export is the hand-off.
  const files = await plainArtifactFiles(artifactDir);
  if ((await artifactKind(artifactDir)) === 'tabular') {
    const { preprocessing, target: spec } = JSON.parse(await readFile(join(artifactDir, 'preprocessing.json'), 'utf8')) as SavedPipeline;
    const instructions = instructionsFor(preprocessing, spec, INPUT, []);
    files.push({ path: 'preprocessing.onnx.json', content: new TextEncoder().encode(`${JSON.stringify(instructions, null, 1)}\n`) });
  }
  return writeFolder(target, [...files, { path: 'README.md', content: tfjsReadme(label) }]);
}

/** Writes the hand-off package for `target` as the new folder `out`. `serverFile` is the built prediction server (kubernetes only). */
export async function writePackage(artifactDir: string, out: string, target: PackageTarget, version: PackageVersion, serverFile: string): Promise<WrittenFolder> {
  await checkTarget(out);
  if (target === 'kubernetes') {
    await verifyArtifact(artifactDir);
    return writeFolder(out, await kubernetesPackage(version, artifactDir, serverFile, [...MODEL_FILES, 'checksums.json']));
  }
  const onnx = await toOnnx(artifactDir, version.producerVersion);
  if (onnx.kind !== 'tabular') {
    // Their configs and signatures describe one row of features.
    throw new UserInputError(`The ${target} package is made for tabular models; for this ${onnx.kind} model, export ONNX instead (pilot models export VERSION --format onnx) and serve model.onnx as its README shows.`);
  }
  const files = target === 'triton' ? tritonPackage(version, onnx) : target === 'kserve' ? kservePackage(version, onnx) : mlflowPackage(version, onnx);
  return writeFolder(out, files);
}
