import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Dispatch } from '../../../../electron/core/api/dispatcher';
import {
  MAX_BODY_BYTES,
  UPLOAD_BODY_BYTES,
  startLoopbackServer,
  type LoopbackServer,
} from '../../../../electron/server/loopback-server';
import type { WireResult } from '../../../../shared/api/errors';

const TOKEN = 'a'.repeat(64);

type Reply = { status: number; headers: IncomingHttpHeaders; body: string };

type Call = { op: string; input: unknown; session: string | undefined };

function send(
  server: LoopbackServer,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function apiCall(
  server: LoopbackServer,
  op: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return send(server, {
    method: 'POST',
    path: `/api/${op}`,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      ...headers,
    },
    body,
  });
}

describe('startLoopbackServer', () => {
  let server: LoopbackServer;
  let dir: string;
  const calls: Call[] = [];
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const emit = (event: string, payload: unknown) => {
    for (const listener of [...listeners]) listener(event, payload);
  };

  const dispatch: Dispatch = (op, input, context) => {
    calls.push({ op, input, session: context?.session });
    const result: WireResult<unknown> =
      op === 'echo.ok'
        ? { ok: true, value: { input } }
        : {
            ok: false,
            error: { code: 'UNKNOWN_OPERATION', message: `Unknown operation "${op}".` },
          };
    return Promise.resolve(result);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'patchdeck-loopback-'));
    const staticDir = join(dir, 'renderer');
    await mkdir(join(staticDir, 'assets'), { recursive: true });
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>PatchDeck</title>');
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log("app");');
    await writeFile(join(dir, 'secret.txt'), 'outside the static root');
    await symlink(join(dir, 'secret.txt'), join(staticDir, 'link.txt'));
    server = await startLoopbackServer({
      dispatch,
      events: {
        subscribe(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      token: TOKEN,
      staticDir,
    });
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 with an OS-chosen port', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('answers a call with its WireResult and passes the session header on', async () => {
    const reply = await apiCall(server, 'echo.ok', '{"x":1}', { 'x-patchdeck-session': 'sess-1' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, value: { input: { x: 1 } } });
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(calls.at(-1)).toEqual({ op: 'echo.ok', input: { x: 1 }, session: 'sess-1' });
  });

  it('answers an error result with 400', async () => {
    const reply = await apiCall(server, 'nope.nothing', '{}');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_OPERATION' },
    });
    expect(calls.at(-1)?.session).toBeUndefined();
  });

  it('refuses a missing or wrong token with 401 before dispatching', async () => {
    const before = calls.length;
    const missing = await send(server, {
      method: 'POST',
      path: '/api/echo.ok',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const wrong = await apiCall(server, 'echo.ok', '{}', {
      authorization: `Bearer ${'b'.repeat(64)}`,
    });
    const short = await apiCall(server, 'echo.ok', '{}', { authorization: 'Bearer a' });
    expect([missing.status, wrong.status, short.status]).toEqual([401, 401, 401]);
    expect(calls.length).toBe(before);
  });

  it('refuses a foreign Host (DNS rebinding) and accepts localhost:<port>', async () => {
    const rebound = await apiCall(server, 'echo.ok', '{}', { host: `evil.example:${server.port}` });
    const otherPort = await apiCall(server, 'echo.ok', '{}', { host: '127.0.0.1:1' });
    const local = await apiCall(server, 'echo.ok', '{}', { host: `localhost:${server.port}` });
    expect(rebound.status).toBe(421);
    expect(otherPort.status).toBe(421);
    expect(local.status).toBe(200);
    const page = await send(server, { path: '/', headers: { host: 'evil.example' } });
    expect(page.status).toBe(421);
  });

  it('refuses a foreign Origin and accepts its own', async () => {
    const foreign = await apiCall(server, 'echo.ok', '{}', { origin: 'http://evil.example' });
    const nullOrigin = await apiCall(server, 'echo.ok', '{}', { origin: 'null' });
    const own = await apiCall(server, 'echo.ok', '{}', {
      origin: `http://127.0.0.1:${server.port}`,
    });
    expect(foreign.status).toBe(403);
    expect(nullOrigin.status).toBe(403);
    expect(own.status).toBe(200);
  });

  it('accepts JSON only (415 otherwise)', async () => {
    const form = await apiCall(server, 'echo.ok', 'a=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    const plain = await apiCall(server, 'echo.ok', '{}', { 'content-type': 'text/plain' });
    const withCharset = await apiCall(server, 'echo.ok', '{}', {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(form.status).toBe(415);
    expect(plain.status).toBe(415);
    expect(withCharset.status).toBe(200);
  });

  it('refuses a body over 1 MB with 413', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(MAX_BODY_BYTES) });
    const reply = await apiCall(server, 'echo.ok', big);
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false });
  });

  it('lets the file-carrying operations send a larger body, and only up to their own limit', async () => {
    const fileSized = JSON.stringify({ blob: 'x'.repeat(3 * MAX_BODY_BYTES) });
    const upload = await apiCall(server, 'imports.preview', fileSized);
    // The body reached the dispatcher (which knows no such operation in this test).
    expect(upload.status).toBe(400);
    expect(calls.at(-1)?.op).toBe('imports.preview');
    expect(JSON.parse(upload.body)).toMatchObject({ error: { code: 'UNKNOWN_OPERATION' } });
    const same = await apiCall(server, 'echo.ok', fileSized);
    expect(same.status).toBe(413);
    const tooBig = JSON.stringify({
      blob: 'x'.repeat(UPLOAD_BODY_BYTES['imports.preview'] ?? 0),
    });
    expect((await apiCall(server, 'imports.preview', tooBig)).status).toBe(413);
  });

  it('answers malformed JSON with VALIDATION_FAILED', async () => {
    const reply = await apiCall(server, 'echo.ok', '{"unterminated": ');
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });

  it('refuses other methods on the API', async () => {
    const reply = await send(server, {
      path: '/api/echo.ok',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(reply.status).toBe(405);
  });

  it('streams events over SSE with the token, and stops listening when the client leaves', async () => {
    const unauthorised = await send(server, { path: '/api/events' });
    expect(unauthorised.status).toBe(401);

    const received = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/api/events',
          headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' },
        },
        (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text.includes(': connected')) emit('audit.appended', { seq: 7, op: 'x' });
            if (text.includes('\n\nevent: audit.appended')) {
              const end = text.indexOf('\n\n', text.indexOf('event: audit.appended'));
              if (end !== -1) {
                req.destroy();
                resolve(text);
              }
            }
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
      req.end();
    });
    expect(received).toContain('event: audit.appended\ndata: {"seq":7,"op":"x"}\n\n');
    await expect.poll(() => listeners.size).toBe(0);
  });

  it('serves the renderer with the CSP and security headers', async () => {
    const page = await send(server, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>PatchDeck</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');

    const asset = await send(server, { path: '/assets/app.js' });
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.body).toContain('console.log');
  });

  it('falls back to index.html for client routes, but not for missing assets', async () => {
    const route = await send(server, { path: '/hosts/42?tab=packages' });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>PatchDeck</title>');
    const missing = await send(server, { path: '/assets/missing.js' });
    expect(missing.status).toBe(404);
  });

  it('makes path traversal impossible', async () => {
    for (const path of [
      '/../package.json',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/%2e%2e/package.json',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%00.js',
    ]) {
      const reply = await send(server, { path });
      expect(reply.status, path).toBe(400);
      expect(reply.body, path).not.toContain('outside the static root');
    }
    const link = await send(server, { path: '/link.txt' });
    expect(link.status).toBe(404);
    expect(link.body).not.toContain('outside the static root');
  });
});
