import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildManifest, writeBundleDirectory } from '../../../electron/core/bundles/bundle-builder';
import {
  insertScanRun,
  recordScanSuccess,
} from '../../../electron/core/inventory/scans.repository';
import { debianAdapter } from '../../../electron/core/remote/facts/debian';
import type { ApiClient } from '../../../shared/api/client';
import type { PatchInput } from '../../../shared/domain/bundle-manifest';
import type { HostFacts, InstalledPackage } from '../../../shared/domain/host-facts';
import { compareDebianVersions } from '../../../shared/domain/versions/dpkg';
import {
  makeDeb,
  makePublisher,
  patchFor,
  writeRootFile,
  type TestPublisher,
} from '../../helpers/bundle-kit';
import { createTestCore, withAdmin, withOperator, type TestCore } from '../../helpers/test-core';

/*
 * The catalog over a real workspace: the host's facts are this machine's, collected by the Debian
 * facts script run locally (real os-release, real `dpkg-query -W`), and the patches come from a
 * signed bundle of real .deb files imported through the API. Each patch names a package this
 * machine really has, at a version below, equal to or above the installed one.
 */

const run = promisify(execFile);

/** This machine's facts, through the same script and parser a scan over SSH uses. */
async function localFacts(collectedAt: Date): Promise<HostFacts> {
  const nonce = 'a1b2c3d4e5f60718';
  const command = debianAdapter.command(nonce);
  const { stdout, stderr } = await run('sh', ['-c', command.text], { maxBuffer: 64 << 20 });
  return debianAdapter.parse(
    { code: 0, signal: null, stdout, stderr },
    { nonce, collectedAt, address: '127.0.0.1' },
  );
}

/** Adds a host through the API and records a successful scan of it with the given facts. */
async function addScannedHost(
  t: TestCore,
  admin: ApiClient,
  name: string,
  address: string,
  facts: HostFacts | null,
): Promise<string> {
  const host = await admin.call('hosts.create', { name, address, username: 'root' });
  if (facts) {
    const at = t.clock.now().toISOString();
    t.core.workspace.transaction((tx) => {
      insertScanRun(tx, {
        id: `run-${name}`,
        startedAt: at,
        startedBy: 'admin',
        concurrency: 1,
        hosts: [{ scanId: `scan-${name}`, hostId: host.id, hostName: name }],
      });
      recordScanSuccess(tx, {
        scanId: `scan-${name}`,
        hostId: host.id,
        startedAt: at,
        finishedAt: at,
        facts,
      });
    });
  }
  return host.id;
}

/** Real installed packages, distinct by name, picked deterministically. */
function pickPackages(packages: readonly InstalledPackage[], arch: string, count: number) {
  const seen = new Set<string>();
  const out: InstalledPackage[] = [];
  const sorted = [...packages].sort((a, b) => a.name.localeCompare(b.name));
  for (const p of sorted) {
    // One arch per name keeps the example clear; epochs are kept out of bundle file names.
    const copies = packages.filter((q) => q.name === p.name).length;
    if (p.arch !== arch || copies > 1 || seen.has(p.name) || p.version.includes(':')) continue;
    seen.add(p.name);
    out.push(p);
    if (out.length === count) break;
  }
  if (out.length < count) throw new Error(`Only ${out.length} ${arch} packages to pick from.`);
  return out;
}

describe('the patch catalog over real facts and a real bundle', () => {
  let t: TestCore;
  let admin: ApiClient;
  let work: string;
  let publisher: TestPublisher;
  let facts: HostFacts;
  let hostId: string;
  let unscannedId: string;
  const created = '2026-02-20T12:00:00.000Z';
  /** What each patch should be on this machine, decided by dpkg's ordering of real versions. */
  const expected = new Map<string, { status: string; ownStatus: string; by?: string }>();
  const picked: Record<string, InstalledPackage> = {};

  beforeAll(async () => {
    t = await createTestCore();
    admin = await withAdmin(t);
    work = mkdtempSync(join(tmpdir(), 'patchdeck-catalog-'));
    publisher = makePublisher('debian-security');
    facts = await localFacts(t.clock.now());
    expect(facts.osFamily).toBe('debian');
    expect(facts.packages.length).toBeGreaterThan(100);

    const native = facts.packageArch ?? 'amd64';
    const [below, above, chained, replaced] = pickPackages(facts.packages, native, 4);
    const [equal] = pickPackages(facts.packages, 'all', 1);
    Object.assign(picked, { below, above, chained, replaced, equal });

    const release = facts.osVersion;
    const debs: { path: string; source: string }[] = [];
    const patches: PatchInput[] = [];
    const add = (
      id: string,
      pkg: { name: string; version: string; arch: string },
      extra: Partial<PatchInput> = {},
    ) => {
      const source = makeDeb(join(work, 'debs'), pkg);
      const path = `pool/${pkg.name}_${pkg.version}_${pkg.arch}.deb`;
      if (!debs.some((d) => d.path === path)) debs.push({ path, source });
      patches.push(
        patchFor(
          id,
          { file: path, ...pkg },
          { severity: 'medium', os: { family: 'debian', releases: [release] }, ...extra },
        ),
      );
    };

    add('PD-BELOW', { ...below!, version: `${below!.version}~pd1` }, { severity: 'low' });
    expected.set('PD-BELOW', { status: 'installed', ownStatus: 'installed' });
    add('PD-EQUAL', equal!, { severity: 'medium', cves: ['CVE-2024-1111'] });
    expected.set('PD-EQUAL', { status: 'installed', ownStatus: 'installed' });
    add(
      'PD-ABOVE',
      { ...above!, version: `${above!.version}+pd1` },
      {
        severity: 'critical',
        cves: ['CVE-2024-2222', 'CVE-2024-3333'],
        title: `Remote code execution in ${above!.name}`,
      },
    );
    expected.set('PD-ABOVE', { status: 'missing', ownStatus: 'missing' });
    add('PD-ABSENT', { name: 'pd-not-installed-anywhere', version: '1.0-1', arch: 'all' });
    expected.set('PD-ABSENT', { status: 'not-applicable', ownStatus: 'not-applicable' });
    add(
      'PD-UBUNTU',
      { ...above!, version: `${above!.version}+pd1` },
      {
        os: { family: 'ubuntu', releases: ['22.04'] },
      },
    );
    expected.set('PD-UBUNTU', { status: 'not-applicable', ownStatus: 'not-applicable' });

    // A chain where the newest link is still missing: the older links point at it.
    add('PD-CHAIN-1', { ...chained!, version: `${chained!.version}+pd1` }, { severity: 'high' });
    add(
      'PD-CHAIN-2',
      { ...chained!, version: `${chained!.version}+pd2` },
      {
        severity: 'high',
        supersedes: ['PD-CHAIN-1'],
      },
    );
    add(
      'PD-CHAIN-3',
      { ...chained!, version: `${chained!.version}+pd3` },
      {
        severity: 'high',
        supersedes: ['PD-CHAIN-2'],
      },
    );
    expected.set('PD-CHAIN-1', { status: 'superseded', ownStatus: 'missing', by: 'PD-CHAIN-3' });
    expected.set('PD-CHAIN-2', { status: 'superseded', ownStatus: 'missing', by: 'PD-CHAIN-3' });
    expected.set('PD-CHAIN-3', { status: 'missing', ownStatus: 'missing' });

    // An old patch whose replacement is already installed.
    add('PD-OLD', { ...replaced!, version: `${replaced!.version}+pd1` });
    add(
      'PD-ROLLUP',
      { ...replaced!, version: `${replaced!.version}~pd0` },
      {
        supersedes: ['PD-OLD'],
      },
    );
    expected.set('PD-OLD', { status: 'superseded', ownStatus: 'missing', by: 'PD-ROLLUP' });
    expected.set('PD-ROLLUP', { status: 'installed', ownStatus: 'installed' });

    // The versions built above really order as intended, by dpkg's rules.
    expect(compareDebianVersions(`${below!.version}~pd1`, below!.version)).toBe(-1);
    expect(compareDebianVersions(`${above!.version}+pd1`, above!.version)).toBe(1);

    const bundleDir = join(work, 'bundle');
    const manifest = await buildManifest({
      bundleId: 'debian-security-2026-02',
      channel: 'stable',
      sequence: 1,
      created,
      expires: '2027-01-01T00:00:00.000Z',
      roots: publisher.roots,
      files: debs,
      patches,
      keys: publisher.targetsKeys,
    });
    await writeBundleDirectory(bundleDir, manifest, publisher.roots, debs);
    await admin.call('trust.addPublisher', {
      rootPath: writeRootFile(work, publisher, 1),
      confirmFingerprint: publisher.roots[0]!.signed.roles.root.keyids[0]!,
    });
    await admin.call('bundles.import', { source: bundleDir });

    hostId = await addScannedHost(t, admin, 'this-machine', '127.0.0.21', facts);
    unscannedId = await addScannedHost(t, admin, 'never-scanned', '127.0.0.22', null);
    t.clock.advance(60_000);
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('gives this machine each status, naming the package and versions that decided it', async () => {
    const result = await admin.call('catalog.hostApplicability', {
      hostId,
      includeNotApplicable: true,
    });
    expect(result.collectedAt).toBe(facts.collectedAt);
    const got = Object.fromEntries(
      result.patches.map((p) => [
        p.patchId,
        {
          status: p.status,
          ownStatus: p.ownStatus,
          ...(p.supersededBy ? { by: p.supersededBy } : {}),
        },
      ]),
    );
    expect(got).toEqual(Object.fromEntries(expected));

    const above = result.patches.find((p) => p.patchId === 'PD-ABOVE')!;
    const arch = picked.above!.arch;
    expect(above.reason).toBe(
      `${picked.above!.name} ${picked.above!.version} (${arch}) is below ${picked.above!.version}+pd1.`,
    );
    expect(above.decidedBy).toMatchObject({ installed: picked.above!.version, satisfied: false });
    const equal = result.patches.find((p) => p.patchId === 'PD-EQUAL')!;
    expect(equal.reason).toContain(`is at or above ${picked.equal!.version}`);
    expect(result.counts).toEqual({ missing: 2, installed: 3, superseded: 3, notApplicable: 2 });

    // Without the flag, patches that do not apply are left out.
    const applicable = await admin.call('catalog.hostApplicability', { hostId });
    expect(applicable.patches.map((p) => p.status)).not.toContain('not-applicable');
    expect(applicable.patches).toHaveLength(8);
    // Missing first, then superseded, then installed.
    expect(applicable.patches[0]!.status).toBe('missing');
    expect(applicable.patches.at(-1)!.status).toBe('installed');
  });

  it('counts hosts per patch in the catalog, with supersession and the data age', async () => {
    const list = await admin.call('catalog.list', {});
    expect(list.catalogSize).toBe(10);
    expect(list.total).toBe(10);
    const byId = Object.fromEntries(list.patches.map((p) => [p.patchId, p]));
    expect(byId['PD-ABOVE']!.hosts).toEqual({
      missing: 1,
      installed: 0,
      superseded: 0,
      notApplicable: 0,
    });
    expect(byId['PD-CHAIN-1']!.hosts.superseded).toBe(1);
    expect(byId['PD-CHAIN-1']!.supersededBy).toEqual(['PD-CHAIN-2', 'PD-CHAIN-3']);
    expect(byId['PD-CHAIN-3']!.supersededBy).toEqual([]);
    expect(byId['PD-ABSENT']!.hosts.notApplicable).toBe(1);
    expect(byId['PD-ABOVE']!.cvssScore).toBe(9.8);
    // Highest severity first: the critical patch missing on a host leads.
    expect(list.patches[0]!.patchId).toBe('PD-ABOVE');
    // The bundle format has no KEV field yet, so KEV membership is unknown.
    expect(byId['PD-ABOVE']!.knownExploited).toBeNull();

    const now = t.clock.now().getTime();
    expect(list.freshness).toEqual({
      newestBundleCreated: created,
      ageSeconds: Math.round((now - Date.parse(created)) / 1000),
      scannedHosts: 1,
      unscannedHosts: 1,
    });
  });

  it('filters by severity, CVE, vendor, OS family, text, KEV and missing', async () => {
    const ids = async (filter: Record<string, unknown>) =>
      (await admin.call('catalog.list', { filter })).patches.map((p) => p.patchId).sort();
    expect(await ids({ severity: ['critical'] })).toEqual(['PD-ABOVE']);
    expect(await ids({ cve: 'cve-2024-3333' })).toEqual(['PD-ABOVE']);
    expect(await ids({ osFamily: 'ubuntu' })).toEqual(['PD-UBUNTU']);
    expect(await ids({ vendor: 'debian' })).toHaveLength(10);
    expect(await ids({ vendor: 'Microsoft' })).toEqual([]);
    expect(await ids({ text: 'remote code' })).toEqual(['PD-ABOVE']);
    expect(await ids({ knownExploited: true })).toEqual([]);
    expect(await ids({ missing: true })).toEqual(['PD-ABOVE', 'PD-CHAIN-3']);
    const page = await admin.call('catalog.list', { limit: 3, offset: 3 });
    expect(page.patches).toHaveLength(3);
    expect(page.total).toBe(10);
  });

  it('shows one patch with every scanned host, and refuses an unknown one', async () => {
    const detail = await admin.call('catalog.get', { patchId: 'PD-CHAIN-2' });
    expect(detail.patch.supersedes).toEqual(['PD-CHAIN-1']);
    expect(detail.patch.supersededBy).toEqual(['PD-CHAIN-3']);
    expect(detail.patch.bundles).toEqual([
      {
        bundleId: 'debian-security-2026-02',
        publisher: 'debian-security',
        channel: 'stable',
        sequence: 1,
        created,
      },
    ]);
    expect(detail.hosts).toHaveLength(1);
    expect(detail.hosts[0]).toMatchObject({
      hostId,
      hostName: 'this-machine',
      status: 'superseded',
      ownStatus: 'missing',
      supersededBy: 'PD-CHAIN-3',
    });
    expect(detail.patch.hosts.superseded).toBe(1);
    expect(detail.freshness.unscannedHosts).toBe(1);

    await expect(admin.call('catalog.get', { patchId: 'PD-NOPE' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('answers for a host never scanned with nothing, and refuses an unknown host', async () => {
    const none = await admin.call('catalog.hostApplicability', { hostId: unscannedId });
    expect(none).toMatchObject({ collectedAt: null, patches: [] });
    await expect(
      admin.call('catalog.hostApplicability', { hostId: 'no-such-host' }),
    ).rejects.toMatchObject({ code: 'HOST_NOT_FOUND' });
  });

  it('lets a read-only operator read the catalog', async () => {
    const auditor = await withOperator(t, admin, 'auditor1', ['auditor']);
    const list = await auditor.call('catalog.list', {});
    expect(list.catalogSize).toBe(10);
  });
});
