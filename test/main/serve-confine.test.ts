/**
 * A real `pilot serve` process on 127.0.0.1 is not a file-system oracle: paths in requests are
 * confined to its --allow roots (symbolic links resolved, secret folders refused), errors never
 * echo a file's bytes, uploads are capped with 413, and a cancel sent to it reaches a job that a
 * CLI process runs.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, root, tempDir } from '../helpers.js';

const { dir, cleanup } = tempDir('pilot-confine-');
const allowed = join(dir, 'allowed');
const dataDir = join(dir, 'data');
let serve: ChildProcess;
let port = 0;
let token = '';
let output = '';

beforeAll(async () => {
  mkdirSync(join(allowed, '.ssh'), { recursive: true });
  copyFileSync(fixture('iris.csv'), join(allowed, 'iris.csv'));
  // Shaped like /etc/shadow, inside an allowed folder: importable, but its bytes must never come back in an error.
  writeFileSync(join(allowed, 'shadow.json'), 'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n');
  writeFileSync(join(allowed, '.ssh', 'id_rsa.csv'), 'a,b\n1,2\n');
  symlinkSync('/etc/passwd', join(allowed, 'innocent.csv'));
  serve = spawn(process.execPath, ['bin/pilot.js', 'serve', '--port', '0', '--data-dir', dataDir, '--allow', allowed, '--max-upload', '1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  serve.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  serve.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<URL>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`pilot serve printed no URL:\n${output}`)), 30_000);
    const look = () => {
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
      if (match && output.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        done(new URL(match[0]));
      }
    };
    serve.stdout!.on('data', look);
    serve.stderr!.on('data', look);
  });
  port = Number(url.port);
  token = url.searchParams.get('token')!;
}, 60_000);

afterAll(() => {
  serve.kill('SIGTERM');
  cleanup();
});

interface Answer {
  status: number;
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string; allowedRoots?: string[] } };
}

async function api(channel: string, input: unknown): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}/api/invoke/${channel}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** An upload sent as raw HTTP: with a declared length (answered before the body is sent) or chunked. */
function upload(bytes: number, declared: boolean): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${token}`, Host: `127.0.0.1:${port}` };
    if (declared) headers['Content-Length'] = bytes;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/upload?name=big.csv', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    if (declared) return void req.flushHeaders(); // the server answers on the headers alone
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let sent = 0; sent < bytes; sent += chunk.length) req.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
    req.end();
  });
}

describe('pilot serve confines paths to its roots', () => {
  it('prints the roots it serves, and refuses system folders as roots at start', () => {
    expect(output).toContain(`Requests may use files in: ${dataDir}, ${allowed}.`);
    for (const bad of ['/etc', '/']) {
      const run = spawnSync(process.execPath, ['bin/pilot.js', 'serve', '--port', '0', '--data-dir', dataDir, '--allow', bad], { cwd: root, encoding: 'utf8', timeout: 30_000 });
      expect(run.status, bad).toBe(2);
      expect(run.stderr).toMatch(/never opens system folders/);
    }
  });

  it('imports a file inside a root, and answers 403 naming the roots for one outside (before: /etc/passwd imported)', async () => {
    expect((await api('datasets:import', { path: join(allowed, 'iris.csv') })).status).toBe(200);
    const refused = await api('datasets:import', { path: '/etc/passwd' });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.message).toContain(`outside the folders this server may use: ${dataDir}, ${allowed}`);
    expect(refused.body.error?.allowedRoots).toEqual([dataDir, allowed]);
    expect(JSON.stringify(refused.body)).not.toMatch(/root:x:0/);
  });

  it('resolves symbolic links and `..` before deciding', async () => {
    const link = await api('datasets:import', { path: join(allowed, 'innocent.csv') });
    expect(link.status).toBe(403);
    const dotdot = await api('datasets:import', { path: join(allowed, '..', '..', '..', 'etc', 'passwd') });
    expect(dotdot.status).toBe(403);
  });

  it('refuses secret folders inside a root', async () => {
    const secret = await api('datasets:import', { path: join(allowed, '.ssh', 'id_rsa.csv') });
    expect(secret.status).toBe(403);
    expect(secret.body.error?.message).toMatch(/credentials/);
  });

  it('confines every kind of path: hardware import, predictions out, exports, drift files, watch, image and GPU library folders', async () => {
    const cases: [string, unknown][] = [
      ['hardware:import', { path: '/etc/shadow' }],
      ['pilots:predict', { model: 1, path: join(allowed, 'iris.csv'), outPath: '/etc/cron.d/pwned.csv' }],
      ['models:export', { ref: 1, path: '/var/tmp/model.pilot' }],
      ['models:card', { ref: 1, format: 'md', path: '/usr/local/card.md' }],
      ['models:package', { ref: 1, path: '/opt-not-allowed/package' }],
      ['drift:check', { referencePath: join(allowed, 'iris.csv'), currentPath: '/proc/self/environ' }],
      ['settings:set', { key: 'drift.watch', value: { folder: '/etc', version: 'x@production' } }],
      ['settings:set', { key: 'gpu.libraryDirs', value: ['/usr/lib/x86_64-linux-gnu'] }],
      ['gpu:libraries', { dirs: ['/usr/local/cuda/lib64'] }],
      ['text:train', { path: '/etc/passwd', textColumn: 'a', target: 'b' }],
      ['image:scan', { source: '/usr/share/pixmaps' }],
      ['image:plan', { source: allowed, backbone: '/usr/share/pixmaps' }],
      ['image:train', { projectId: 1, source: allowed, backbone: '/usr/share/pixmaps' }],
      ['tryit:score', { ref: 1, path: '/etc/passwd', fileName: 'harmless.csv' }],
      ['tryit:score', { ref: 1, path: join(allowed, 'innocent.csv') }],
    ];
    for (const [channel, input] of cases) {
      const answer = await api(channel, input);
      expect(answer.status, channel).toBe(403);
      expect(answer.body.error?.message, channel).toContain(`${channel}:`);
    }
  });

  it('sends downloads only from its own downloads folder, by id, with the token', async () => {
    const get = (path: string, auth = true) => fetch(`http://127.0.0.1:${port}${path}`, { headers: auth ? { Authorization: `Bearer ${token}` } : {} });
    // Ids are 8–40 lowercase letters and digits: no separators, no dots, so nothing outside downloads/ can be named.
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', 'abc', 'ABCDEFGH12', '0123456789abcdef0123456789abcdef01234567x']) {
      expect((await get(`/api/download/${id}`)).status, id).toBe(404);
    }
    expect((await get('/api/download/0123456789abcdef01234567', false)).status).toBe(401);
    expect((await api('downloads:read', { id: '../../etc/passwd' })).status).toBe(400);
  });

  it('confines the paths an image CSV lists, naming the row (before: a CSV in a root could list /etc/…)', async () => {
    const pictures = join(allowed, 'pictures');
    mkdirSync(pictures, { recursive: true });
    writeFileSync(join(pictures, 'a.png'), 'not really a picture');
    writeFileSync(join(pictures, 'b.png'), 'not really a picture');
    symlinkSync('/etc/hostname', join(pictures, 'link.png'));
    const csv = (name: string, rows: string[]) => {
      writeFileSync(join(pictures, name), ['file,label', ...rows].join('\n') + '\n');
      return join(pictures, name);
    };
    const cases: [string, number, string][] = [
      [csv('absolute.csv', ['a.png,ok', '/etc/passwd,bad']), 3, '/etc/passwd'],
      [csv('dotdot.csv', ['a.png,ok', 'b.png,ok', '../../../../../etc/shadow,bad']), 4, '../../../../../etc/shadow'],
      [csv('symlink.csv', ['link.png,bad']), 2, 'link.png'],
      [csv('secret.csv', ['../.ssh/id_rsa.csv,bad']), 2, '../.ssh/id_rsa.csv'],
    ];
    for (const [source, line, listed] of cases) {
      for (const channel of ['image:scan', 'image:train', 'image:plan']) {
        const answer = await api(channel, { source, projectId: 1, epochs: 1 });
        expect(answer.status, `${channel} ${source}`).toBe(403);
        expect(answer.body.error?.message).toContain(`${channel}: ${source.split('/').at(-1)} line ${line} lists "${listed}"`);
      }
    }
    // A named path column is the one checked: here `image` points outside while `file` would not.
    const named = csv('named.csv', ['a.png,ok'].map((row) => `${row}`));
    writeFileSync(named, 'file,image,label\na.png,/etc/passwd,ok\n');
    expect((await api('image:scan', { source: named, pathColumn: 'image' })).status).toBe(403);
    // All inside: the scan is accepted (a job starts; its pictures are not decodable, which it reports itself).
    const fine = await api('image:scan', { source: csv('fine.csv', ['a.png,ok', 'b.png,other']) });
    expect(fine.status, JSON.stringify(fine.body)).toBe(200);
  });

  it('never echoes a file’s bytes in an error (before: hardware:import printed root:*:…)', async () => {
    const answer = await api('hardware:import', { path: join(allowed, 'shadow.json') });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toMatch(/shadow\.json is not JSON/);
    expect(JSON.stringify(answer.body)).not.toContain('root:*');
    expect(JSON.stringify(answer.body)).not.toContain('19000');
  });

  it('caps uploads with 413 and keeps nothing of a refused one (before: 150 MB accepted)', async () => {
    const small = await upload(200 * 1024, false);
    expect(small.status).toBe(200);
    const declared = await upload(5 * 1024 * 1024, true);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error.message).toMatch(/larger than this server accepts \(1 MB\).*--max-upload/);
    const streamed = await upload(1024 * 1024 + 64 * 1024, false);
    expect(streamed.status).toBe(413);
    const uploads = join(dataDir, 'uploads');
    const kept = existsSync(uploads) ? readdirSync(uploads).flatMap((folder) => readdirSync(join(uploads, folder))) : [];
    expect(kept).toEqual(['big.csv']); // the 200 KB one only
  });

  it('cancels a job that a CLI process owns (before: the job finished succeeded)', async () => {
    const cli = spawn(process.execPath, ['bin/pilot.js', 'jobs', 'selftest', '--steps', '300', '--step-ms', '100', '--json', '--data-dir', dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => cli.on('exit', done));
    try {
      const deadline = Date.now() + 30_000;
      let id = 0;
      while (!id && Date.now() < deadline) {
        id = Number(/Job (\d+) started/.exec(stderr)?.[1] ?? 0);
        await new Promise((done) => setTimeout(done, 100));
      }
      let job = (await api('jobs:get', { id })).body.value as { status: string };
      while (job.status !== 'running' && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 100));
        job = (await api('jobs:get', { id })).body.value as { status: string };
      }
      const asked = await api('jobs:cancel', { id });
      expect(asked.status).toBe(200);
      expect((asked.body.value as { cancelRequestedAt: number | null }).cancelRequestedAt).not.toBeNull();
      expect(await exited).toBe(1);
      expect(stderr).toMatch(/cancelled/);
      expect(((await api('jobs:get', { id })).body.value as { status: string }).status).toBe('cancelled');
    } finally {
      cli.kill('SIGKILL');
    }
  }, 90_000);
});
