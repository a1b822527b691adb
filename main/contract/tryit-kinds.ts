/**
 * Channels for trying a registered version of every kind besides tables: what the panel shows
 * for it (`tryit:about`), documents typed, pasted or uploaded to a text version (`tryit:text`, a
 * `tryit.text` job: predicted class, probabilities and the words that drove it), and pictures to
 * an image version (`tryit:images`, a `tryit.image` job: top classes and saliency maps). Anomaly
 * and forecast versions are answered with what to use instead.
 */
import { z } from 'zod';
import type { TextPiiKind } from '../../workers/text/pii-spans.js';
import type { JobOf } from './jobs.js';
import { channel } from './define.js';

export type { TriedDocument, TryitTextResult } from '../../workers/tryit/text.js';
export type { TriedPicture, TryitImageResult } from '../../workers/tryit/image.js';
export type { TextPiiKind } from '../../workers/text/pii-spans.js';

/** Longest typed text, in characters (the text trainer's own cut, `workers/text/read.ts`). */
export const MAX_TYPED_CHARS = 100_000;
/** Most typed texts, document files and pictures per try. */
export const MAX_TYPED_TEXTS = 20;
export const MAX_TRY_FILES = 100;
export const MAX_TRY_PICTURES = 20;

interface AboutVersion {
  versionId: number;
  project: string;
  version: number;
}

/** What the try-it panel offers for a version, by its kind. */
export type TryAbout =
  | (AboutVersion & { kind: 'tabular' })
  | (AboutVersion & {
      kind: 'text';
      task: 'binary' | 'multiclass';
      classes: string[];
      /** Binary: the class called at or above the threshold. */
      positiveClass: string | null;
      threshold: number;
      textColumn: string;
      /** The label column the classes come from. */
      target: string;
      /** Trained on text with personal data masked: typed text is masked the same way before scoring. */
      maskPii: boolean;
      /** Characters of a document the model reads. */
      maxChars: number;
      limits: { typedChars: number; typedTexts: number; files: number; documents: number; csvMegabytes: number; documentMegabytes: number };
    })
  | (AboutVersion & { kind: 'image'; classes: string[]; side: number; channels: 1 | 3; limits: { pictures: number } })
  | (AboutVersion & { kind: 'anomaly' | 'forecast'; message: string; commands: string[] });

const ref = z.union([z.number().int().positive(), z.string().trim().min(1).max(300)], {
  error: 'Give a version: an id (12), PROJECT@N (churn@3) or PROJECT@alias (churn@champion).',
});

/** A file on the machine running the workbench (an upload's stored path in serve mode) and the name the user knows it by. */
const file = z
  .object({
    path: z.string().trim().min(1, 'Give the file’s path.').max(4096),
    name: z.string().trim().min(1, 'Give the file’s name.').max(255),
  })
  .strict();

export const tryitKindChannels = {
  'tryit:about': channel<TryAbout>()(
    z.object({ ref }).strict(),
    "What trying a version takes, by its kind: documents (a text version's classes, threshold and masking), pictures (an image version's classes and input size), a form of rows (tables: then tryit:schema), or what to use instead (anomaly, forecast).",
  ),
  'tryit:text': channel<JobOf<'tryit.text'>>()(
    z
      .object({
        ref,
        /** Documents typed or pasted. */
        texts: z
          .array(z.string().max(MAX_TYPED_CHARS, `A typed document may have at most ${MAX_TYPED_CHARS.toLocaleString('en')} characters; save a longer one as a .txt file and upload it.`))
          .min(1, 'Type or paste a document.')
          .max(MAX_TYPED_TEXTS, `Type at most ${MAX_TYPED_TEXTS} documents; score more as a CSV file.`)
          .optional(),
        /** Or files: one CSV/TSV with the model's text column, or .txt/.md/.eml documents. */
        files: z.array(file).min(1, 'Choose a file.').max(MAX_TRY_FILES, `Give at most ${MAX_TRY_FILES} files at once; score a folder with Predict.`).optional(),
        /** Documents whose words are highlighted (the first ones). */
        explainDocuments: z.number().int().min(0).max(200).default(20),
      })
      .strict()
      .refine((input) => (input.texts === undefined) !== (input.files === undefined), { error: 'Give either texts (typed) or files, not both.' })
      .refine((input) => input.texts === undefined || input.texts.some((t) => t.trim() !== ''), { error: 'The text is empty: paste or type a document (a ticket, an e-mail) to score.' }),
    "Queues scoring of typed documents, a small CSV (≤ 10,000 documents) or document files with a text version: each document's class, probabilities and highlighted words; the results CSV is a download.",
  ),
  'tryit:images': channel<JobOf<'tryit.image'>>()(
    z
      .object({
        ref,
        files: z.array(file).min(1, 'Choose a picture.').max(MAX_TRY_PICTURES, `Try at most ${MAX_TRY_PICTURES} pictures at once; score a folder with Predict (pilot predict VERSION FOLDER).`),
      })
      .strict(),
    'Queues scoring of one or a few pictures with an image version: top classes and a saliency map per picture; the results CSV is a download.',
  ),
};

/** Personal data found in a document, counted per kind. */
export type PersonalDataCounts = Partial<Record<TextPiiKind, number>>;
