import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

import { SESSION_HEADER } from '../../shared/api/channels';
import type { ErrorCode, WireResult } from '../../shared/api/errors';
import type { CoreEvents, Dispatch } from '../core/core';
import type { Logger } from '../core/platform/logger';

import { openSseStream, type SseStream } from './sse';
import { CONTENT_SECURITY_POLICY, resolveStaticFile } from './static-files';

/** The largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 1_000_000;

/**
 * Operations that carry a file's bytes (a CMDB export, a known_hosts file) from the browser, and
 * the larger body each may send: the file limit of the operation's schema, base64-encoded, plus
 * the JSON around it.
 */
export const UPLOAD_BODY_BYTES: Readonly<Record<string, number>> = {
  'imports.preview': 66_000_000,
  'hostKeys.importKnownHosts': 66_000_000,
  'hosts.importSshConfig': 1_500_000,
};

/** The body limit of one operation. */
function bodyLimitOf(op: string): number {
  return Object.hasOwn(UPLOAD_BODY_BYTES, op)
    ? (UPLOAD_BODY_BYTES[op] ?? MAX_BODY_BYTES)
    : MAX_BODY_BYTES;
}

const OP_PATH = /^\/api\/([A-Za-z0-9_.-]{1,100})$/;

/** Headers on every response. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** What the loopback server needs. */
export type LoopbackServerOptions = {
  /** The core's single entry point. */
  dispatch: Dispatch;
  /** The core's events, streamed to clients over SSE. */
  events: CoreEvents;
  /** The per-launch bearer token every API request must carry. */
  token: string;
  /** The port to listen on; 0 (the default) lets the OS choose. */
  port?: number;
  /** The built renderer, served for GET of any non-API path; nothing is served when absent. */
  staticDir?: string;
  log?: Logger;
};

/** A running loopback server. */
export type LoopbackServer = {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  /** Ends open event streams and connections, then stops listening. */
  close(): Promise<void>;
};

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {
    super(message);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares the bearer token in constant time (hashing first hides the length as well). */
function hasToken(req: IncomingMessage, expectedDigest: Buffer): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return false;
  const match = /^Bearer ([^\s]+)$/.exec(header.trim());
  if (!match?.[1]) return false;
  return timingSafeEqual(sha256(match[1]), expectedDigest);
}

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [mediaType, ...params] = header.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return params.every((param) => !param.startsWith('charset=') || param === 'charset=utf-8');
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  // Bodies up to this size are read and discarded after a 413 so the client sees the answer.
  const drainLimit = limit + 8 * MAX_BODY_BYTES;
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > drainLimit) {
    throw new HttpRefusal(413, 'VALIDATION_FAILED', 'The request body is too large.', {
      Connection: 'close',
    });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > drainLimit) {
      throw new HttpRefusal(413, 'VALIDATION_FAILED', 'The request body is too large.', {
        Connection: 'close',
      });
    }
    if (total <= limit) chunks.push(chunk);
  }
  if (total > limit) {
    throw new HttpRefusal(413, 'VALIDATION_FAILED', 'The request body is too large.');
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: WireResult<unknown>,
  extraHeaders: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...extraHeaders,
  });
  res.end(text);
}

function sendRefusal(res: ServerResponse, refusal: HttpRefusal): void {
  sendJson(
    res,
    refusal.status,
    { ok: false, error: { code: refusal.code, message: refusal.message } },
    refusal.extraHeaders,
  );
}

/**
 * Serves the same API as IPC on 127.0.0.1, for browser mode, tests and diagnostics.
 *
 * - `POST /api/<op>`: bearer token, JSON only, 1 MB limit; answers the WireResult (200 ok, 400
 *   error). The operator's session travels in the `x-patchdeck-session` header.
 * - `GET /api/events`: Server-Sent Events of every core event (token required).
 * - any other GET: the built renderer from `staticDir`, with SPA fallback to `index.html`.
 *
 * Every request must name this server in `Host` (DNS-rebinding defence) and, when it sends an
 * `Origin`, come from this server's own origin.
 */
export async function startLoopbackServer(options: LoopbackServerOptions): Promise<LoopbackServer> {
  const { dispatch, events, staticDir, log } = options;
  if (options.token.length < 16) throw new Error('The loopback server needs a real token.');
  const tokenDigest = sha256(options.token);
  const streams = new Set<SseStream>();
  let port = 0;

  const checkHostAndOrigin = (req: IncomingMessage): void => {
    const host = req.headers.host?.toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      log?.warn('loopback request with a foreign Host refused', { host: host ?? null });
      throw new HttpRefusal(
        421,
        'TRANSPORT_FAILED',
        'This server answers only to its own address.',
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      log?.warn('loopback request from a foreign Origin refused', { origin });
      throw new HttpRefusal(403, 'TRANSPORT_FAILED', 'Requests from other sites are refused.');
    }
  };

  const requireToken = (req: IncomingMessage): void => {
    if (!hasToken(req, tokenDigest)) {
      throw new HttpRefusal(401, 'TRANSPORT_FAILED', 'A valid launch token is required.', {
        'WWW-Authenticate': 'Bearer',
      });
    }
  };

  const handleCall = async (req: IncomingMessage, res: ServerResponse, op: string) => {
    requireToken(req);
    if (!isJsonContentType(req.headers['content-type'])) {
      throw new HttpRefusal(415, 'VALIDATION_FAILED', 'Send the request as application/json.');
    }
    const text = await readBody(req, bodyLimitOf(op));
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch {
      sendJson(res, 400, {
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON.' },
      });
      return;
    }
    const session = req.headers[SESSION_HEADER];
    const context = typeof session === 'string' && session !== '' ? { session } : {};
    const result = await dispatch(op, input, context);
    sendJson(res, result.ok ? 200 : 400, result);
  };

  const handleEvents = (req: IncomingMessage, res: ServerResponse) => {
    requireToken(req);
    const stream = openSseStream(req, res, events, SECURITY_HEADERS);
    streams.add(stream);
    void stream.closed.then(() => streams.delete(stream));
  };

  const handleStatic = async (req: IncomingMessage, res: ServerResponse, rawPath: string) => {
    const lookup = staticDir
      ? await resolveStaticFile(staticDir, rawPath)
      : { kind: 'not-found' as const };
    if (lookup.kind !== 'file') {
      const status = lookup.kind === 'bad-path' ? 400 : 404;
      res.writeHead(status, {
        ...SECURITY_HEADERS,
        'Cache-Control': 'no-store',
        'Content-Type': 'text/plain; charset=utf-8',
      });
      res.end(status === 400 ? 'Bad path.\n' : 'Not found.\n');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Cache-Control': 'no-cache',
      'Content-Type': lookup.contentType,
      'Content-Length': String(lookup.size),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(lookup.path), res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const rawUrl = req.url ?? '';
    if (!rawUrl.startsWith('/')) {
      throw new HttpRefusal(400, 'TRANSPORT_FAILED', 'Bad request target.');
    }
    checkHostAndOrigin(req);
    const path = rawUrl.split('?', 1)[0] ?? '';
    const method = req.method ?? 'GET';

    if (path === '/api/events') {
      if (method !== 'GET') {
        throw new HttpRefusal(405, 'TRANSPORT_FAILED', 'Use GET for events.', { Allow: 'GET' });
      }
      handleEvents(req, res);
      return;
    }
    if (path === '/api' || path.startsWith('/api/')) {
      if (method !== 'POST') {
        throw new HttpRefusal(405, 'TRANSPORT_FAILED', 'Use POST for API calls.', {
          Allow: 'POST',
        });
      }
      const op = OP_PATH.exec(path)?.[1];
      if (!op) {
        requireToken(req);
        throw new HttpRefusal(404, 'UNKNOWN_OPERATION', 'No such operation.');
      }
      await handleCall(req, res, op);
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      throw new HttpRefusal(405, 'TRANSPORT_FAILED', 'Only GET is served here.', {
        Allow: 'GET, HEAD',
      });
    }
    await handleStatic(req, res, path);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpRefusal) {
        sendRefusal(res, error);
        // A refused body is not read further; the connection closes after the answer.
        if (!req.complete) req.resume();
        return;
      }
      log?.error('loopback request failed', { url: req.url ?? '', error });
      sendJson(res, 500, {
        ok: false,
        error: { code: 'INTERNAL_ERROR', message: 'The server could not answer.' },
      });
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async close() {
      for (const stream of [...streams]) stream.close();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
  };
}
