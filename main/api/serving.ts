/** Handlers of publications: keys are made here, only their SHA-256 is stored (db/serving.ts). */
import type { servingChannels } from '../contract/serving.js';
import { createHash, randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import * as registry from '../../db/registry.js';
import { getPublication, insertPublication, listPublications, revokePublication, servingStats } from '../../db/serving.js';
import type { App } from '../app-types.js';
import { AppError, notFound } from '../errors.js';
import type { HandlersOf } from './types.js';

function guard<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof registry.RegistryError) throw new AppError(error.code, error.message);
    throw error;
  }
}

function actor(app: App): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Containers without a passwd entry still say which surface acted.
  }
  return `${user} (${app.options.mode === 'cli' ? 'pilot cli' : app.options.mode === 'serve' ? 'serve' : 'app'})`;
}

const predictPath = (project: string, selector: string) => `/v1/models/${encodeURIComponent(project)}/${encodeURIComponent(selector)}:predict`;

export const servingHandlers: HandlersOf<typeof servingChannels> = {
  'serving:publish': (input, app) => {
    const version = guard(() => registry.resolveVersion(app.store.read, input.ref));
    // PROJECT@production keeps following the stage; an id or PROJECT@N pins that version.
    const text = String(input.ref);
    const at = text.lastIndexOf('@');
    const selector = at > 0 ? text.slice(at + 1).trim() : String(version.version);
    if (version.stage === 'archived') throw new AppError('conflict', `${version.projectName} version ${version.version} is archived: publish a version that is in use.`);
    const key = `pk_${randomBytes(24).toString('base64url')}`;
    const publication = insertPublication(app.store.write, {
      projectId: version.projectId,
      selector,
      keySha256: createHash('sha256').update(key).digest('hex'),
      keyPrefix: key.slice(0, 9),
      createdBy: actor(app),
      now: Date.now(),
    });
    return { publication, key, path: predictPath(version.projectName, selector) };
  },
  'serving:unpublish': (input, app) => {
    const publication = getPublication(app.store.read, input.id);
    if (!publication) throw notFound(`Publication ${input.id}`, 'List them with pilot models publications.');
    if (!revokePublication(app.store.write, input.id, Date.now())) throw new AppError('conflict', `Publication ${input.id} was already revoked.`);
    return getPublication(app.store.read, input.id)!;
  },
  'serving:list': (input, app) => {
    const projectId = input.project === undefined ? undefined : guard(() => registry.requireProject(app.store.read, input.project!).id);
    return listPublications(app.store.read, projectId).map((publication) => {
      let version: registry.RegistryVersion | null = null;
      try {
        version = registry.resolveVersion(app.store.read, `${publication.projectName}@${publication.selector}`);
      } catch {
        // The stage or alias names no version now; the list says so with nulls.
      }
      return {
        publication,
        versionId: version?.id ?? null,
        version: version?.version ?? null,
        path: predictPath(publication.projectName, publication.selector),
        stats: version ? servingStats(app.store.read, version.id) : null,
      };
    });
  },
};
