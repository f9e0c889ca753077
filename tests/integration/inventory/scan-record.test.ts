import { execFileSync } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../../electron/core/db/migrations/index';
import { openWorkspace, type DurableWorkspace } from '../../../electron/core/db/open-workspace';
import type { WriteTx } from '../../../electron/core/db/workspace';
import { insertHosts } from '../../../electron/core/inventory/hosts.repository';
import {
  diffPackages,
  getScanDiff,
  packageListDigest,
  recordScanSuccess,
  uniquePackages,
} from '../../../electron/core/inventory/scans.repository';
import { manualClock } from '../../../electron/core/platform/clock';
import { memoryLogger } from '../../../electron/core/platform/logger';
import type { HostFacts, InstalledPackage } from '../../../shared/domain/host-facts';
import { crashImage, makeTempDir, removeTempDirs } from '../../helpers/db-test-kit';

/*
 * Recording scans on a real workspace on disk, with this machine's real dpkg package list: an
 * unchanged list leaves the package rows alone, a changed one writes only the differences, and
 * the journal replays both.
 */

const NOW = '2026-11-26T12:00:00.000Z';

/** This machine's installed packages, as dpkg lists them. */
function machinePackages(): InstalledPackage[] {
  const out = execFileSync(
    'dpkg-query',
    ['-W', '-f', '${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n'],
    { encoding: 'utf8' },
  );
  return out
    .split('\n')
    .map((line) => line.split('\t'))
    .filter((f) => f.length === 4 && /^.[itW]/.test(f[3]!))
    .map(([name, version, arch]) => ({ name: name!, version: version!, arch: arch!, kind: 'deb' }));
}

function facts(packages: InstalledPackage[]): HostFacts {
  return {
    osFamily: 'debian',
    osId: 'debian',
    osName: 'Debian GNU/Linux',
    osVersion: '12',
    osCodename: 'bookworm',
    kernel: '6.1.0-18-amd64',
    arch: 'x86_64',
    packageArch: 'amd64',
    hostname: 'lab',
    uptimeSeconds: 100,
    lastBoot: null,
    disks: [],
    rebootRequired: false,
    rebootReason: null,
    packages,
    services: [],
    containers: [],
    collectedAt: NOW,
  };
}

/** Every statement a transaction ran, reads included. */
function recording(tx: WriteTx, statements: string[]): WriteTx {
  return {
    all: (sql, params) => {
      statements.push(sql);
      return tx.all(sql, params);
    },
    get: (sql, params) => {
      statements.push(sql);
      return tx.get(sql, params);
    },
    run: (sql, params) => {
      statements.push(sql);
      tx.run(sql, params);
    },
  };
}

const key = (p: InstalledPackage) =>
  `${p.kind} ${p.name} ${p.arch} ${p.version} ${p.publisher ?? ''}`;

function stored(ws: { all: DurableWorkspace['all'] }, hostId: string): string[] {
  return ws
    .all('SELECT name, version, arch, kind, publisher FROM host_packages WHERE host_id = ?', [
      hostId,
    ])
    .map((r) => {
      const p: InstalledPackage = {
        name: String(r['name']),
        version: String(r['version']),
        arch: String(r['arch']),
        kind: String(r['kind']) as InstalledPackage['kind'],
      };
      if (r['publisher'] !== null) p.publisher = String(r['publisher']);
      return key(p);
    })
    .sort();
}

describe('recording scans: digest of the package list, only the differences written', () => {
  let dir: string;
  let ws: DurableWorkspace;
  let base: InstalledPackage[];
  let scans = 0;

  /** Records one scan of `hostId` and returns its counts and the statements it ran. */
  function record(hostId: string, packages: InstalledPackage[]) {
    scans += 1;
    const scanId = `s${scans}`;
    const statements: string[] = [];
    const counts = ws.transaction((tx) => {
      tx.run(
        `INSERT INTO scans (id, run_id, host_id, host_name, seq, state, started_at)
         VALUES (?, 'r1', ?, ?, ?, 'queued', ?)`,
        [scanId, hostId, hostId, scans, NOW],
      );
      return recordScanSuccess(recording(tx, statements), {
        scanId,
        hostId,
        startedAt: NOW,
        finishedAt: NOW,
        facts: facts(packages),
      });
    });
    const packageWrites = statements.filter((sql) =>
      /^\s*(INSERT|DELETE).*host_packages/s.test(sql),
    );
    return { scanId, counts, statements, packageWrites };
  }

  beforeAll(async () => {
    base = machinePackages();
    expect(base.length).toBeGreaterThan(100);
    dir = makeTempDir();
    ws = await openWorkspace({
      dir,
      clock: manualClock(NOW),
      log: memoryLogger(),
      migrations: MIGRATIONS,
    });
    ws.transaction((tx) => {
      insertHosts(
        tx,
        ['h1', 'h2', 'h3'].map((id, i) => ({
          id,
          name: id,
          address: `10.0.0.${i + 1}`,
          username: 'patchsvc',
          source: 'manual',
          at: NOW,
        })),
      );
      tx.run(
        `INSERT INTO scan_runs (id, started_at, started_by, concurrency, total) VALUES ('r1', ?, 'admin', 1, 1)`,
        [NOW],
      );
    });
  });

  afterAll(async () => {
    await ws?.close();
    removeTempDirs();
  });

  it('stores the first list whole, in a few multi-row statements, with its digest', () => {
    const first = record('h1', base);
    expect(first.counts).toEqual({ added: 0, removed: 0, changed: 0, packageCount: base.length });
    expect(stored(ws, 'h1')).toEqual(base.map(key).sort());
    // One DELETE, then one INSERT per 100 rows.
    expect(first.packageWrites).toHaveLength(1 + Math.ceil(base.length / 100));
    expect(ws.get('SELECT package_digest FROM host_facts WHERE host_id = ?', ['h1'])).toEqual({
      package_digest: packageListDigest(base),
    });
  });

  it('neither reads nor writes the package rows when the list is the same (any order, duplicates)', () => {
    const shuffled = [...base].reverse();
    shuffled.push(base[0]!, base[1]!);
    const again = record('h1', shuffled);
    expect(again.counts).toEqual({ added: 0, removed: 0, changed: 0, packageCount: base.length });
    expect(
      again.statements.filter((sql) => /host_packages|scan_package_changes/.test(sql)),
    ).toEqual([]);
    expect(stored(ws, 'h1')).toEqual(base.map(key).sort());
    expect(
      ws.get('SELECT added, removed, changed, previous_scan_id FROM scans WHERE id = ?', [
        again.scanId,
      ]),
    ).toEqual({ added: 0, removed: 0, changed: 0, previous_scan_id: 's1' });
  });

  it('writes exactly the rows that changed and records them as the scan diff', () => {
    const [upgraded, removed, ...rest] = base as [InstalledPackage, InstalledPackage];
    const next: InstalledPackage[] = [
      { ...upgraded, version: `${upgraded.version}+lab1` },
      ...rest,
      { name: 'pd-probe-new', version: '1.0', arch: 'all', kind: 'deb' },
    ];
    const scan = record('h1', next);
    expect(scan.counts).toEqual({ added: 1, removed: 1, changed: 1, packageCount: next.length });
    // One read, two deletes (removed, old version of the changed), one insert of two rows.
    expect(
      scan.statements.filter((sql) => /^\s*SELECT.*FROM host_packages/s.test(sql)),
    ).toHaveLength(1);
    expect(scan.packageWrites.filter((sql) => /^\s*DELETE/.test(sql))).toHaveLength(2);
    expect(scan.packageWrites.filter((sql) => /^\s*INSERT/.test(sql))).toHaveLength(1);
    expect(stored(ws, 'h1')).toEqual(next.map(key).sort());
    expect(getScanDiff(ws, scan.scanId)).toEqual({
      scanId: scan.scanId,
      previousScanId: 's2',
      added: [{ name: 'pd-probe-new', version: '1.0', arch: 'all', kind: 'deb' }],
      removed: [removed],
      changed: [
        {
          name: upgraded.name,
          arch: upgraded.arch,
          from: upgraded.version,
          to: `${upgraded.version}+lab1`,
        },
      ],
    });
  });

  it('rewrites a package whose publisher alone changed, without calling it a change', () => {
    const withPublisher = base.map((p, i) => (i === 3 ? { ...p, publisher: 'Lab Publisher' } : p));
    record('h2', base);
    const scan = record('h2', withPublisher);
    expect(scan.counts).toMatchObject({ added: 0, removed: 0, changed: 0 });
    expect(stored(ws, 'h2')).toEqual(withPublisher.map(key).sort());
    expect(
      ws.get('SELECT package_digest FROM host_facts WHERE host_id = ?', ['h2'])?.['package_digest'],
    ).toBe(packageListDigest(withPublisher));
  });

  it('diffs against the stored rows when the previous scan left no digest', () => {
    record('h3', base);
    ws.transaction((tx) =>
      tx.run('UPDATE host_facts SET package_digest = NULL WHERE host_id = ?', ['h3']),
    );
    const same = record('h3', base);
    expect(same.counts).toMatchObject({ added: 0, removed: 0, changed: 0 });
    expect(same.statements.filter((sql) => /FROM host_packages/.test(sql))).toHaveLength(1);
    expect(same.packageWrites).toEqual([]);
    expect(
      ws.get('SELECT package_digest FROM host_facts WHERE host_id = ?', ['h3'])?.['package_digest'],
    ).toBe(packageListDigest(base));
  });

  it('keeps the rows equal to the latest list and the history equal to the diff over many scans', () => {
    // A deterministic walk over the real list: each step upgrades, removes and adds some packages.
    record('h1', base);
    let current = uniquePackages(base);
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 12; step += 1) {
      const next = current
        .filter(() => rand(40) !== 0)
        .map((p) => (rand(25) === 0 ? { ...p, version: `${p.version}.${step}` } : p));
      for (let i = rand(4); i > 0; i -= 1) {
        next.push({ name: `pd-step-${step}-${i}`, version: '1', arch: 'all', kind: 'deb' });
      }
      if (step === 5) next.push(...next.slice(0, 3)); // duplicates from the host
      const expected = diffPackages(current, uniquePackages(next));
      const scan = record('h1', next);
      expect(scan.counts).toMatchObject({
        added: expected.added.length,
        removed: expected.removed.length,
        changed: expected.changed.length,
      });
      const diff = getScanDiff(ws, scan.scanId);
      expect(diff?.added.map(key).sort()).toEqual(expected.added.map(key).sort());
      expect(diff?.removed.map(key).sort()).toEqual(expected.removed.map(key).sort());
      expect(diff?.changed.length).toBe(expected.changed.length);
      current = uniquePackages(next);
      expect(stored(ws, 'h1')).toEqual(current.map(key).sort());
    }
  });

  it('replays from the journal to the same package rows and digests', async () => {
    const image = crashImage(dir);
    const replayed = await openWorkspace({
      dir: image,
      clock: manualClock(NOW),
      log: memoryLogger(),
      migrations: MIGRATIONS,
    });
    try {
      for (const hostId of ['h1', 'h2', 'h3']) {
        expect(stored(replayed, hostId)).toEqual(stored(ws, hostId));
      }
      const digests = 'SELECT host_id, package_digest FROM host_facts ORDER BY host_id';
      expect(replayed.all(digests)).toEqual(ws.all(digests));
    } finally {
      await replayed.close();
    }
  });
});
