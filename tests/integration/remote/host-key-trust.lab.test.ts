import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DurableWorkspace } from '../../../electron/core/db/open-workspace';
import { sh } from '../../../electron/core/remote/command';
import {
  checkHostKey,
  importKnownHosts,
  listHostKeys,
  pinHostKey,
  repinHostKey,
} from '../../../electron/core/remote/host-key-store';
import { parseKnownHosts } from '../../../electron/core/remote/host-keys';
import { connect } from '../../../electron/core/remote/ssh-connection';
import { startLab, type Lab, type LabHost } from '../../lab/lab';

import {
  appErrorOf,
  openKeyWorkspace,
  policyOf,
  targetFor,
  TEST_OPERATOR,
  trustLab,
} from './remote-kit';

let lab: Lab;
let scratch: string;
const workspaces: DurableWorkspace[] = [];

async function freshWorkspace(): Promise<DurableWorkspace> {
  const ws = await openKeyWorkspace();
  workspaces.push(ws);
  return ws;
}

/** The fingerprint `ssh-keygen -lf` prints for the host's Ed25519 public key. */
function keygenFingerprint(host: LabHost): string {
  const key = host.hostKeys.find((k) => k.type === 'ssh-ed25519');
  if (!key) throw new Error('the lab host has no ed25519 key');
  const file = join(scratch, `${host.name}.pub`);
  writeFileSync(file, `${key.publicKey}\n`);
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' }).split(
    ' ',
  )[1]!;
}

/** The base64 blob of an OpenSSH public key line (`type blob`). */
function blobOf(line: string): string {
  const blob = line.trim().split(/\s+/)[1];
  if (blob === undefined) throw new Error(`not a public key line: ${line}`);
  return blob;
}

beforeAll(async () => {
  lab = await startLab({ hosts: 3 });
  scratch = mkdtempSync(join(tmpdir(), 'patchdeck-trust-'));
});

afterAll(async () => {
  await Promise.all(workspaces.map((w) => w.close()));
  await lab?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('host key trust against real sshd', () => {
  it('stops an unknown host before authentication with the exact ssh-keygen fingerprint, then connects once pinned', async () => {
    const host = lab.hosts[0]!;
    const ws = await freshWorkspace();
    const error = await appErrorOf(connect(targetFor(host), { hostKeys: policyOf(ws) }));
    expect(error.code).toBe('HOST_KEY_UNKNOWN');
    expect(error.details).toMatchObject({
      address: host.address,
      port: 22,
      keyType: 'ssh-ed25519',
      fingerprint: keygenFingerprint(host),
    });
    const presented = host.hostKeys.find((k) => k.type === 'ssh-ed25519')!;
    ws.transaction((tx) =>
      pinHostKey(tx, {
        address: host.address,
        port: 22,
        keyType: 'ssh-ed25519',
        publicKeyBase64: blobOf(presented.publicKey),
        fingerprint: String(error.details?.['fingerprint']),
        operatorId: TEST_OPERATOR,
        at: '2026-01-01T00:00:00.000Z',
      }),
    );
    const session = await connect(targetFor(host), { hostKeys: policyOf(ws) });
    expect((await session.runChecked(sh`hostname`)).stdout.trim()).toBe(host.name);
    await session.close();
  });

  it('refuses an impostor on the pinned address with HOST_KEY_CHANGED, and sends it no credentials', async () => {
    const host = lab.hosts[1]!;
    const ws = await freshWorkspace();
    trustLab(ws, lab);
    const impostor = await lab.startImpostor(host);
    try {
      const error = await appErrorOf(connect(targetFor(host), { hostKeys: policyOf(ws) }));
      expect(error.code).toBe('HOST_KEY_CHANGED');
      expect(error.message).toMatch(/No credentials were sent/);
      expect(error.message).toMatch(/administrator/);
      const impostorKey = impostor.hostKeys.find((k) => k.type === error.details?.['keyType']);
      expect(error.details?.['fingerprint']).toBe(impostorKey?.fingerprint);
      expect(error.details?.['pinnedFingerprint']).toBe(
        host.hostKeys.find((k) => k.type === error.details?.['keyType'])?.fingerprint,
      );
      expect(await impostor.sawConnection()).toBe(true);
      expect(await impostor.sawAuthAttempt()).toBe(false);
    } finally {
      await impostor.stop();
    }
  });

  it('refuses a regenerated host key until an administrator re-pins it', async () => {
    const host = lab.hosts[2]!;
    const ws = await freshWorkspace();
    trustLab(ws, lab);
    const before = await connect(targetFor(host), { hostKeys: policyOf(ws) });
    await before.close();
    await lab.regenerateHostKey(host);
    const error = await appErrorOf(connect(targetFor(host), { hostKeys: policyOf(ws) }));
    expect(error.code).toBe('HOST_KEY_CHANGED');
    const fresh = host.hostKeys.find((k) => k.type === error.details?.['keyType'])!;
    expect(error.details?.['fingerprint']).toBe(fresh.fingerprint);
    const { replaced } = ws.transaction((tx) =>
      repinHostKey(tx, {
        address: host.address,
        port: 22,
        keyType: fresh.type,
        publicKeyBase64: blobOf(fresh.publicKey),
        operatorId: 'op_admin',
        at: '2026-01-02T00:00:00.000Z',
      }),
    );
    expect(replaced.length).toBeGreaterThan(0);
    expect(listHostKeys(ws, host.address, 22).map((k) => k.source)).toEqual(['repinned']);
    const after = await connect(targetFor(host), { hostKeys: policyOf(ws) });
    expect((await after.runChecked(sh`hostname`)).stdout.trim()).toBe(host.name);
    await after.close();
  });

  it("imports the lab's known_hosts file and pins every host's keys", async () => {
    const ws = await freshWorkspace();
    const result = trustLab(ws, lab);
    expect(result.malformed).toEqual([]);
    for (const host of lab.hosts) {
      const pinned = listHostKeys(ws, host.address, 22)
        .map((k) => k.fingerprint)
        .sort();
      expect(pinned).toEqual(host.hostKeys.map((k) => k.fingerprint).sort());
      const session = await connect(targetFor(host), { hostKeys: policyOf(ws) });
      await session.close();
    }
  });

  it('refuses a host whose key a known_hosts file marks @revoked', async () => {
    const host = lab.hosts[0]!;
    const ws = await freshWorkspace();
    trustLab(ws, lab);
    const revoked = host.hostKeys.map((k) => `@revoked ${host.address} ${k.publicKey}`).join('\n');
    const file = join(scratch, 'revoked_hosts');
    writeFileSync(file, `${revoked}\n`);
    const result = ws.transaction((tx) =>
      importKnownHosts(tx, parseKnownHosts(readFileSync(file, 'utf8')), {
        operatorId: TEST_OPERATOR,
        at: '2026-01-03T00:00:00.000Z',
      }),
    );
    expect(result.revoked).toHaveLength(host.hostKeys.length);
    const error = await appErrorOf(connect(targetFor(host), { hostKeys: policyOf(ws) }));
    expect(error.code).toBe('HOST_KEY_REVOKED');
    const key = host.hostKeys[0]!;
    expect(
      checkHostKey(ws, {
        address: host.address,
        port: 22,
        keyType: key.type,
        fingerprint: key.fingerprint,
        publicKeyBase64: blobOf(key.publicKey),
      }).status,
    ).toBe('revoked');
  });
});
