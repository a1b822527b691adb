/**
 * Starts `pilot serve` as a real process on a free port with a fresh data directory, reads the
 * printed URL, and stops it afterwards. The e2e tests drive the built app exactly as a user runs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface ServeProcess {
  /** The full URL with `?token=…`, as printed. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  token: string;
  dataDir: string;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export async function startServe(): Promise<ServeProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pilot-e2e-'));
  // The repository (fixtures) and the temporary folder (exports, predictions) are the roots
  // requests may use: serve mode refuses paths outside its --allow folders.
  const child = spawn(process.execPath, ['bin/pilot.js', 'serve', '--port', '0', '--data-dir', dataDir, '--allow', root, '--allow', tmpdir()], {
    cwd: root,
    env: { ...process.env, PILOT_HOME: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`pilot serve printed no URL within 20 s:\n${output}`)), 20_000);
    const look = () => {
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        done(match[0]);
      }
    };
    child.stdout.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`pilot serve exited with ${code} before printing its URL:\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    output: () => output,
    async stop() {
      await stopProcess(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Calls a channel of a running server as the page does (bearer token); throws the channel's error message. */
export async function invokeChannel<T>(serve: ServeProcess, channel: string, input: unknown): Promise<T> {
  const response = await fetch(`${serve.origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error?.message}`);
  return body.value as T;
}
