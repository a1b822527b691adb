/**
 * The `tryit.image` engine: one or a few pictures scored with a registered image version through
 * the one scoring path (`image/score.ts` `scorePictures`, as `pilot predict` scores), with the top
 * classes and, beside each picture, the saliency map of the evaluation galleries
 * (`image/evaluate.ts` `saliencyMap`: |gradient × input| of the predicted class) and the two laid
 * over each other. The results CSV has `pilot predict`'s columns for the same pictures.
 */
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { throwIfCancelled, UserInputError, type Engine } from '../protocol.js';
import { loadBestBackend } from '../tfjs/backend.js';
import { loadImageArtifact, type ImagePreprocessing } from '../image/artifact.js';
import { ImageReadError, loadImage, pixels, pngDataUrl, thumbnail } from '../image/decode.js';
import { saliencyMap } from '../image/evaluate.js';
import { csvField as quote } from '../image/predict.js';
import { argmaxRow, networkInput, scorePictures } from '../image/score.js';
import { registerWasmConvKernels } from '../image/wasm-conv.js';

/** Most pictures one try scores; a folder is for `pilot predict`. */
export const MAX_TRY_PICTURES = 20;
/** Side of the pictures shown, in pixels (the network's input is scaled up to about this). */
const SHOWN_SIDE = 192;

export const tryitImageInputSchema = z.object({
  artifactDir: z.string().min(1),
  /** The pictures: where each is, and the name the user knows it by. */
  files: z.array(z.object({ path: z.string().min(1), name: z.string().min(1) })).min(1).max(MAX_TRY_PICTURES),
  outPath: z.string().min(1),
  /** Classes listed per picture. */
  topK: z.number().int().min(1).max(20).default(5),
});
export type TryitImageInput = z.infer<typeof tryitImageInputSchema>;

/** One scored picture. */
export interface TriedPicture {
  name: string;
  /** Why it could not be used (then nothing else is set). */
  error: string | null;
  predicted: string | null;
  /** The most probable classes, most probable first. */
  top: Array<{ label: string; probability: number }>;
  /** The file itself, at most SHOWN_SIDE px on a side (PNG data URL). */
  original: string | null;
  /** The picture as the network saw it (resized, its colours), scaled up. */
  seen: string | null;
  /** |gradient × input| of the predicted class: brighter = more influence. */
  saliency: string | null;
  /** The saliency in red over the picture as seen. */
  overlay: string | null;
  /** Size of the file's picture. */
  width: number | null;
  height: number | null;
}

export interface TryitImageResult {
  kind: 'image';
  classes: string[];
  side: number;
  channels: 1 | 3;
  pictures: TriedPicture[];
  outPath: string;
  addedColumns: string[];
  method: string;
  warnings: string[];
  seconds: number;
}

export const tryitImageEngine: Engine<TryitImageInput, TryitImageResult> = async (input, ctx) => {
  const started = performance.now();
  ctx.progress({ fraction: 0.05, stage: 'Loading the model' });
  const { tf } = await loadBestBackend();
  if (tf.getBackend() === 'wasm') registerWasmConvKernels();
  const { model, preprocessing: pre } = await loadImageArtifact(tf, input.artifactDir);
  try {
    const k = pre.classes.length;
    const paths = input.files.map((f) => f.path);
    ctx.progress({ fraction: 0.15, stage: 'Predicting' });
    const { probs, errors, failed } = await scorePictures(tf, model, pre, paths, { signal: ctx.signal });
    if (failed === paths.length) {
      throw new UserInputError(
        paths.length === 1
          ? `${input.files[0]!.name} could not be read as a picture: ${errors[0]}. Give a JPEG, PNG, WebP, GIF, BMP or TIFF file.`
          : `None of the ${paths.length} pictures could be read (${input.files[0]!.name}: ${errors[0]}). Give JPEG, PNG, WebP, GIF, BMP or TIFF files.`,
      );
    }
    const pictures: TriedPicture[] = [];
    const scale = Math.max(1, Math.floor(SHOWN_SIDE / pre.side));
    for (const [i, file] of input.files.entries()) {
      throwIfCancelled(ctx.signal);
      ctx.progress({ fraction: 0.3 + 0.65 * (i / paths.length), stage: `Saliency of ${file.name}` });
      const none = { predicted: null, top: [], original: null, seen: null, saliency: null, overlay: null, width: null, height: null };
      if (errors[i]) {
        pictures.push({ name: file.name, error: errors[i]!, ...none });
        continue;
      }
      let image;
      let raw;
      try {
        image = await loadImage(file.path);
        raw = await pixels(image, pre.side, pre.side, pre.channels);
      } catch (error) {
        // Scored a moment ago, unreadable now (replaced meanwhile): said, not fatal.
        if (!(error instanceof ImageReadError)) throw error;
        pictures.push({ name: file.name, error: error.message, ...none });
        continue;
      }
      const best = argmaxRow(probs, i, k);
      const row = probs.subarray(i * k, (i + 1) * k);
      const order = Array.from(row, (_, c) => c).sort((a, b) => row[b]! - row[a]!);
      const heat = saliencyMap(tf, model, networkInput(raw, pre), pre.side, pre.channels, best);
      pictures.push({
        name: file.name,
        error: null,
        predicted: pre.classes[best]!,
        top: order.slice(0, input.topK).map((c) => ({ label: pre.classes[c]!, probability: row[c]! })),
        original: await thumbnail(image, SHOWN_SIDE),
        seen: await pngDataUrl(raw, pre.side, pre.side, pre.channels, scale),
        saliency: await pngDataUrl(heat, pre.side, pre.side, 1, scale),
        overlay: await pngDataUrl(overlay(raw, heat, pre), pre.side, pre.side, 3, scale),
        width: image.width,
        height: image.height,
      });
    }
    const warnings = failed > 0 ? [`${failed} of ${paths.length} pictures could not be read; each says why.`] : [];

    ctx.progress({ fraction: 0.97, stage: 'Writing the results' });
    const addedColumns = ['prediction', 'probability', ...pre.classes.map((c) => `probability_${c}`), 'error'];
    const lines = [['path', ...addedColumns].map(quote).join(',')];
    input.files.forEach((file, i) => {
      if (errors[i]) return void lines.push([file.name, '', '', ...pre.classes.map(() => ''), errors[i]!].map(quote).join(','));
      const best = argmaxRow(probs, i, k);
      lines.push([file.name, pre.classes[best]!, probs[i * k + best]!.toFixed(6), ...Array.from({ length: k }, (_, c) => probs[i * k + c]!.toFixed(6)), ''].map(quote).join(','));
    });
    await writeFile(input.outPath, `${lines.join('\n')}\n`, { flag: 'wx' });
    ctx.progress({ fraction: 1, stage: 'Done' });
    return {
      kind: 'image',
      classes: pre.classes,
      side: pre.side,
      channels: pre.channels,
      pictures,
      outPath: input.outPath,
      addedColumns,
      method: `Saliency, as in the pilot’s evaluation galleries: how much each pixel of the ${pre.side} × ${pre.side} picture the network reads moves the predicted class’s score (|gradient × input|), brightest = most.`,
      warnings,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    model.dispose();
  }
};

/** The saliency in red over a grey copy of the picture (side × side × 3). */
function overlay(raw: Uint8Array, heat: Uint8Array, pre: ImagePreprocessing): Uint8Array {
  const out = new Uint8Array(heat.length * 3);
  for (let p = 0; p < heat.length; p++) {
    let grey = 0;
    for (let c = 0; c < pre.channels; c++) grey += raw[p * pre.channels + c]!;
    grey = (grey / pre.channels) * 0.6;
    const a = (heat[p]! / 255) * 0.85;
    out[3 * p] = Math.round(grey * (1 - a) + 255 * a);
    out[3 * p + 1] = Math.round(grey * (1 - a) + 40 * a);
    out[3 * p + 2] = Math.round(grey * (1 - a));
  }
  return out;
}
