/**
 * A model version as one file, to move it between machines. The format is ours, small and
 * streamable:
 *
 *     PILOT-BUNDLE/1\n
 *     {manifest JSON on one line}\n
 *     bytes of files[0] | bytes of files[1] | …        (concatenated, no padding)
 *
 * The manifest lists each file's relative path, type (always `file`), size and SHA-256, plus the
 * registry's metadata of the version (`info`). Reading checks, before anything is used: the magic
 * line, the manifest's shape, every path (no `..`, no absolute path, no backslash, no link), the
 * total length (truncated or padded bundles are refused), every file's SHA-256 while it streams,
 * then the trainer's own `checksums.json` (`verifyArtifact`). Files are written into a fresh
 * folder next to the target and renamed into place only when all of that passed.
 */
import { PILOT_KINDS, PILOT_TASKS, type PilotKind, type PilotTask } from '../pilot-result.js';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { UserInputError } from '../protocol.js';
import { MODEL_FILES, plainArtifactFiles, verifyArtifact } from '../trainer/artifact.js';
import { isEncrypted } from '../trainer/encryption.js';
import { checkSignature, signManifest, type BundleSignature, type Signer, type SignerStatus } from './signing.js';

export const BUNDLE_MAGIC = 'PILOT-BUNDLE/1\n';
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const CHUNK = 1 << 16;

/** What the registry knows about the version, carried so an import can register it. */
export interface BundleVersionInfo {
  project: string;
  question: string;
  version: number;
  /** Which kind of pilot the version is (bundles written before kinds existed are tabular). */
  kind?: PilotKind;
  task: PilotTask;
  target: string;
  backend: string;
  datasetSha256: string;
  hyperparameters: Record<string, unknown>;
  testMetrics: Record<string, unknown>;
  baselines: Record<string, unknown>;
  description: string;
  /** The stage it had when exported (an import always starts as a candidate). */
  stage: string;
  createdAt: number;
  /** Parts of the training run's result worth keeping (fairness, row counts, features). */
  run: Record<string, unknown>;
}

export interface BundleEntry {
  path: string;
  type: 'file';
  size: number;
  sha256: string;
}

/** The manifest line. */
export interface BundleManifest {
  format: 'pilot-bundle';
  formatVersion: 1;
  createdAt: string;
  info: BundleVersionInfo;
  files: BundleEntry[];
  /** The exporting installation's Ed25519 signature of the rest of the manifest (absent: unsigned). */
  signature?: BundleSignature;
}

/**
 * A name that becomes part of a path somewhere (a project name in an export's file name, a
 * folder): printable, no path separators, no `..`, no leading dot or dash.
 */
export function nameProblem(name: string): string | null {
  if (name.trim() === '') return 'is empty';
  if (name.length > 200) return 'is longer than 200 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains control characters';
  if (/[/\\]/.test(name)) return 'contains a slash or backslash';
  if (name.split(/\s+/).some((part) => part === '..' || part === '.') || name.includes('..')) return 'contains ".."';
  if (/^[.-]/.test(name)) return 'starts with a dot or a dash';
  return null;
}

/** A file name built from a project name and a version: only letters, digits, `-`, `_` and `.` survive. */
export function bundleFileName(project: string, version: number): string {
  const slug = project.normalize('NFKD').replace(/[^\w.-]+/g, '-').replace(/\.{2,}/g, '.').replace(/^[-.]+|[-.]+$/g, '').slice(0, 80) || 'model';
  return `${slug}-v${version}.pilotmodel`;
}

const safeName = z.string().superRefine((name, ctx) => {
  const problem = nameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `the name ${problem}` });
});
const record = z.record(z.string(), z.unknown());

/** Every field of `info` with its type: a bundle is data from elsewhere, so nothing is taken on trust. */
const infoSchema = z.object({
  project: safeName,
  question: z.string().max(5000).default(''),
  version: z.number().int().min(1),
  kind: z.enum(PILOT_KINDS).default('tabular'),
  task: z.enum(PILOT_TASKS),
  // Anomaly models without labels have no target.
  target: z.string().max(500),
  backend: z.string().max(100).default('unknown'),
  datasetSha256: z.string().regex(/^([0-9a-f]{64})?$/).default(''),
  hyperparameters: record.default({}),
  // The headline metrics, when present, must be numbers: `evaluate` compares against them.
  testMetrics: record.and(z.object({ accuracy: z.number().optional(), r2: z.number().optional(), auc: z.number().nullable().optional() })).default({}),
  baselines: record.default({}),
  description: z.string().max(10_000).default(''),
  stage: z.string().max(50).default('candidate'),
  createdAt: z.number().default(0),
  run: record.default({}),
});

const manifestSchema = z.object({
  format: z.literal('pilot-bundle'),
  formatVersion: z.literal(1),
  createdAt: z.string(),
  info: infoSchema,
  files: z.array(z.object({ path: z.string(), type: z.string(), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).min(1).max(1000),
});

/** The artifact's files in the order a bundle carries them. */
const ARTIFACT_FILES = [...MODEL_FILES, 'checksums.json'];

/**
 * A relative path from a bundle, checked: refuses anything that could land outside `root`.
 * Returns the absolute destination.
 */
export function safeEntryPath(root: string, path: string): string {
  const bad = (why: string) => new UserInputError(`The bundle lists a file "${path.slice(0, 200)}" ${why}: it is refused, and nothing was imported. Only import bundles from a source you trust.`);
  if (path === '' || path.includes('\0')) throw bad('with an empty or invalid name');
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path) || path.startsWith('/')) throw bad('with an absolute path');
  if (path.includes('\\')) throw bad('with a backslash in its path');
  if (path.split('/').some((part) => part === '..' || part === '.' || part === '')) throw bad('whose path leaves the target folder (".." or empty parts)');
  const base = resolve(root);
  const full = resolve(base, path);
  if (!full.startsWith(base + sep)) throw bad('whose path leaves the target folder');
  return full;
}

async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Writes `artifactDir` (verified first) and `info` to the single file `target`. */
export async function writeBundle(
  artifactDir: string,
  info: BundleVersionInfo,
  target: string,
  signer?: Signer,
): Promise<{ path: string; bytes: number; sha256: string; files: BundleEntry[]; fingerprint: string | null }> {
  await verifyArtifact(artifactDir);
  const files: BundleEntry[] = [];
  for (const name of ARTIFACT_FILES) {
    const source = join(artifactDir, name);
    const info = await lstat(source);
    if (info.isSymbolicLink() || !info.isFile()) {
      throw new UserInputError(`${source} is not a plain file (a link or a folder): bundles carry plain files only. Restore the model folder, or train again.`);
    }
    files.push({ path: name, type: 'file', ...(await hashFile(source)) });
  }
  // A model encrypted at rest leaves in the clear (and signed), as every hand-off does: a bundle
  // is for another installation, which has not this one's key.
  const clear = isEncrypted(await readFile(join(artifactDir, 'weights.bin'))) ? new Map((await plainArtifactFiles(artifactDir)).map((file) => [file.path, Buffer.from(file.content)])) : null;
  if (clear) for (const entry of files) Object.assign(entry, { sha256: createHash('sha256').update(clear.get(entry.path)!).digest('hex'), size: clear.get(entry.path)!.length });
  const manifest: BundleManifest = { format: 'pilot-bundle', formatVersion: 1, createdAt: new Date().toISOString(), info, files };
  if ((await stat(target).catch(() => null)) !== null) throw new UserInputError(`${target} already exists; exporting never overwrites a file. Choose another name, or move the old bundle first.`);
  await mkdir(dirname(resolve(target)), { recursive: true });
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  const out = await open(partial, 'wx');
  const whole = createHash('sha256');
  let bytes = 0;
  const put = async (data: Buffer) => {
    whole.update(data);
    bytes += data.length;
    await out.write(data);
  };
  try {
    const unsigned = JSON.stringify(manifest);
    // The signature goes last, so the reader gets the signed bytes back by removing it.
    const line = signer ? JSON.stringify({ ...manifest, signature: signManifest(unsigned, signer) }) : unsigned;
    await put(Buffer.from(`${BUNDLE_MAGIC}${line}\n`));
    for (const entry of files) {
      if (clear) await put(clear.get(entry.path)!);
      else for await (const chunk of createReadStream(join(artifactDir, entry.path), { highWaterMark: CHUNK })) await put(chunk as Buffer);
    }
  } catch (error) {
    await out.close();
    await rm(partial, { force: true });
    throw error;
  }
  await out.close();
  await rename(partial, target);
  return { path: resolve(target), bytes, sha256: whole.digest('hex'), files, fingerprint: signer?.fingerprint ?? null };
}

/** Reads a bundle's manifest (magic line and shape checked) and where its file data starts. */
export async function readManifest(path: string, trusted: Set<string> = new Set()): Promise<{ manifest: BundleManifest; dataOffset: number; size: number; signer: SignerStatus }> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new UserInputError(`${path} does not exist or is not a file. Check the path of the bundle.`);
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(info.size, MAX_MANIFEST_BYTES + BUNDLE_MAGIC.length + 1));
    await handle.read(head, 0, head.length, 0);
    if (head.subarray(0, BUNDLE_MAGIC.length).toString('latin1') !== BUNDLE_MAGIC) {
      throw new UserInputError(`${path} is not a Pilot Workbench model bundle (it does not start with ${JSON.stringify(BUNDLE_MAGIC.trim())}). Export the version again with pilot models export.`);
    }
    const end = head.indexOf(0x0a, BUNDLE_MAGIC.length);
    if (end < 0) throw new UserInputError(`${path} is damaged: its manifest has no end. Export the version again.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(head.subarray(BUNDLE_MAGIC.length, end).toString('utf8'));
    } catch {
      throw new UserInputError(`${path} is damaged: its manifest is not valid JSON. Export the version again.`);
    }
    const checked = manifestSchema.safeParse(parsed);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new UserInputError(`${path} has a malformed manifest (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}). Nothing was imported; export the version again.`);
    }
    const manifest: BundleManifest = { ...checked.data, files: checked.data.files.map((f) => ({ ...f, type: 'file' as const })) };
    const odd = checked.data.files.find((f) => f.type !== 'file');
    if (odd) throw new UserInputError(`The bundle's entry "${odd.path.slice(0, 200)}" is a ${odd.type.slice(0, 40)}, not a plain file: links are refused, and nothing was imported.`);
    const signer = checkSignature(parsed as Record<string, unknown>, trusted, path);
    return { manifest, dataOffset: end + 1, size: info.size, signer };
  } finally {
    await handle.close();
  }
}

/**
 * Unpacks a bundle into `targetDir` (which must not exist yet) after every check in the header
 * comment. On any failure nothing is left behind.
 */
export async function readBundle(
  path: string,
  targetDir: string,
  signal?: AbortSignal,
  trusted: Set<string> = new Set(),
): Promise<{ manifest: BundleManifest; artifactDir: string; signer: SignerStatus }> {
  const { manifest, dataOffset, size, signer } = await readManifest(path, trusted);
  const staging = `${resolve(targetDir)}.partial-${randomBytes(4).toString('hex')}`;
  const seen = new Set<string>();
  for (const entry of manifest.files) {
    safeEntryPath(staging, entry.path);
    if (!ARTIFACT_FILES.includes(entry.path)) {
      throw new UserInputError(`The bundle carries "${entry.path.slice(0, 200)}", which is not one of a model's files (${ARTIFACT_FILES.join(', ')}): it is refused, and nothing was imported. Only import bundles from a source you trust.`);
    }
    if (seen.has(entry.path)) throw new UserInputError(`The bundle lists "${entry.path}" twice: it was tampered with. Nothing was imported.`);
    seen.add(entry.path);
  }
  const missing = ARTIFACT_FILES.filter((name) => !seen.has(name));
  if (missing.length) throw new UserInputError(`The bundle lacks ${missing.join(', ')}: it is not a complete model. Export the version again.`);
  const expected = dataOffset + manifest.files.reduce((sum, entry) => sum + entry.size, 0);
  if (size !== expected) {
    throw new UserInputError(
      size < expected
        ? `${path} is truncated (${size} bytes, its manifest needs ${expected}). Copy the bundle again.`
        : `${path} has ${size - expected} bytes more than its manifest lists: it was altered after export. Nothing was imported.`,
    );
  }
  if ((await stat(targetDir).catch(() => null)) !== null) throw new UserInputError(`${targetDir} already exists; importing never overwrites a folder.`);
  await mkdir(staging, { recursive: true });
  const handle = await open(path, 'r');
  try {
    let offset = dataOffset;
    const buffer = Buffer.alloc(CHUNK);
    for (const entry of manifest.files) {
      if (signal?.aborted) throw new UserInputError('The import was cancelled; nothing was imported.');
      const destination = safeEntryPath(staging, entry.path);
      await mkdir(dirname(destination), { recursive: true });
      const out = await open(destination, 'wx');
      const hash = createHash('sha256');
      try {
        for (let left = entry.size; left > 0; ) {
          const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, left), offset);
          if (bytesRead === 0) throw new UserInputError(`${path} ended early inside ${entry.path}. Copy the bundle again.`);
          const chunk = buffer.subarray(0, bytesRead);
          hash.update(chunk);
          await out.write(chunk);
          offset += bytesRead;
          left -= bytesRead;
        }
      } finally {
        await out.close();
      }
      if (hash.digest('hex') !== entry.sha256) {
        throw new UserInputError(`${entry.path} in ${path} does not match its SHA-256: the bundle was damaged or tampered with. Nothing was imported; export the version again.`);
      }
    }
    await verifyArtifact(staging);
    await rename(staging, targetDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    await handle.close();
  }
  return { manifest, artifactDir: resolve(targetDir), signer };
}
