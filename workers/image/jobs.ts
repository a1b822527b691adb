/** The image scan and image prediction as job engines (input schemas + engines), beside `train.image`. */
import { z } from 'zod';
import type { Engine } from '../protocol.js';
import { predictImages, type ImagePredictResult } from './predict.js';
import { scanImages, type ImageScanReport } from './scan.js';

export const imageScanInputSchema = z.object({ source: z.string().min(1), pathColumn: z.string().optional(), labelColumn: z.string().optional() });
/** Input of `image.scan`. */
export type ImageScanInput = z.infer<typeof imageScanInputSchema>;

export const imageScanEngine: Engine<ImageScanInput, ImageScanReport> = (input, ctx) =>
  scanImages(input.source, ctx, {
    ...(input.pathColumn ? { pathColumn: input.pathColumn } : {}),
    ...(input.labelColumn ? { labelColumn: input.labelColumn } : {}),
  });

export const imagePredictInputSchema = z.object({
  artifactDir: z.string().min(1),
  input: z.string().min(1),
  outPath: z.string().min(1),
  force: z.boolean().optional(),
  escapeFormulas: z.boolean().optional(),
});
/** Input of `predict.image`. */
export type ImagePredictInput = z.infer<typeof imagePredictInputSchema>;

export const imagePredictEngine: Engine<ImagePredictInput, ImagePredictResult> = (input) =>
  predictImages(input.artifactDir, input.input, input.outPath, { ...(input.force !== undefined ? { force: input.force } : {}), ...(input.escapeFormulas !== undefined ? { escapeFormulas: input.escapeFormulas } : {}) });
