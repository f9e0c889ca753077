import { createHash } from 'node:crypto';

import type { SqlValue } from 'sql.js';

import type {
  HOST_SCAN_STATES,
  ScanDiff,
  ScanRecord,
  ScanRun,
} from '../../../shared/domain/assets';
import type { HostFacts, InstalledPackage, PackageKind } from '../../../shared/domain/host-facts';
import type { ReadDb, Row, WriteTx } from '../db/workspace';

import { matchEol } from './eol';

/** The state of one host inside a scan run. */
export type HostScanState = (typeof HOST_SCAN_STATES)[number];

/** The outcome of scanning one host. */
export type ScanOutcome = NonNullable<ScanRun['hosts'][number]['outcome']>;

const strOrNull = (value: SqlValue | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

function outcomeOf(row: Row): ScanOutcome | null {
  const status = strOrNull(row['status']);
  if (status === null) return null;
  return {
    status: status === 'ok' ? 'ok' : 'failed',
    failureKind: strOrNull(row['failure_kind']) as ScanOutcome['failureKind'],
    message: strOrNull(row['message']),
    action: strOrNull(row['action']),
  };
}

/** A new run and its hosts, all queued. */
export function insertScanRun(
  tx: WriteTx,
  run: {
    id: string;
    startedAt: string;
    startedBy: string;
    concurrency: number;
    hosts: readonly { scanId: string; hostId: string; hostName: string }[];
  },
): void {
  tx.run(
    `INSERT INTO scan_runs (id, started_at, started_by, concurrency, total) VALUES (?, ?, ?, ?, ?)`,
    [run.id, run.startedAt, run.startedBy, run.concurrency, run.hosts.length],
  );
  run.hosts.forEach((host, seq) => {
    tx.run(
      `INSERT INTO scans (id, run_id, host_id, host_name, seq, state, started_at)
       VALUES (?, ?, ?, ?, ?, 'queued', ?)`,
      [host.scanId, run.id, host.hostId, host.hostName, seq, run.startedAt],
    );
  });
}

/** Marks a run finished with its counts. */
export function finishScanRun(
  tx: WriteTx,
  runId: string,
  at: string,
  counts: { ok: number; failed: number },
): void {
  tx.run('UPDATE scan_runs SET finished_at = ?, ok = ?, failed = ? WHERE id = ?', [
    at,
    counts.ok,
    counts.failed,
    runId,
  ]);
}

/** A run as stored, or undefined. */
export function getScanRun(db: ReadDb, runId: string): ScanRun | undefined {
  const run = db.get(
    'SELECT id, started_at, finished_at, started_by, concurrency FROM scan_runs WHERE id = ?',
    [runId],
  );
  if (!run) return undefined;
  const hosts = db
    .all(
      `SELECT host_id, host_name, state, status, failure_kind, message, action FROM scans
       WHERE run_id = ? ORDER BY seq`,
      [runId],
    )
    .map((r) => ({
      hostId: String(r['host_id']),
      hostName: String(r['host_name']),
      state: String(r['state']) as HostScanState,
      outcome: outcomeOf(r),
    }));
  return {
    id: String(run['id']),
    startedAt: String(run['started_at']),
    finishedAt: strOrNull(run['finished_at']),
    startedBy: String(run['started_by']),
    concurrency: Number(run['concurrency']),
    hosts,
  };
}

/** Runs that never finished (the core stopped during them). */
export function listUnfinishedRunIds(db: ReadDb): string[] {
  return db
    .all('SELECT id FROM scan_runs WHERE finished_at IS NULL ORDER BY started_at')
    .map((r) => String(r['id']));
}

/**
 * Closes a run the core did not finish: its hosts still queued or in progress fail with
 * `message`, and the run gets its final counts.
 */
export function abandonScanRun(
  tx: WriteTx,
  runId: string,
  at: string,
  outcome: { message: string; action: string },
): void {
  tx.run(
    `UPDATE scans SET state = 'failed', finished_at = ?, status = 'failed', failure_kind = 'internal',
       message = ?, action = ? WHERE run_id = ? AND state NOT IN ('done', 'failed')`,
    [at, outcome.message, outcome.action, runId],
  );
  finishScanRun(tx, runId, at, countRunOutcomes(tx, runId));
}

/** How many hosts of a run have their outcome recorded, by status. */
export function countRunOutcomes(db: ReadDb, runId: string): { ok: number; failed: number } {
  const counts = db.get(
    `SELECT SUM(status = 'ok') AS ok, SUM(status = 'failed') AS failed FROM scans WHERE run_id = ?`,
    [runId],
  );
  return { ok: Number(counts?.['ok'] ?? 0), failed: Number(counts?.['failed'] ?? 0) };
}

/** The package changes one scan found, counted. */
export type PackageDiff = {
  added: InstalledPackage[];
  removed: InstalledPackage[];
  changed: { name: string; arch: string; kind: PackageKind; from: string; to: string }[];
};

const identity = (p: InstalledPackage) => `${p.kind}\u0000${p.name}\u0000${p.arch}`;

/** Packages without duplicates (same kind, name, architecture and version). */
export function uniquePackages(packages: readonly InstalledPackage[]): InstalledPackage[] {
  const seen = new Map<string, InstalledPackage>();
  for (const p of packages) seen.set(`${identity(p)}\u0000${p.version}`, p);
  return [...seen.values()];
}

/**
 * What changed from one package list to the next. A package (kind, name, architecture) with one
 * version on each side and different versions is `changed`; where several versions are installed
 * side by side (kernels on RPM hosts), each version that appears or disappears is added or removed.
 */
export function diffPackages(
  before: readonly InstalledPackage[],
  after: readonly InstalledPackage[],
): PackageDiff {
  const group = (list: readonly InstalledPackage[]) => {
    const map = new Map<string, InstalledPackage[]>();
    for (const p of list) {
      const key = identity(p);
      const entry = map.get(key);
      if (entry) entry.push(p);
      else map.set(key, [p]);
    }
    return map;
  };
  const old = group(before);
  const now = group(after);
  const diff: PackageDiff = { added: [], removed: [], changed: [] };
  for (const [key, next] of now) {
    const prev = old.get(key);
    if (!prev) {
      diff.added.push(...next);
      continue;
    }
    const prevVersions = new Set(prev.map((p) => p.version));
    const nextVersions = new Set(next.map((p) => p.version));
    if (prev.length === 1 && next.length === 1) {
      const [a] = prev as [InstalledPackage];
      const [b] = next as [InstalledPackage];
      if (a.version !== b.version) {
        diff.changed.push({
          name: b.name,
          arch: b.arch,
          kind: b.kind,
          from: a.version,
          to: b.version,
        });
      }
      continue;
    }
    diff.added.push(...next.filter((p) => !prevVersions.has(p.version)));
    diff.removed.push(...prev.filter((p) => !nextVersions.has(p.version)));
  }
  for (const [key, prev] of old) if (!now.has(key)) diff.removed.push(...prev);
  const byName = (a: { name: string; arch: string }, b: { name: string; arch: string }) =>
    a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch);
  diff.added.sort(byName);
  diff.removed.sort(byName);
  diff.changed.sort(byName);
  return diff;
}

/**
 * A digest of a package list: SHA-256 over its entries (kind, name, architecture, version,
 * publisher) sorted, so the same packages in any order give the same digest.
 */
export function packageListDigest(packages: readonly InstalledPackage[]): string {
  const entries = packages.map((p) => `${identity(p)}\u0000${p.version}\u0000${p.publisher ?? ''}`);
  entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(entries.join('\n')).digest('hex');
}

function readPackages(db: ReadDb, hostId: string): InstalledPackage[] {
  return db
    .all('SELECT name, version, arch, kind, publisher FROM host_packages WHERE host_id = ?', [
      hostId,
    ])
    .map((r) => {
      const p: InstalledPackage = {
        name: String(r['name']),
        version: String(r['version']),
        arch: String(r['arch']),
        kind: String(r['kind']) as PackageKind,
      };
      if (r['publisher'] !== null) p.publisher = String(r['publisher']);
      return p;
    });
}

/** Rows per multi-row INSERT: 100 rows of at most 7 values stay far below SQLite's 999. */
const ROWS_PER_INSERT = 100;

/** Inserts rows with as few statements as possible (one per {@link ROWS_PER_INSERT} rows). */
function insertRows(
  tx: WriteTx,
  head: string,
  rows: readonly (readonly SqlValue[])[],
  width: number,
): void {
  const row = `(${new Array<string>(width).fill('?').join(', ')})`;
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
    const part = rows.slice(at, at + ROWS_PER_INSERT);
    tx.run(`${head} VALUES ${new Array<string>(part.length).fill(row).join(', ')}`, part.flat());
  }
}

function insertPackages(tx: WriteTx, hostId: string, packages: readonly InstalledPackage[]): void {
  insertRows(
    tx,
    'INSERT OR REPLACE INTO host_packages (host_id, name, arch, kind, version, publisher)',
    packages.map((p) => [hostId, p.name, p.arch, p.kind, p.version, p.publisher ?? null]),
    6,
  );
}

function deletePackage(
  tx: WriteTx,
  hostId: string,
  p: { name: string; arch: string; kind: string; version: string },
): void {
  tx.run(
    'DELETE FROM host_packages WHERE host_id = ? AND name = ? AND arch = ? AND kind = ? AND version = ?',
    [hostId, p.name, p.arch, p.kind, p.version],
  );
}

/**
 * Brings a host's stored packages from `stored` to `packages` with only the rows that differ, and
 * records the differences as the scan's changes. A package whose publisher alone changed is
 * rewritten but is not a change.
 */
function applyPackageChanges(
  tx: WriteTx,
  scan: { scanId: string; hostId: string },
  stored: readonly InstalledPackage[],
  packages: readonly InstalledPackage[],
): PackageDiff {
  const diff = diffPackages(stored, packages);
  for (const p of diff.removed) deletePackage(tx, scan.hostId, p);
  for (const c of diff.changed) deletePackage(tx, scan.hostId, { ...c, version: c.from });
  const publisherOf = new Map(stored.map((p) => [`${identity(p)}\u0000${p.version}`, p.publisher]));
  const rewritten = packages.filter((p) => {
    const key = `${identity(p)}\u0000${p.version}`;
    return publisherOf.has(key) && publisherOf.get(key) !== p.publisher;
  });
  insertPackages(tx, scan.hostId, [
    ...diff.added,
    ...packagesOf(diff.changed, packages),
    ...rewritten,
  ]);
  insertRows(
    tx,
    'INSERT INTO scan_package_changes (scan_id, change, name, arch, kind, from_version, to_version)',
    [
      ...diff.removed.map((p) => [scan.scanId, 'removed', p.name, p.arch, p.kind, p.version, null]),
      ...diff.changed.map((c) => [scan.scanId, 'changed', c.name, c.arch, c.kind, c.from, c.to]),
      ...diff.added.map((p) => [scan.scanId, 'added', p.name, p.arch, p.kind, null, p.version]),
    ],
    7,
  );
  return diff;
}

/**
 * Records a successful scan: the facts become the host's latest, its package list is brought up
 * to date by applying the differences (which are kept as the scan's history), and the host's
 * summary columns (OS, EOL, counts, last scan) follow. Returns the counts.
 *
 * The stored list carries a digest: a scan that finds the same packages (the usual case) neither
 * reads nor writes the host's package rows; one that finds others reads them in one query, diffs
 * in memory and writes only the rows that changed.
 */
export function recordScanSuccess(
  tx: WriteTx,
  scan: {
    scanId: string;
    hostId: string;
    startedAt: string;
    finishedAt: string;
    facts: HostFacts;
  },
): { added: number; removed: number; changed: number; packageCount: number } {
  const packages = uniquePackages(scan.facts.packages);
  const digest = packageListDigest(packages);
  const previous = tx.get('SELECT scan_id, package_digest FROM host_facts WHERE host_id = ?', [
    scan.hostId,
  ]);
  const previousScanId = strOrNull(previous?.['scan_id']);
  let counts = { added: 0, removed: 0, changed: 0 };
  if (previousScanId === null) {
    tx.run('DELETE FROM host_packages WHERE host_id = ?', [scan.hostId]);
    insertPackages(tx, scan.hostId, packages);
  } else if (strOrNull(previous?.['package_digest']) !== digest) {
    const diff = applyPackageChanges(tx, scan, readPackages(tx, scan.hostId), packages);
    counts = {
      added: diff.added.length,
      removed: diff.removed.length,
      changed: diff.changed.length,
    };
  }
  const { packages: _omitted, ...factsOnly } = scan.facts;
  tx.run(
    `INSERT INTO host_facts (host_id, scan_id, facts, collected_at, package_digest)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (host_id) DO UPDATE SET scan_id = excluded.scan_id, facts = excluded.facts,
       collected_at = excluded.collected_at, package_digest = excluded.package_digest`,
    [scan.hostId, scan.scanId, JSON.stringify(factsOnly), scan.facts.collectedAt, digest],
  );
  const eol = matchEol(scan.facts);
  tx.run(
    `UPDATE hosts SET os_family = ?, os_id = ?, os_name = ?, os_version = ?, kernel = ?, arch = ?,
       package_count = ?, reboot_required = ?, eol_product = ?, eol_date = ?, last_scan_id = ?,
       last_scan_at = ?, last_scan_status = 'ok', last_scan_failure_kind = NULL,
       last_scan_message = NULL, last_scan_action = NULL
     WHERE id = ?`,
    [
      scan.facts.osFamily,
      scan.facts.osId,
      scan.facts.osName,
      scan.facts.osVersion,
      scan.facts.kernel,
      scan.facts.arch,
      packages.length,
      scan.facts.rebootRequired ? 1 : 0,
      eol?.product ?? null,
      eol?.eolDate ?? null,
      scan.scanId,
      scan.finishedAt,
      scan.hostId,
    ],
  );
  const warnings = scan.facts.warnings ?? [];
  tx.run(
    `UPDATE scans SET state = 'done', started_at = ?, finished_at = ?, status = 'ok',
       failure_kind = NULL, message = ?, action = NULL, package_count = ?, previous_scan_id = ?,
       added = ?, removed = ?, changed = ?
     WHERE id = ?`,
    [
      scan.startedAt,
      scan.finishedAt,
      warnings.length > 0 ? warnings.join('\n') : null,
      packages.length,
      previousScanId,
      counts.added,
      counts.removed,
      counts.changed,
      scan.scanId,
    ],
  );
  // The key was trusted for this scan: an older sighting is no longer waiting for anyone.
  tx.run('DELETE FROM host_key_sightings WHERE host_id = ?', [scan.hostId]);
  return { ...counts, packageCount: packages.length };
}

function packagesOf(
  changed: PackageDiff['changed'],
  packages: readonly InstalledPackage[],
): InstalledPackage[] {
  const wanted = new Set(
    changed.map((c) => `${c.kind}\u0000${c.name}\u0000${c.arch}\u0000${c.to}`),
  );
  return packages.filter((p) => wanted.has(`${identity(p)}\u0000${p.version}`));
}

/** Records a failed scan on the scan row and the host's last-scan columns. */
export function recordScanFailure(
  tx: WriteTx,
  scan: {
    scanId: string;
    hostId: string;
    startedAt: string;
    finishedAt: string;
    outcome: ScanOutcome;
  },
): void {
  const o = scan.outcome;
  tx.run(
    `UPDATE scans SET state = 'failed', started_at = ?, finished_at = ?, status = 'failed',
       failure_kind = ?, message = ?, action = ? WHERE id = ?`,
    [scan.startedAt, scan.finishedAt, o.failureKind, o.message, o.action, scan.scanId],
  );
  tx.run(
    `UPDATE hosts SET last_scan_id = ?, last_scan_at = ?, last_scan_status = 'failed',
       last_scan_failure_kind = ?, last_scan_message = ?, last_scan_action = ? WHERE id = ?`,
    [scan.scanId, scan.finishedAt, o.failureKind, o.message, o.action, scan.hostId],
  );
}

function toRecord(r: Row): ScanRecord {
  return {
    id: String(r['id']),
    hostId: String(r['host_id']),
    runId: String(r['run_id']),
    startedAt: String(r['started_at']),
    finishedAt: strOrNull(r['finished_at']),
    outcome: outcomeOf(r) ?? {
      status: 'failed',
      failureKind: null,
      message: 'The scan has not finished yet.',
      action: null,
    },
    packageCount: r['package_count'] === null ? null : Number(r['package_count']),
    added: Number(r['added']),
    removed: Number(r['removed']),
    changed: Number(r['changed']),
  };
}

const SCAN_COLUMNS = `id, host_id, run_id, started_at, finished_at, status, failure_kind, message,
  action, package_count, added, removed, changed`;

/** The finished scans of a host, newest first. */
export function listHostScans(db: ReadDb, hostId: string, limit: number): ScanRecord[] {
  return db
    .all(
      `SELECT ${SCAN_COLUMNS} FROM scans WHERE host_id = ? AND state IN ('done', 'failed')
       ORDER BY finished_at DESC, seq DESC LIMIT ?`,
      [hostId, limit],
    )
    .map(toRecord);
}

/** One scan row, or undefined. */
export function getScanRecord(db: ReadDb, scanId: string): ScanRecord | undefined {
  const row = db.get(`SELECT ${SCAN_COLUMNS} FROM scans WHERE id = ?`, [scanId]);
  return row ? toRecord(row) : undefined;
}

/** The package differences a scan recorded, or undefined when the scan does not exist. */
export function getScanDiff(db: ReadDb, scanId: string): ScanDiff | undefined {
  const scan = db.get('SELECT id, previous_scan_id FROM scans WHERE id = ?', [scanId]);
  if (!scan) return undefined;
  const diff: ScanDiff = {
    scanId,
    previousScanId: strOrNull(scan['previous_scan_id']),
    added: [],
    removed: [],
    changed: [],
  };
  for (const r of db.all(
    `SELECT change, name, arch, kind, from_version, to_version FROM scan_package_changes
     WHERE scan_id = ? ORDER BY change, name, arch`,
    [scanId],
  )) {
    const base = {
      name: String(r['name']),
      arch: String(r['arch']),
      kind: String(r['kind']) as PackageKind,
    };
    if (r['change'] === 'added') diff.added.push({ ...base, version: String(r['to_version']) });
    else if (r['change'] === 'removed')
      diff.removed.push({ ...base, version: String(r['from_version']) });
    else
      diff.changed.push({
        name: base.name,
        arch: base.arch,
        from: String(r['from_version']),
        to: String(r['to_version']),
      });
  }
  return diff;
}
