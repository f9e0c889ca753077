import type {
  BundleDetail,
  BundleSummary,
  Publisher,
  StoreStatus,
} from '../../../shared/api/ops/bundles';
import {
  CatalogPatchSchema,
  keyFingerprint,
  ManifestSchema,
  RootSchema,
  type CatalogPatch,
  type Manifest,
  type Root,
  type Severity,
  SEVERITIES,
} from '../../../shared/domain/bundle-manifest';
import type { ReadDb, WriteTx } from '../platform/storage';

import type { TrustAnchor } from './verify-metadata';

type Json = string;
const parse = (text: unknown): unknown => JSON.parse(String(text)) as unknown;

/** The trust anchor of a publisher, or null when the workspace does not trust it. */
export function findTrustAnchor(db: ReadDb, publisher: string): TrustAnchor | null {
  const row = db.get<{ root_json: Json }>(
    'SELECT root_json FROM bundle_publishers WHERE publisher = ?',
    [publisher],
  );
  if (!row) return null;
  const root = RootSchema.parse(parse(row.root_json));
  const revoked = db
    .all<{ keyid: string }>(
      "SELECT keyid FROM bundle_trusted_keys WHERE publisher = ? AND status = 'revoked'",
      [publisher],
    )
    .map((r) => r.keyid);
  return { publisher, root, revoked: new Set(revoked) };
}

function rolesOf(root: Root, keyid: string): ('root' | 'targets')[] {
  return (['root', 'targets'] as const).filter((role) => root.roles[role].keyids.includes(keyid));
}

/**
 * Stores a root as the publisher's current one: inserts the publisher on first use, records the
 * version, adds its keys and revokes every key the new root no longer lists.
 */
export function saveRoot(
  tx: WriteTx,
  root: Root,
  text: string,
  sha256: string,
  at: string,
  by: string,
): void {
  const exists = tx.get('SELECT 1 AS x FROM bundle_publishers WHERE publisher = ?', [
    root.publisher,
  ]);
  if (exists) {
    tx.run(
      'UPDATE bundle_publishers SET root_version = ?, root_json = ?, updated_at = ? WHERE publisher = ?',
      [root.version, JSON.stringify(root), at, root.publisher],
    );
  } else {
    tx.run(
      'INSERT INTO bundle_publishers (publisher, root_version, root_json, added_at, added_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      [root.publisher, root.version, JSON.stringify(root), at, by, at],
    );
  }
  tx.run(
    'INSERT OR REPLACE INTO bundle_publisher_roots (publisher, version, root_json, sha256, accepted_at, accepted_by) VALUES (?, ?, ?, ?, ?, ?)',
    [root.publisher, root.version, text, sha256, at, by],
  );
  for (const [keyid, key] of Object.entries(root.keys)) {
    const roles = JSON.stringify(rolesOf(root, keyid));
    const known = tx.get<{ publisher: string }>(
      'SELECT publisher FROM bundle_trusted_keys WHERE keyid = ?',
      [keyid],
    );
    if (known) {
      tx.run('UPDATE bundle_trusted_keys SET roles = ? WHERE keyid = ?', [roles, keyid]);
    } else {
      tx.run(
        "INSERT INTO bundle_trusted_keys (keyid, publisher, public_key, roles, status, added_at) VALUES (?, ?, ?, ?, 'active', ?)",
        [keyid, root.publisher, key.public, roles, at],
      );
    }
  }
  const listed = new Set(Object.keys(root.keys));
  for (const row of tx.all<{ keyid: string }>(
    "SELECT keyid FROM bundle_trusted_keys WHERE publisher = ? AND status = 'active'",
    [root.publisher],
  )) {
    if (!listed.has(row.keyid)) {
      tx.run(
        "UPDATE bundle_trusted_keys SET status = 'revoked', revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE keyid = ?",
        [at, by, `Not in root version ${root.version}.`, row.keyid],
      );
    }
  }
}

/** Revokes one key; returns its publisher, or null when the key is unknown. */
export function revokeKey(
  tx: WriteTx,
  keyid: string,
  reason: string,
  at: string,
  by: string,
): string | null {
  const row = tx.get<{ publisher: string }>(
    'SELECT publisher FROM bundle_trusted_keys WHERE keyid = ?',
    [keyid],
  );
  if (!row) return null;
  tx.run(
    "UPDATE bundle_trusted_keys SET status = 'revoked', revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE keyid = ? AND status = 'active'",
    [at, by, reason, keyid],
  );
  return row.publisher;
}

/** One publisher with its keys and channel marks. */
export function getPublisher(db: ReadDb, publisher: string): Publisher | null {
  const row = db.get<{
    publisher: string;
    root_version: number;
    root_json: Json;
    added_at: string;
    added_by: string;
    updated_at: string;
  }>('SELECT * FROM bundle_publishers WHERE publisher = ?', [publisher]);
  if (!row) return null;
  const root = RootSchema.parse(parse(row.root_json));
  const keys = db
    .all<{
      keyid: string;
      roles: Json;
      status: string;
      revoked_at: string | null;
      revoked_reason: string | null;
      bundles_verified: number;
      last_used_at: string | null;
    }>('SELECT * FROM bundle_trusted_keys WHERE publisher = ? ORDER BY added_at, keyid', [
      publisher,
    ])
    .map((k) => ({
      keyid: k.keyid,
      fingerprint: keyFingerprint(k.keyid),
      roles: parse(k.roles) as ('root' | 'targets')[],
      status: k.status === 'revoked' ? ('revoked' as const) : ('active' as const),
      revokedAt: k.revoked_at,
      revokedReason: k.revoked_reason,
      bundlesVerified: Number(k.bundles_verified),
      lastUsedAt: k.last_used_at,
    }));
  const channels = db
    .all<{ channel: string; sequence: number; bundle_id: string; created: string }>(
      'SELECT channel, sequence, bundle_id, created FROM bundle_channel_marks WHERE publisher = ? ORDER BY channel',
      [publisher],
    )
    .map((c) => ({
      channel: c.channel,
      sequence: Number(c.sequence),
      bundleId: c.bundle_id,
      created: c.created,
    }));
  return {
    publisher: row.publisher,
    rootVersion: Number(row.root_version),
    addedAt: row.added_at,
    addedBy: row.added_by,
    updatedAt: row.updated_at,
    rootThreshold: root.roles.root.threshold,
    targetsThreshold: root.roles.targets.threshold,
    keys,
    channels,
  };
}

/** Every trusted publisher. */
export function listPublishers(db: ReadDb): Publisher[] {
  return db
    .all<{ publisher: string }>('SELECT publisher FROM bundle_publishers ORDER BY publisher')
    .map((r) => getPublisher(db, r.publisher))
    .filter((p): p is Publisher => p !== null);
}

/** The newest bundle accepted on a channel (rollback and time ratchet), or undefined. */
export function channelMark(
  db: ReadDb,
  publisher: string,
  channel: string,
): { sequence: number; bundleId: string; created: string } | undefined {
  const row = db.get<{ sequence: number; bundle_id: string; created: string }>(
    'SELECT sequence, bundle_id, created FROM bundle_channel_marks WHERE publisher = ? AND channel = ?',
    [publisher, channel],
  );
  return row
    ? { sequence: Number(row.sequence), bundleId: row.bundle_id, created: row.created }
    : undefined;
}

/** Forgets a publisher's channel marks: after its bundle-signing keys rotate (TUF §5.3.11). */
export function resetChannelMarks(tx: WriteTx, publisher: string): void {
  tx.run('DELETE FROM bundle_channel_marks WHERE publisher = ?', [publisher]);
}

/** The manifest hash of an imported bundle, or undefined. */
export function importedManifestHash(db: ReadDb, bundleId: string): string | undefined {
  return db.get<{ manifest_sha256: string }>(
    'SELECT manifest_sha256 FROM bundles WHERE bundle_id = ?',
    [bundleId],
  )?.manifest_sha256;
}

/** Everything recorded about one imported bundle. */
export type BundleRecord = {
  manifest: Manifest;
  manifestSha256: string;
  sourceKind: 'directory' | 'tar';
  verification: Record<string, unknown>;
  expiryOverridden: boolean;
  signedBy: string[];
  importedAt: string;
  importedBy: string;
};

function highestSeverity(manifest: Manifest): Severity {
  const ranks = manifest.patches.map((p) => SEVERITIES.indexOf(p.severity));
  const best = ranks.length === 0 ? SEVERITIES.indexOf('none') : Math.min(...ranks);
  return SEVERITIES[best] ?? 'unknown';
}

/** Records an imported bundle, its files and patches, and moves its channel mark. */
export function insertBundle(tx: WriteTx, record: BundleRecord): void {
  const m = record.manifest;
  const total = m.files.reduce((sum, f) => sum + f.length, 0);
  tx.run(
    `INSERT INTO bundles (bundle_id, publisher, channel, sequence, created, expires, root_version,
      manifest_sha256, manifest_json, source_kind, file_count, total_bytes, patch_count,
      expiry_overridden, verification, imported_at, imported_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      m.bundleId,
      m.publisher,
      m.channel,
      m.sequence,
      m.created,
      m.expires,
      m.rootVersion,
      record.manifestSha256,
      JSON.stringify(m),
      record.sourceKind,
      m.files.length,
      total,
      m.patches.length,
      record.expiryOverridden ? 1 : 0,
      JSON.stringify(record.verification),
      record.importedAt,
      record.importedBy,
    ],
  );
  const byPath = new Map(m.files.map((f) => [f.path, f]));
  for (const f of m.files) {
    tx.run('INSERT INTO bundle_files (bundle_id, path, length, sha256) VALUES (?, ?, ?, ?)', [
      m.bundleId,
      f.path,
      f.length,
      f.sha256,
    ]);
  }
  for (const p of m.patches) {
    tx.run(
      `INSERT INTO bundle_patches (bundle_id, patch_id, title, vendor, severity, released_at,
        os_family, os_releases, reboot_required, known_exploited, supersedes, prerequisites,
        pre_steps, post_steps, cvss)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        m.bundleId,
        p.id,
        p.title,
        p.vendor,
        p.severity,
        p.releasedAt,
        p.os.family,
        JSON.stringify(p.os.releases),
        p.rebootRequired ? 1 : 0,
        p.knownExploited === undefined ? null : p.knownExploited ? 1 : 0,
        JSON.stringify(p.supersedes),
        JSON.stringify(p.prerequisites),
        JSON.stringify(p.preSteps),
        JSON.stringify(p.postSteps),
        JSON.stringify(p.cvss),
      ],
    );
    p.packages.forEach((pkg, position) => {
      const file = byPath.get(pkg.file);
      tx.run(
        `INSERT INTO bundle_patch_packages (bundle_id, patch_id, position, name, version, arch, kind, file, sha256, length)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          m.bundleId,
          p.id,
          position,
          pkg.name,
          pkg.version,
          pkg.arch,
          pkg.kind,
          pkg.file,
          file?.sha256 ?? '',
          file?.length ?? 0,
        ],
      );
    });
    for (const cve of new Set(p.cves)) {
      tx.run('INSERT INTO bundle_patch_cves (bundle_id, patch_id, cve) VALUES (?, ?, ?)', [
        m.bundleId,
        p.id,
        cve,
      ]);
    }
    const advisories = new Map(p.advisories.map((a) => [a.id, a.kind]));
    for (const [id, kind] of advisories) {
      tx.run(
        'INSERT INTO bundle_patch_advisories (bundle_id, patch_id, advisory_id, kind) VALUES (?, ?, ?, ?)',
        [m.bundleId, p.id, id, kind],
      );
    }
  }
  tx.run(
    `INSERT INTO bundle_channel_marks (publisher, channel, sequence, bundle_id, created, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (publisher, channel) DO UPDATE SET sequence = excluded.sequence,
       bundle_id = excluded.bundle_id, created = excluded.created, updated_at = excluded.updated_at`,
    [m.publisher, m.channel, m.sequence, m.bundleId, m.created, record.importedAt],
  );
  for (const keyid of record.signedBy) {
    tx.run(
      'UPDATE bundle_trusted_keys SET bundles_verified = bundles_verified + 1, last_used_at = ? WHERE keyid = ?',
      [record.importedAt, keyid],
    );
  }
}

/** One import attempt, whatever its outcome. */
export type ImportAttempt = {
  id: string;
  at: string;
  operatorId: string | null;
  source: string;
  outcome: 'imported' | 'already-imported' | 'repaired' | 'refused';
  errorCode: string | null;
  message: string | null;
  bundleId: string | null;
  publisher: string | null;
  channel: string | null;
  sequence: number | null;
  bytesRead: number;
  durationMs: number;
  allowExpired: boolean;
};

/** Records an import attempt. */
export function insertImportAttempt(tx: WriteTx, a: ImportAttempt): void {
  tx.run(
    `INSERT INTO bundle_import_attempts (id, at, operator_id, source, outcome, error_code, message,
      bundle_id, publisher, channel, sequence, bytes_read, duration_ms, allow_expired)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      a.id,
      a.at,
      a.operatorId,
      a.source,
      a.outcome,
      a.errorCode,
      a.message,
      a.bundleId,
      a.publisher,
      a.channel,
      a.sequence,
      a.bytesRead,
      Math.round(a.durationMs),
      a.allowExpired ? 1 : 0,
    ],
  );
}

type BundleRow = {
  bundle_id: string;
  publisher: string;
  channel: string;
  sequence: number;
  created: string;
  expires: string;
  manifest_sha256: string;
  manifest_json: Json;
  source_kind: string;
  file_count: number;
  total_bytes: number;
  patch_count: number;
  expiry_overridden: number;
  verification: Json;
  imported_at: string;
  imported_by: string;
  store_status: string;
  store_checked_at: string | null;
};

function storeStatusOfRow(value: string): StoreStatus {
  return value === 'verified' || value === 'corrupt' ? value : 'verifying';
}

function summaryOf(row: BundleRow): BundleSummary {
  const manifest = ManifestSchema.parse(parse(row.manifest_json));
  return {
    bundleId: row.bundle_id,
    publisher: row.publisher,
    channel: row.channel,
    sequence: Number(row.sequence),
    created: row.created,
    expires: row.expires,
    importedAt: row.imported_at,
    importedBy: row.imported_by,
    files: Number(row.file_count),
    bytes: Number(row.total_bytes),
    patches: Number(row.patch_count),
    severity: highestSeverity(manifest),
    expiryOverridden: Number(row.expiry_overridden) === 1,
    storeStatus: storeStatusOfRow(row.store_status),
    storeCheckedAt: row.store_checked_at,
  };
}

/** Every imported bundle, newest import first. */
export function listBundles(db: ReadDb): BundleSummary[] {
  return db
    .all<BundleRow>('SELECT * FROM bundles ORDER BY imported_at DESC, bundle_id')
    .map(summaryOf);
}

/** One imported bundle in full, or null. */
export function getBundle(db: ReadDb, bundleId: string): BundleDetail | null {
  const row = db.get<BundleRow>('SELECT * FROM bundles WHERE bundle_id = ?', [bundleId]);
  if (!row) return null;
  const manifest = ManifestSchema.parse(parse(row.manifest_json));
  return {
    ...summaryOf(row),
    manifestSha256: row.manifest_sha256,
    sourceKind: row.source_kind === 'tar' ? 'tar' : 'directory',
    fileList: manifest.files,
    patchList: manifest.patches,
    verification: parse(row.verification) as BundleDetail['verification'],
  };
}

/**
 * Every patch of every imported bundle, for the catalog: one entry per patch per bundle (a patch
 * re-published in a later bundle appears once per bundle), ordered by bundle import then patch id.
 * Package entries carry the stored file's SHA-256 and length (`contentStorePath` finds the file).
 */
export function listPatches(db: ReadDb): CatalogPatch[] {
  const rows = db.all<{ bundle_id: string; manifest_json: Json; imported_at: string }>(
    'SELECT bundle_id, manifest_json, imported_at FROM bundles ORDER BY imported_at, bundle_id',
  );
  const out: CatalogPatch[] = [];
  for (const row of rows) {
    const m = ManifestSchema.parse(parse(row.manifest_json));
    const byPath = new Map(m.files.map((f) => [f.path, f]));
    for (const p of [...m.patches].sort((a, b) => a.id.localeCompare(b.id))) {
      out.push(
        CatalogPatchSchema.parse({
          patchId: p.id,
          bundleId: m.bundleId,
          publisher: m.publisher,
          channel: m.channel,
          bundleSequence: m.sequence,
          bundleCreated: m.created,
          importedAt: row.imported_at,
          title: p.title,
          vendor: p.vendor,
          severity: p.severity,
          releasedAt: p.releasedAt,
          advisories: p.advisories,
          cves: p.cves,
          cvss: p.cvss,
          os: p.os,
          packages: p.packages.map((pkg) => ({
            ...pkg,
            sha256: byPath.get(pkg.file)?.sha256 ?? '',
            length: byPath.get(pkg.file)?.length ?? 0,
          })),
          rebootRequired: p.rebootRequired,
          knownExploited: p.knownExploited ?? null,
          supersedes: p.supersedes,
          prerequisites: p.prerequisites,
          preSteps: p.preSteps,
          postSteps: p.postSteps,
        }),
      );
    }
  }
  return out;
}

/** The store status of an imported bundle, or undefined when it is not imported. */
export function storeStatusOf(db: ReadDb, bundleId: string): StoreStatus | undefined {
  const row = db.get<{ store_status: string }>(
    'SELECT store_status FROM bundles WHERE bundle_id = ?',
    [bundleId],
  );
  return row ? storeStatusOfRow(row.store_status) : undefined;
}

/** Bundles whose store copy has not been checked to the end (new, or a check cut short). */
export function bundlesAwaitingStoreCheck(db: ReadDb): string[] {
  return db
    .all<{ bundle_id: string }>(
      "SELECT bundle_id FROM bundles WHERE store_status = 'verifying' ORDER BY imported_at, bundle_id",
    )
    .map((r) => r.bundle_id);
}

/** One stored content of a bundle: its hash, length and the first path that names it. */
export type BundleContent = { sha256: string; length: number; path: string };

/** The distinct contents of a bundle's files (a content listed twice is read once). */
export function bundleContents(db: ReadDb, bundleId: string): BundleContent[] {
  return db
    .all<{ sha256: string; length: number; path: string }>(
      `SELECT sha256, length, min(path) AS path FROM bundle_files WHERE bundle_id = ?
       GROUP BY sha256, length ORDER BY path`,
      [bundleId],
    )
    .map((r) => ({ sha256: r.sha256, length: Number(r.length), path: r.path }));
}

/** Other bundles whose files include any of these contents, with their store status. */
export function bundlesSharingContent(
  db: ReadDb,
  bundleId: string,
  sha256s: readonly string[],
): { bundleId: string; storeStatus: StoreStatus }[] {
  if (sha256s.length === 0) return [];
  const marks = sha256s.map(() => '?').join(', ');
  return db
    .all<{ bundle_id: string; store_status: string }>(
      `SELECT DISTINCT b.bundle_id, b.store_status FROM bundles b
       JOIN bundle_files f ON f.bundle_id = b.bundle_id
       WHERE f.sha256 IN (${marks}) AND b.bundle_id <> ? ORDER BY b.bundle_id`,
      [...sha256s, bundleId],
    )
    .map((r) => ({ bundleId: r.bundle_id, storeStatus: storeStatusOfRow(r.store_status) }));
}

/**
 * Sets a bundle's store status. `direct` says whether the check read the disk itself (null while
 * verifying).
 */
export function setStoreStatus(
  tx: WriteTx,
  bundleId: string,
  status: StoreStatus,
  at: string | null,
  direct: boolean | null,
): void {
  tx.run(
    'UPDATE bundles SET store_status = ?, store_checked_at = ?, store_read_direct = ? WHERE bundle_id = ?',
    [status, at, direct === null ? null : direct ? 1 : 0, bundleId],
  );
}
