import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../../../../electron/core/db/migrations/index';
import type { DurableWorkspace } from '../../../../../electron/core/db/open-workspace';
import {
  checkHostKey,
  hostKeyPolicy,
  importKnownHosts,
  listHostKeys,
  pinHostKey,
  repinHostKey,
} from '../../../../../electron/core/remote/host-key-store';
import { parseKnownHosts } from '../../../../../electron/core/remote/host-keys';
import { makeTempDir, openTest, removeTempDirs } from '../../../../helpers/db-test-kit';

type Key = { type: string; base64: string; fingerprint: string };

function realKey(dir: string, name: string, type: string): Key {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
  const [keyType, base64] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
  const printed = execFileSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' });
  return { type: keyType!, base64: base64!, fingerprint: printed.split(' ')[1]! };
}

let ws: DurableWorkspace;
let keys: { ed: Key; ed2: Key; ec: Key };
const AT = '2026-01-01T00:00:00.000Z';

beforeEach(async () => {
  const dir = makeTempDir('patchdeck-keys-');
  keys = {
    ed: realKey(dir, 'a', 'ed25519'),
    ed2: realKey(dir, 'b', 'ed25519'),
    ec: realKey(dir, 'c', 'ecdsa'),
  };
  ws = await openTest(makeTempDir(), { migrations: MIGRATIONS });
});

afterEach(async () => {
  await ws.close();
  removeTempDirs();
});

const presented = (key: Key, address = '10.0.0.5', port = 22) => ({
  address,
  port,
  keyType: key.type,
  fingerprint: key.fingerprint,
  publicKeyBase64: key.base64,
});

const pin = (key: Key, extra: Record<string, unknown> = {}) => ({
  address: '10.0.0.5',
  port: 22,
  keyType: key.type,
  publicKeyBase64: key.base64,
  operatorId: 'op_1',
  at: AT,
  ...extra,
});

describe('host key store', () => {
  it('is unknown, then trusted once pinned, and changed for another key', () => {
    expect(checkHostKey(ws, presented(keys.ed)).status).toBe('unknown');
    ws.transaction((tx) => pinHostKey(tx, pin(keys.ed, { fingerprint: keys.ed.fingerprint })));
    expect(checkHostKey(ws, presented(keys.ed)).status).toBe('trusted');
    expect(checkHostKey(ws, presented(keys.ed, '10.0.0.5', 2222)).status).toBe('unknown');
    expect(checkHostKey(ws, presented(keys.ed2))).toEqual({
      status: 'changed',
      pinnedFingerprint: keys.ed.fingerprint,
      pinnedType: 'ssh-ed25519',
    });
    expect(hostKeyPolicy(ws).pinnedKeyTypes?.('10.0.0.5', 22)).toEqual(['ssh-ed25519']);
    const [row] = listHostKeys(ws, '10.0.0.5', 22);
    expect(row).toMatchObject({
      source: 'accepted',
      pinnedBy: 'op_1',
      pinnedAt: AT,
      status: 'pinned',
    });
  });

  it('refuses to pin over a different key of the same type, and a fingerprint that does not match', () => {
    ws.transaction((tx) => pinHostKey(tx, pin(keys.ed)));
    expect(() => ws.transaction((tx) => pinHostKey(tx, pin(keys.ed2)))).toThrowError(
      expect.objectContaining({ code: 'HOST_KEY_CHANGED' }),
    );
    expect(() =>
      ws.transaction((tx) => pinHostKey(tx, pin(keys.ec, { fingerprint: keys.ed.fingerprint }))),
    ).toThrowError(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() =>
      ws.transaction((tx) => pinHostKey(tx, pin(keys.ed, { address: '-oProxyCommand=x' }))),
    ).toThrowError(expect.objectContaining({ code: 'UNSAFE_REMOTE_ARGUMENT' }));
  });

  it('re-pins by replacing every key of the host and reports what it replaced', () => {
    ws.transaction((tx) => pinHostKey(tx, pin(keys.ed)));
    ws.transaction((tx) => pinHostKey(tx, pin(keys.ec)));
    const { replaced, pinned } = ws.transaction((tx) =>
      repinHostKey(tx, pin(keys.ed2, { operatorId: 'op_admin' })),
    );
    expect(replaced.map((k) => k.fingerprint).sort()).toEqual(
      [keys.ec.fingerprint, keys.ed.fingerprint].sort(),
    );
    expect(pinned).toMatchObject({ source: 'repinned', pinnedBy: 'op_admin' });
    expect(checkHostKey(ws, presented(keys.ed2)).status).toBe('trusted');
    expect(checkHostKey(ws, presented(keys.ed)).status).toBe('changed');
  });

  it('imports known_hosts: plain hosts, hashed ones for known candidates, revocations, and reports the rest', () => {
    const text = [
      `10.0.0.5 ${keys.ed.type} ${keys.ed.base64}`,
      `[10.0.0.6]:2222 ${keys.ec.type} ${keys.ec.base64}`,
      `@revoked * ${keys.ed2.type} ${keys.ed2.base64}`,
      `10.0.0.7 ${keys.ed2.type} ${keys.ed2.base64}`,
      `*.lab ${keys.ec.type} ${keys.ec.base64}`,
      'garbage line',
    ].join('\n');
    const result = ws.transaction((tx) =>
      importKnownHosts(tx, parseKnownHosts(text), {
        operatorId: 'op_1',
        at: AT,
        candidates: [{ address: 'web.lab', port: 22 }],
      }),
    );
    expect(result.pinned.map((k) => `${k.address}:${k.port}`).sort()).toEqual([
      '10.0.0.5:22',
      '10.0.0.6:2222',
      'web.lab:22',
    ]);
    expect(result.revoked).toHaveLength(1);
    expect(result.skipped.map((k) => k.line)).toEqual([4]);
    expect(result.skipped[0]?.reason).toMatch(/revoked/);
    expect(result.malformed.map((k) => k.line)).toEqual([6]);
    expect(checkHostKey(ws, presented(keys.ed2, '10.0.0.99')).status).toBe('revoked');
    // Importing the same file again pins nothing new.
    const again = ws.transaction((tx) =>
      importKnownHosts(tx, parseKnownHosts(text), { operatorId: 'op_1', at: AT }),
    );
    expect(again.pinned).toEqual([]);
  });
});
