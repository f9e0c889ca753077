import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import {
  classifyRemoteFailure,
  connectFailure,
} from '../../../../../electron/core/remote/classify';
import { checkPackageName } from '../../../../../electron/core/remote/command';
import { connect, type Target } from '../../../../../electron/core/remote/ssh-connection';
import { AppError, ERROR_CODES } from '../../../../../shared/api/errors';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback TCP server; `behaviour` decides what a client gets. */
async function listen(behaviour: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    behaviour(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const trustNothing = { check: () => ({ status: 'unknown' as const }) };

function target(port: number, connectTimeoutMs = 3000): Target {
  return {
    address: '127.0.0.1',
    port,
    username: 'patchsvc',
    auth: { kind: 'password', password: 'unused' },
    connectTimeoutMs,
    keepaliveIntervalMs: 0,
  };
}

async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return { error, classified: classifyRemoteFailure(error) };
  }
  throw new Error('expected a failure');
}

describe('classifyRemoteFailure on real connection attempts', () => {
  it('a closed port is connection-refused', async () => {
    const { error, classified } = await failureOf(
      connect(target(await closedPort()), { hostKeys: trustNothing }),
    );
    expect(error).toBeInstanceOf(AppError);
    expect(classified.kind).toBe('connection-refused');
    expect(classified.code).toBe('HOST_CONNECTION_REFUSED');
    expect(classified.action).toMatch(/SSH service/);
  });

  it('a server that accepts TCP but never speaks SSH is unreachable after the connect timeout', async () => {
    const port = await listen(() => undefined);
    const started = Date.now();
    const { classified } = await failureOf(connect(target(port, 500), { hostKeys: trustNothing }));
    expect(classified.kind).toBe('unreachable');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a reset before the handshake is unreachable', async () => {
    const port = await listen((socket) => socket.resetAndDestroy());
    const { classified } = await failureOf(connect(target(port), { hostKeys: trustNothing }));
    expect(classified.kind).toBe('unreachable');
  });

  it('a server speaking something else is not mistaken for an auth failure', async () => {
    const port = await listen((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const { classified } = await failureOf(connect(target(port), { hostKeys: trustNothing }));
    expect(['unreachable', 'connection-refused']).toContain(classified.kind);
  });
});

describe('classifyRemoteFailure on errors as ssh2 and Node report them', () => {
  const raw = (message: string, extra: Record<string, unknown>) =>
    Object.assign(new Error(message), extra);

  it.each([
    [raw('connect EHOSTUNREACH 10.9.9.9:22', { code: 'EHOSTUNREACH' }), 'unreachable'],
    [raw('connect ENETUNREACH 10.9.9.9:22', { code: 'ENETUNREACH' }), 'unreachable'],
    [raw('Timed out while waiting for handshake', { level: 'client-timeout' }), 'unreachable'],
    [raw('read ECONNRESET', { code: 'ECONNRESET' }), 'unreachable'],
    [raw('connect ECONNREFUSED 127.0.0.1:22', { code: 'ECONNREFUSED' }), 'connection-refused'],
    [
      raw('All configured authentication methods failed', { level: 'client-authentication' }),
      'auth-refused',
    ],
    [
      raw('Handshake failed: no matching host key format', { level: 'handshake' }),
      'connection-refused',
    ],
  ] as const)('%s → %s', (error, kind) => {
    expect(classifyRemoteFailure(error).kind).toBe(kind);
  });

  it('maps every remote AppError code to its kind, with an action sentence', () => {
    const codes = {
      HOST_KEY_UNKNOWN: 'host-key-unknown',
      HOST_KEY_CHANGED: 'host-key-changed',
      HOST_KEY_REVOKED: 'host-key-revoked',
      SUDO_REFUSED: 'sudo-refused',
      SUDO_PASSWORD_REQUIRED: 'sudo-password-required',
      REMOTE_TIMEOUT: 'timeout',
      REMOTE_COMMAND_FAILED: 'command-failed',
      HOST_AUTH_REFUSED: 'auth-refused',
    } as const;
    for (const [code, kind] of Object.entries(codes)) {
      const classified = classifyRemoteFailure(new AppError(code as keyof typeof codes, 'x'));
      expect(classified.kind, code).toBe(kind);
      expect(classified.action.length, code).toBeGreaterThan(20);
      expect(ERROR_CODES).toContain(classified.code);
    }
  });

  it('classifies a refused argument as unsafe-argument', () => {
    let thrown: unknown;
    try {
      checkPackageName('x;id');
    } catch (error) {
      thrown = error;
    }
    expect(classifyRemoteFailure(thrown).kind).toBe('unsafe-argument');
  });

  it('keeps bugs as internal, without inventing a cause', () => {
    const classified = classifyRemoteFailure(new TypeError('cannot read properties of undefined'));
    expect(classified).toMatchObject({ kind: 'internal', code: 'INTERNAL_ERROR' });
    expect(connectFailure(new TypeError('boom'), { address: 'h', port: 22 })).toBeInstanceOf(
      TypeError,
    );
  });
});
