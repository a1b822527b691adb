/** Serve mode's gate: the token is required and other sites' pages are refused. Plain HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './serve.js';

let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServe();
});

afterAll(async () => {
  await serve?.stop();
});

const call = (headers: Record<string, string>) =>
  fetch(`${serve.origin}/api/invoke/app:info`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });

describe('serve mode access control', () => {
  it('answers a call with the token from its own origin', async () => {
    const response = await call({ Authorization: `Bearer ${serve.token}`, Origin: serve.origin });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { ok: boolean }).ok).toBe(true);
  });

  it('refuses a call without the token with 401 and says what to do', async () => {
    const response = await call({});
    expect(response.status).toBe(401);
    const body = (await response.json()) as { ok: boolean; error: { message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.message).toContain('token');
  });

  it('refuses a wrong token with 401, including on the event stream', async () => {
    expect((await call({ Authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await fetch(`${serve.origin}/api/events`)).status).toBe(401);
  });

  it('refuses a call from a foreign Origin with 403, even with the token', async () => {
    const response = await call({ Authorization: `Bearer ${serve.token}`, Origin: 'http://evil.example' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('http://evil.example');
  });

  it('serves the page with a Content-Security-Policy that forbids inline scripts', async () => {
    const response = await fetch(`${serve.origin}/`);
    expect(response.status).toBe(200);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
