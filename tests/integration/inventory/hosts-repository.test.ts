import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../../electron/core/db/migrations/index';
import { openWorkspace, type DurableWorkspace } from '../../../electron/core/db/open-workspace';
import {
  deleteHosts,
  findHostByAddress,
  findHostByCmdbId,
  findHostsByName,
  getHostDetail,
  insertHosts,
  listHostIdentities,
  listHosts,
  listHostsForApplicability,
  searchHostPackages,
  updateHostAttributes,
  type NewHost,
} from '../../../electron/core/inventory/hosts.repository';
import { recordScanSuccess } from '../../../electron/core/inventory/scans.repository';
import { manualClock } from '../../../electron/core/platform/clock';
import { memoryLogger } from '../../../electron/core/platform/logger';
import type { HostFacts } from '../../../shared/domain/host-facts';
import { makeTempDir, removeTempDirs } from '../../helpers/db-test-kit';

const HOSTS = 50_000;
const NOW = new Date('2026-11-26T12:00:00Z');
const ENVIRONMENTS = ['production', 'staging', 'test', 'development'] as const;
const OS_NAMES = [
  'Ubuntu 20.04.6 LTS',
  'Debian 12',
  'Windows Server 2016',
  'RHEL 9.4',
  'Solaris 11',
];

function host(i: number): NewHost {
  return {
    id: `h${String(i).padStart(6, '0')}`,
    name: `srv-${String((i * 7919) % HOSTS).padStart(5, '0')}`,
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    username: 'patchsvc',
    source: i % 3 === 0 ? 'cmdb' : 'manual',
    cmdbId: i % 3 === 0 ? `CI${i}` : null,
    tier: (i % 4) as 0 | 1 | 2 | 3,
    environment: ENVIRONMENTS[i % 4]!,
    owner: `team-${i % 17}`,
    tags: i % 10 === 0 ? ['pci', 'web'] : ['web'],
    osName: OS_NAMES[i % OS_NAMES.length]!,
    at: '2026-01-01T00:00:00.000Z',
  };
}

function facts(packages: HostFacts['packages']): HostFacts {
  return {
    osFamily: 'debian',
    osId: 'debian',
    osName: 'Debian GNU/Linux',
    osVersion: '12',
    osCodename: 'bookworm',
    kernel: '6.1.0-18-amd64',
    arch: 'x86_64',
    packageArch: 'amd64',
    hostname: 'srv',
    uptimeSeconds: 100,
    lastBoot: null,
    disks: [],
    rebootRequired: false,
    rebootReason: null,
    packages,
    services: [],
    containers: [],
    collectedAt: NOW.toISOString(),
  };
}

describe('hosts repository on a 50,000-host inventory', () => {
  let ws: DurableWorkspace;

  beforeAll(async () => {
    ws = await openWorkspace({
      dir: makeTempDir(),
      clock: manualClock(NOW),
      log: memoryLogger(),
      migrations: MIGRATIONS,
    });
    const all = Array.from({ length: HOSTS }, (_, i) => host(i));
    ws.transaction((tx) => insertHosts(tx, all));
  });

  afterAll(async () => {
    await ws.close();
    removeTempDirs();
  });

  const page = (query: Partial<Parameters<typeof listHosts>[1]>) =>
    listHosts(
      ws,
      { filter: {}, sort: { key: 'name', direction: 'asc' }, offset: 0, limit: 500, ...query },
      NOW,
    );

  it('pages, sorts and counts the whole inventory', () => {
    const first = page({});
    expect(first.total).toBe(HOSTS);
    expect(first.hosts).toHaveLength(500);
    const names = first.hosts.map((h) => h.name);
    expect(names).toEqual([...names].sort());
    expect(first.counts.all).toBe(HOSTS);
    expect(first.counts.byTier).toEqual([12_500, 12_500, 12_500, 12_500]);
    expect(first.counts.neverScanned).toBe(HOSTS);
    // Ubuntu 20.04 (ended 2025-05-31) is eol; Windows Server 2016 (2027-01-12) is soon.
    expect(first.counts.eol).toBe(HOSTS / 5);
    expect(first.counts.eolSoon).toBe(HOSTS / 5);
    const next = page({ offset: 500 });
    expect(next.hosts[0]!.name > names[499]!).toBe(true);
  });

  it('filters by tier, environment, EOL status, tag and text, together', () => {
    const result = page({
      filter: { tiers: [0], environments: ['production'], eol: ['eol'], tag: 'PCI', text: 'srv-' },
      sort: { key: 'owner', direction: 'desc' },
      limit: 2000,
    });
    const expected = Array.from({ length: HOSTS }, (_, i) => i).filter(
      (i) => i % 4 === 0 && i % 5 === 0 && i % 10 === 0,
    ).length;
    expect(result.total).toBe(expected);
    for (const h of result.hosts) {
      expect(h.tier).toBe(0);
      expect(h.environment).toBe('production');
      expect(h.eol.status).toBe('eol');
      expect(h.tags).toContain('pci');
    }
    const owners = result.hosts.map((h) => h.owner.toLowerCase());
    expect(owners).toEqual([...owners].sort().reverse());
    expect(page({ filter: { eol: ['unknown'] } }).total).toBe(HOSTS / 5);
    expect(page({ filter: { text: '10.0.1.5' } }).hosts.map((h) => h.address)).toContain(
      '10.0.1.5',
    );
    expect(page({ filter: { text: '50%' } }).total).toBe(0);
  });

  it('answers hosts.list fast at 50,000 hosts', () => {
    const queries: Partial<Parameters<typeof listHosts>[1]>[] = [
      {},
      { sort: { key: 'eol', direction: 'asc' } },
      { sort: { key: 'lastScanAt', direction: 'desc' }, offset: 40_000 },
      {
        filter: { tiers: [1, 2], environments: ['staging'] },
        sort: { key: 'owner', direction: 'asc' },
      },
      { filter: { text: 'srv-123' } },
      { filter: { tag: 'pci' } },
      { filter: { eol: ['soon'] }, sort: { key: 'address', direction: 'asc' } },
    ];
    const timings = queries.map((query) => {
      const started = performance.now();
      page(query);
      return performance.now() - started;
    });
    console.log(
      `hosts.list at ${HOSTS} hosts, 500-row pages (ms): ${timings.map((t) => t.toFixed(1)).join(', ')}`,
    );
    expect(Math.max(...timings)).toBeLessThan(1_500);
  });

  it('finds hosts by address, name and CMDB id, and lists identities for reconciliation', () => {
    expect(findHostByAddress(ws, '10.0.0.3')?.id).toBe('h000003');
    expect(findHostByAddress(ws, '10.0.0.3', 2222)).toBeUndefined();
    const named = findHostsByName(ws, 'SRV-07919');
    expect(named.map((h) => h.id)).toEqual(['h000001']);
    expect(findHostByCmdbId(ws, 'CI3')?.id).toBe('h000003');
    const identities = listHostIdentities(ws);
    expect(identities).toHaveLength(HOSTS);
    expect(identities.every((h) => !h.reached)).toBe(true);
  });

  it('stores scanned packages, searches them and serves them for applicability', () => {
    ws.transaction((tx) => {
      tx.run(
        `INSERT INTO scan_runs (id, started_at, started_by, concurrency, total) VALUES ('r1', ?, 'admin', 1, 1)`,
        [NOW.toISOString()],
      );
      tx.run(
        `INSERT INTO scans (id, run_id, host_id, host_name, seq, state, started_at)
         VALUES ('s1', 'r1', 'h000004', 'x', 0, 'queued', ?)`,
        [NOW.toISOString()],
      );
      recordScanSuccess(tx, {
        scanId: 's1',
        hostId: 'h000004',
        startedAt: NOW.toISOString(),
        finishedAt: NOW.toISOString(),
        facts: facts([
          { name: 'openssl', version: '3.0.11-1~deb12u2', arch: 'amd64', kind: 'deb' },
          { name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64', kind: 'deb' },
          { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64', kind: 'deb' },
        ]),
      });
    });
    const detail = getHostDetail(ws, 'h000004', NOW);
    expect(detail?.osName).toBe('Debian GNU/Linux');
    expect(detail?.eol).toEqual({
      status: 'supported',
      product: 'Debian 12',
      eolDate: '2028-06-30',
    });
    expect(detail?.packageCount).toBe(3);
    expect(detail?.facts?.kernel).toBe('6.1.0-18-amd64');
    expect(
      searchHostPackages(ws, { hostId: 'h000004', search: 'ssl', offset: 0, limit: 10 }),
    ).toEqual({
      packages: [
        { name: 'libssl3', version: '3.0.11-1~deb12u2', arch: 'amd64', kind: 'deb' },
        { name: 'openssl', version: '3.0.11-1~deb12u2', arch: 'amd64', kind: 'deb' },
      ],
      total: 2,
    });
    const applicable = listHostsForApplicability(ws, { packageNames: ['openssl'] });
    expect(applicable).toHaveLength(1);
    expect(applicable[0]).toMatchObject({
      hostId: 'h000004',
      osFamily: 'debian',
      osId: 'debian',
      osVersion: '12',
      packageArch: 'amd64',
      packages: [{ name: 'openssl', version: '3.0.11-1~deb12u2', arch: 'amd64', kind: 'deb' }],
    });
    // A declared OS name never overrides what a scan found.
    ws.transaction((tx) =>
      updateHostAttributes(tx, 'h000004', { osName: 'Windows Server 2019' }, NOW.toISOString()),
    );
    expect(getHostDetail(ws, 'h000004', NOW)?.osName).toBe('Debian GNU/Linux');
    expect(page({ filter: { scan: ['ok'] } }).total).toBe(1);
  });

  it('deletes hosts with everything that belongs to them', () => {
    const deleted = ws.transaction((tx) => deleteHosts(tx, ['h000004', 'h000005', 'nope']));
    expect(deleted).toBe(2);
    expect(ws.get(`SELECT COUNT(*) AS n FROM host_packages WHERE host_id = 'h000004'`)?.['n']).toBe(
      0,
    );
    expect(ws.get(`SELECT COUNT(*) AS n FROM scans WHERE host_id = 'h000004'`)?.['n']).toBe(0);
    expect(page({}).total).toBe(HOSTS - 2);
  });
});
