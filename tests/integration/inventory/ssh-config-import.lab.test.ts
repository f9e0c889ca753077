import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ApiClient } from '../../../shared/api/client';
import type { ScanRun } from '../../../shared/domain/assets';
import { createTestCore, withAdmin, type TestCore } from '../../helpers/test-core';
import { startLab, type Lab, type LabHost } from '../../lab/lab';
import { probeSshPort } from '../../lab/processes';

/*
 * An ssh_config where the plant host is reached only through a bastion (ProxyJump), imported into
 * a real core and scanned over real sshd: the scan succeeds through the bastion, and fails as
 * refused at the bastion once the bastion's sshd is stopped, while the plant host itself is up.
 */

let lab: Lab;
let t: TestCore;
let admin: ApiClient;
let dir = '';

beforeAll(async () => {
  lab = await startLab({ hosts: 2 });
  t = await createTestCore();
  admin = await withAdmin(t);
  dir = mkdtempSync(join(tmpdir(), 'patchdeck-sshcfg-lab-'));
});

afterAll(async () => {
  await t?.dispose();
  await lab?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function scanOne(hostId: string): Promise<NonNullable<ScanRun['hosts'][number]['outcome']>> {
  const { runId } = await admin.call('scans.start', { hostIds: [hostId] });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const run = await admin.call('scans.get', { runId });
    if (run.finishedAt !== null) {
      const outcome = run.hosts[0]?.outcome;
      if (!outcome) throw new Error('the finished run has no outcome');
      return outcome;
    }
    if (Date.now() > deadline) throw new Error(`scan run ${runId} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('ssh_config import against lab hosts', () => {
  it('scans a host through the bastion its ProxyJump names, and not without the bastion', async () => {
    const [bastionHost, plantHost] = lab.hosts as [LabHost, LabHost];
    const configPath = join(dir, 'ssh_config');
    writeFileSync(
      configPath,
      [
        'Host plant-bastion',
        `  HostName ${bastionHost.address}`,
        '',
        'Host plant-historian',
        `  HostName ${plantHost.address}`,
        '  ProxyJump plant-bastion',
        '',
        'Host *',
        `  User ${plantHost.user}`,
        `  IdentityFile ${plantHost.userKeyPath}`,
        '',
      ].join('\n'),
    );
    const credential = await admin.call('credentials.create', {
      name: 'lab patchsvc',
      kind: 'key',
      keyPath: plantHost.userKeyPath,
    });

    const result = await admin.call('hosts.importSshConfig', { source: { path: configPath } });
    expect(result).toMatchObject({ added: 2, updated: 0, unchanged: 0, skipped: [] });
    expect(result.identityFiles).toEqual([
      {
        path: plantHost.userKeyPath,
        hosts: ['plant-bastion', 'plant-historian'],
        credentialId: credential.id,
        credentialName: 'lab patchsvc',
      },
    ]);
    const keys = await admin.call('hostKeys.importKnownHosts', {
      source: { path: lab.knownHostsFile() },
    });
    expect(keys.pinned).toBeGreaterThanOrEqual(2);

    const page = await admin.call('hosts.list', {});
    const idOf = new Map(page.hosts.map((h) => [h.name, h.id]));
    const bastionId = idOf.get('plant-bastion')!;
    const plantId = idOf.get('plant-historian')!;
    const plant = await admin.call('hosts.get', { hostId: plantId });
    expect(plant.connection).toEqual({
      address: plantHost.address,
      port: 22,
      username: 'patchsvc',
      credentialId: credential.id,
      jumpHostId: bastionId,
    });

    const ok = await scanOne(plantId);
    expect(ok).toMatchObject({ status: 'ok', failureKind: null });
    expect((await admin.call('hosts.get', { hostId: plantId })).facts?.hostname).toBe(
      plantHost.name,
    );

    await lab.stopSshd(bastionHost);
    try {
      expect(await probeSshPort(bastionHost.address, 22)).toBe('refused');
      const refused = await scanOne(plantId);
      expect(refused.status).toBe('failed');
      expect(refused.failureKind).toBe('connection-refused');
      expect(refused.message).toContain(bastionHost.address);
      // The plant host itself is up and answers SSH: the failure was the bastion's.
      expect(await probeSshPort(plantHost.address, 22)).not.toBe('refused');
      await admin.call('hosts.update', { hostId: plantId, jumpHostId: null });
      expect(await scanOne(plantId)).toMatchObject({ status: 'ok' });
    } finally {
      await lab.startSshd(bastionHost);
    }
  });
});
