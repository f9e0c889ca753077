import { rmSync } from 'node:fs';

import { cleanup, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  insertScanRun,
  recordScanSuccess,
} from '../../../../../electron/core/inventory/scans.repository';
import { HostPatches } from '../../../../../renderer/features/assets/host-patches';
import type { HostFacts } from '../../../../../shared/domain/host-facts';
import { STRONG_PASSWORD, type TestCore } from '../../../../helpers/test-core';
import { openAs, renderAt } from '../bundles/real-core';
import {
  prepareWorkspaceInChildProcess,
  type PreparedWorkspace,
} from '../bundles/workspace-with-bundle';

let prepared: PreparedWorkspace;
let t: TestCore | undefined;

beforeAll(() => {
  prepared = prepareWorkspaceInChildProcess();
}, 120_000);

afterEach(async () => {
  await t?.close();
  t = undefined;
});

afterAll(() => {
  rmSync(prepared.dir, { recursive: true, force: true });
  rmSync(prepared.work, { recursive: true, force: true });
});

/** A second, API-level session of the prepared workspace's administrator. */
async function adminClient(core: TestCore) {
  const client = core.client();
  const session = await client.call('auth.login', { username: 'admin', password: STRONG_PASSWORD });
  client.setSession(session.token);
  return client;
}

/** Debian 12 facts whose packages are the given ones. */
function debianFacts(packages: HostFacts['packages']): HostFacts {
  return {
    osFamily: 'debian',
    osId: 'debian',
    osName: 'Debian GNU/Linux 12 (bookworm)',
    osVersion: '12',
    osCodename: 'bookworm',
    kernel: '6.1.0-26-amd64',
    arch: 'x86_64',
    hostname: 'plc-gw-01',
    uptimeSeconds: 3600,
    lastBoot: '2026-03-01T07:00:00.000Z',
    disks: [],
    rebootRequired: false,
    rebootReason: null,
    packages,
    services: [],
    containers: [],
    collectedAt: '2026-03-01T08:00:00.000Z',
  };
}

describe('HostPatches over the real core', () => {
  it('lists the patches a scanned host misses first with the deciding versions, and asks for a scan when there is none', async () => {
    t = await openAs(prepared.dir, 'tech1');
    const client = await adminClient(t);
    const patches = await client.call('bundles.listPatches', {});
    const [first, second] = patches;
    const firstPackage = first?.packages[0];
    const secondPackage = second?.packages[0];
    if (!first || !second || !firstPackage || !secondPackage) {
      throw new Error('The prepared bundle should carry two patches with packages.');
    }
    const host = await client.call('hosts.create', {
      name: 'plc-gw-01',
      address: '127.0.0.90',
      username: 'root',
    });
    // The host has the first patch's package at an older version and the second one's current.
    const facts = debianFacts([
      { name: firstPackage.name, version: '0.1-1', arch: firstPackage.arch, kind: 'deb' },
      {
        name: secondPackage.name,
        version: secondPackage.version,
        arch: secondPackage.arch,
        kind: 'deb',
      },
    ]);
    const at = '2026-03-01T08:00:00.000Z';
    t.core.workspace.transaction((tx) => {
      insertScanRun(tx, {
        id: 'run-1',
        startedAt: at,
        startedBy: 'admin',
        concurrency: 1,
        hosts: [{ scanId: 'scan-1', hostId: host.id, hostName: 'plc-gw-01' }],
      });
      recordScanSuccess(tx, {
        scanId: 'scan-1',
        hostId: host.id,
        startedAt: at,
        finishedAt: at,
        facts,
      });
    });

    renderAt(`/assets/${host.id}`, {
      '/assets/:hostId': <HostPatches hostId={host.id} scanStamp={at} />,
    });

    const table = await screen.findByRole('table', { name: 'Patches for this host' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]?.textContent).toContain(first.patchId);
    expect(rows[0]?.textContent).toContain('Missing');
    expect(rows[0]?.textContent).toContain('0.1-1');
    const secondRow = rows.find((row) => row.textContent?.includes(second.patchId));
    expect(secondRow?.textContent).toContain('Installed');
    expect(screen.getByTestId('host-patches').textContent).toMatch(/1 missing, 1 installed/);
    cleanup();

    // A host never scanned has no verdict yet: the tab says to scan it first.
    const unscanned = await client.call('hosts.create', {
      name: 'never-scanned',
      address: '127.0.0.91',
      username: 'root',
    });
    renderAt(`/assets/${unscanned.id}`, {
      '/assets/:hostId': <HostPatches hostId={unscanned.id} scanStamp={null} />,
    });
    expect(await screen.findByText('Not scanned yet')).toBeTruthy();
  });
});
