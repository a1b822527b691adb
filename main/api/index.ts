/**
 * The one door into the backend for the renderer (IPC or HTTP) and the CLI: checks that the
 * channel exists, validates the input with the contract's schema, runs the handler, and turns
 * every outcome into `{ ok: true, value } | { ok: false, error }`. Nothing a caller sends can
 * crash the process.
 */
import type { z } from 'zod';
import type { App } from '../app-types.js';
import { type ChannelName, type ChannelOutput, channels } from '../contract/index.js';
import { joinDistinct } from '../contract/define.js';
import { UserInputError } from '../../workers/protocol.js';
import { AppError, type ApiError, type Result } from '../errors.js';
import { appHandlers } from './app.js';
import { datasetHandlers } from './datasets.js';
import { qualityHandlers } from './quality.js';
import { hardwareHandlers } from './hardware.js';
import { modelHandlers } from './models.js';
import { pilotsHandlers } from './pilots.js';
import { roiHandlers } from './roi.js';
import { driftHandlers } from './drift.js';
import { anomalyHandlers } from './anomaly.js';
import { exportHandlers } from './export.js';
import { gpuHandlers } from './gpu.js';
import { servingHandlers } from './serving.js';
import { textHandlers } from './text.js';
import { imageHandlers } from './images.js';
import { forecastHandlers } from './forecast.js';
import { tryitHandlers } from './tryit.js';
import { tryitKindHandlers } from './tryit-kinds.js';
import type { HandlerMap } from './types.js';

const handlers: HandlerMap<ChannelName> = joinDistinct(
  'handler',
  appHandlers,
  datasetHandlers,
  qualityHandlers,
  hardwareHandlers,
  modelHandlers,
  pilotsHandlers,
  roiHandlers,
  driftHandlers,
  gpuHandlers,
  textHandlers,
  imageHandlers,
  anomalyHandlers,
  exportHandlers,
  servingHandlers,
  forecastHandlers,
  tryitHandlers,
  tryitKindHandlers,
);

export function isChannel(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

export async function invoke<K extends ChannelName>(app: App, name: K | string, input: unknown): Promise<Result<ChannelOutput<K>>> {
  if (!isChannel(name)) {
    return { ok: false, error: { code: 'unknown-channel', message: `There is no channel "${String(name).slice(0, 100)}". This is a bug in the caller.` } };
  }
  const schema = channels[name].input as z.ZodType;
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) return { ok: false, error: describeIssues(name, parsed.error) };
  try {
    const handler = handlers[name] as (input: unknown, app: App) => unknown;
    const value = (await handler(parsed.data, app)) as ChannelOutput<K>;
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: toApiError(name, error) };
  }
}

function describeIssues(name: string, error: z.ZodError): ApiError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message: issue.code === 'unrecognized_keys' ? `unexpected field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` : issue.message,
  }));
  const first = issues[0];
  return {
    code: 'invalid-input',
    message: `${name}: ${first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid input'}.`.replace(/\.\.$/, '.'),
    issues,
  };
}

function toApiError(name: string, error: unknown): ApiError {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  // Engines and libraries say "your input is wrong" with UserInputError; its message is already for people.
  if (error instanceof UserInputError) return { code: 'invalid-input', message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'failed', message: `${name} failed: ${message}` };
}
