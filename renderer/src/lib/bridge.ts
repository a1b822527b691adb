/**
 * The renderer's one way to the backend: typed calls over the contract's channels, push events,
 * and file picking. Two transports, one API: the desktop preload (`window.pilot`, Electron IPC)
 * or HTTP + a server-sent event stream in serve mode. Pages never call fetch or IPC
 * themselves.
 */
import type { ApiError, ChannelInput, ChannelName, ChannelOutput, PushEvent, Result } from '../../../main/contract/index.js';
import type { DesktopBridge } from '../../../main/contract/bridge.js';

/** A call that came back `{ ok: false }`: the message is the envelope's, ready to show. */
export class ApiCallError extends Error {
  override name = 'ApiCallError';
  readonly code: ApiError['code'];
  readonly issues: ApiError['issues'];
  constructor(
    readonly channel: string,
    error: ApiError,
  ) {
    super(error.message);
    this.code = error.code;
    this.issues = error.issues;
  }
}

/** The message to show for anything a call may throw. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const desktop = (globalThis as { pilot?: DesktopBridge }).pilot;
/** True in the Electron window (native dialogs available), false in a browser (serve mode). */
export const isDesktop = desktop?.desktop === true;

const TOKEN_KEY = 'pilot.token';

/**
 * Serve mode's token: taken from `?token=` once, kept for the tab in sessionStorage (so reloads
 * work) and removed from the address bar, so it is not left in screenshots or bookmarks.
 */
function takeToken(): string {
  if (isDesktop || typeof location === 'undefined') return '';
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}
const token = takeToken();

/** Serve mode opened without its token (a new tab, a bookmark): no call can succeed, so the page says how to get back in. */
export const tokenMissing = !isDesktop && typeof location !== 'undefined' && token === '';

const unauthorizedListeners = new Set<() => void>();
/** Called when the server refuses the token (401): it changed since the tab was opened, e.g. the server restarted. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Keeps a token the user pasted for this tab, then reloads the page with it. */
export function useToken(value: string): void {
  const cleaned = value.trim().replace(/^.*[?&]token=/, '').replace(/[&#].*$/, '');
  if (!cleaned) return;
  sessionStorage.setItem(TOKEN_KEY, cleaned);
  location.reload();
}

function unreachable(channel: string): ApiCallError {
  return new ApiCallError(channel, {
    code: 'unavailable',
    message: 'The workbench server does not answer. Check that `pilot serve` is still running, then reload the page.',
  });
}

async function httpInvoke(channel: string, input: unknown): Promise<Result<unknown>> {
  let response: Response;
  try {
    response = await fetch(`/api/invoke/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input ?? {}),
    });
  } catch {
    throw unreachable(channel);
  }
  if (response.status === 401) for (const listener of unauthorizedListeners) listener();
  return readEnvelope(channel, response);
}

async function readEnvelope(channel: string, response: Response): Promise<Result<unknown>> {
  const body: unknown = await response.json().catch(() => null);
  if (body && typeof body === 'object' && 'ok' in body) return body as Result<unknown>;
  return { ok: false, error: { code: 'failed', message: `${channel}: the server answered ${response.status} ${response.statusText} without a result.` } };
}

/** Calls one channel; resolves with its value or throws an {@link ApiCallError}. */
export async function invoke<K extends ChannelName>(name: K, input: ChannelInput<K>): Promise<ChannelOutput<K>> {
  const result = (desktop ? await desktop.invoke(name, input) : await httpInvoke(name, input)) as Result<ChannelOutput<K>>;
  if (!result.ok) throw new ApiCallError(name, result.error);
  return result.value;
}

type Listener = (event: PushEvent) => void;
const listeners = new Set<Listener>();
const reconnectListeners = new Set<() => void>();
let stream: { close(): void } | null = null;

function dispatch(payload: unknown): void {
  if (!payload || typeof payload !== 'object' || (payload as { type?: unknown }).type !== 'job') return;
  for (const listener of listeners) listener(payload as PushEvent);
}

/**
 * Serve mode's event stream. EventSource retries dropped connections itself but gives up after
 * an HTTP error (the server restarting on another port, say), so closed streams are reopened
 * with a growing delay. Each (re)open is announced, because events may have been missed.
 */
function openEventSource(): { close(): void } {
  let source: EventSource | null = null;
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const connect = () => {
    source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
    source.addEventListener('open', () => {
      delay = 1000;
      for (const listener of reconnectListeners) listener();
    });
    source.addEventListener('job', (message) => {
      try {
        dispatch(JSON.parse((message as MessageEvent<string>).data));
      } catch {
        // A malformed frame is dropped; the next jobs:list refresh repairs the view.
      }
    });
    source.addEventListener('error', () => {
      if (source?.readyState !== EventSource.CLOSED || closed) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    });
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}

function ensureStream(): void {
  if (stream) return;
  if (desktop) {
    stream = { close: desktop.onEvent(dispatch) };
    queueMicrotask(() => reconnectListeners.forEach((listener) => listener()));
  } else {
    stream = openEventSource();
  }
}

/** Subscribes to push events (job progress); returns the unsubscribe function. */
export function onEvent(listener: Listener): () => void {
  listeners.add(listener);
  ensureStream();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && reconnectListeners.size === 0) {
      stream?.close();
      stream = null;
    }
  };
}

/** Called whenever the event stream (re)connects: refresh anything events may have missed. */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

/** Desktop only: the native open-file dialog. Resolves null when cancelled or in serve mode. */
export async function pickFile(filters?: { name: string; extensions: string[] }[]): Promise<string | null> {
  return desktop ? desktop.pickFile(filters) : null;
}

/** Desktop only: the native open-folder dialog (pictures or documents per class). Resolves null when cancelled or in serve mode. */
export async function pickFolder(): Promise<string | null> {
  return desktop ? desktop.pickFolder() : null;
}

/** Desktop only: the native save dialog writing `content`. Resolves null when cancelled or in serve mode. */
export async function saveFile(defaultName: string, content: string): Promise<string | null> {
  return desktop ? desktop.saveFile(defaultName, content) : null;
}

/**
 * Saves an export the way each surface does it: the native save dialog on the desktop, a browser
 * download in serve mode. Answers what happened, for the notice the page shows; null when the
 * user cancelled the dialog.
 */
export async function exportFile(fileName: string, content: string, type = 'text/html'): Promise<{ savedTo: string } | { downloaded: string } | null> {
  if (desktop) {
    const path = await desktop.saveFile(fileName, content);
    return path ? { savedTo: path } : null;
  }
  return saveBlob(new Blob([content], { type }), fileName);
}

/** Hands a blob to the browser as a download named `fileName`. */
function saveBlob(blob: Blob, fileName: string): { downloaded: string } {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob when the download starts; revoking at once can cancel it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { downloaded: fileName };
}

/** Desktop only: prints a self-contained HTML report to PDF and saves it. Resolves null when cancelled or in serve mode. */
export async function savePdf(defaultName: string, html: string): Promise<string | null> {
  return desktop ? desktop.savePdf(defaultName, html) : null;
}

/**
 * Serve mode only: sends a file from the browser to the server's data directory (`uploads/`) and
 * returns the path it was stored at, ready for `datasets:import`.
 */
export async function upload(file: File): Promise<{ path: string }> {
  if (isDesktop) throw new ApiCallError('upload', { code: 'invalid-input', message: 'Uploads are for serve mode; in the desktop app choose the file instead.' });
  let response: Response;
  try {
    response = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw unreachable('upload');
  }
  const result = (await readEnvelope('upload', response)) as Result<{ path: string }>;
  if (!result.ok) throw new ApiCallError('upload', result.error);
  return result.value;
}

/**
 * Takes away a file the workbench wrote (`DownloadReady` of a channel or a job): a browser download
 * over HTTP in serve mode (the token in a header, never in the URL), the native save dialog on the
 * desktop (text files: results CSVs, model cards). Null when the user cancelled the dialog.
 */
export async function downloadFile(id: string, fileName: string): Promise<{ savedTo: string } | { downloaded: string } | null> {
  if (desktop) {
    const { text } = await invoke('downloads:read', { id });
    const path = await desktop.saveFile(fileName, text);
    return path ? { savedTo: path } : null;
  }
  let response: Response;
  try {
    response = await fetch(`/api/download/${encodeURIComponent(id)}`, { headers: { Authorization: `Bearer ${token}` } });
  } catch {
    throw unreachable('download');
  }
  if (!response.ok) {
    const result = await readEnvelope('download', response);
    throw new ApiCallError('download', result.ok ? { code: 'failed', message: `download: the server answered ${response.status}.` } : result.error);
  }
  return saveBlob(await response.blob(), fileName);
}
