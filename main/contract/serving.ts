/** Channels of the prediction service: publish a stage, alias or version behind a new API key, revoke it, list keys with their request figures. */
import { z } from 'zod';
import type { Publication, ServingStats } from '../../db/serving.js';
import { channel } from './define.js';

export type { Publication, ServingStats } from '../../db/serving.js';

/** A new publication, with its key: shown this once, never stored. */
export interface Published {
  publication: Publication;
  key: string;
  /** The path to POST rows to, on serve mode's address. */
  path: string;
}

/** A publication with the figures of the version its selector names now. */
export interface PublicationStatus {
  publication: Publication;
  /** The version the selector resolves to now (null when none does). */
  versionId: number | null;
  version: number | null;
  path: string;
  stats: ServingStats | null;
}

const ref = z.union([z.number().int().positive(), z.string().trim().min(1).max(300)], {
  error: 'Give a version: an id (12), PROJECT@N (churn@3), PROJECT@alias or PROJECT@production.',
});

export const servingChannels = {
  'serving:publish': channel<Published>()(
    z.object({ ref }).strict(),
    'Publishes PROJECT@stage|alias|N for prediction over HTTP (pilot serve) behind a new API key that can only predict; the answer holds the key, shown once.',
  ),
  'serving:unpublish': channel<Publication>()(z.object({ id: z.number().int().positive({ error: 'Give the publication id (pilot models publications lists them).' }) }).strict(), 'Revokes a publication\u2019s API key; its next request gets 403.'),
  'serving:list': channel<PublicationStatus[]>()(
    z.object({ project: z.union([z.number().int().positive(), z.string().trim().min(1).max(200)]).optional() }).strict(),
    'Publications (newest first), each with the request figures of the version it answers with now.',
  ),
};
