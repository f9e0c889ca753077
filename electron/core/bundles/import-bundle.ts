import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { AppError } from '../../../shared/api/errors';
import type { ImportReport } from '../../../shared/api/ops/bundles';
import type { Workspace } from '../db/workspace';
import type { Clock } from '../platform/clock';
import type { EventBus } from '../platform/events';
import type { IdGenerator } from '../platform/ids';
import type { WriteTx } from '../platform/storage';

import {
  channelMark,
  findTrustAnchor,
  getBundle,
  importedManifestHash,
  insertBundle,
  insertImportAttempt,
  resetChannelMarks,
  saveRoot,
  setStoreStatus,
  storeStatusOf,
  type ImportAttempt,
} from './bundles.repository';
import {
  commitStaged,
  contentStorePath,
  createStaging,
  hasContent,
  removeContent,
  removeStaging,
} from './content-store';
import { readDebControlFields } from './deb-control';
import type { PayloadFile } from './hash-copy';
import {
  payloadBytes,
  verifyBundle,
  type PolicyVerdict,
  type VerifiedBundle,
} from './verify-bundle';
import type { TrustAnchor, VerifiedMetadata } from './verify-metadata';

/** What an import needs from the core. */
export type ImportDeps = {
  workspace: Workspace;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  /** Worker threads per phase; one per core (at most four) unless told. */
  parallelism?: number;
};

/** Who imports, and how the result is committed together with its audit record. */
export type ImportCaller = {
  operatorId: string | null;
  operatorName: string;
  /** May import an expired bundle when asked to. */
  mayOverrideExpiry: boolean;
  /** Writes the import and its audit record in one transaction. */
  commit<R>(fn: (tx: WriteTx) => R): R;
  describe(summary: string, details?: Record<string, unknown>): void;
};

/** What to import. */
export type ImportRequest = { source: string; allowExpired: boolean; taskId?: string | undefined };

let queue: Promise<unknown> = Promise.resolve();

/** Runs imports one after another, so two never race for the same store objects or marks. */
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

function targetsChanged(before: TrustAnchor, meta: VerifiedMetadata): boolean {
  const a = [...before.root.roles.targets.keyids].sort().join(',');
  const b = [...meta.root.roles.targets.keyids].sort().join(',');
  return a !== b;
}

/** The later of the clock and the newest `created` already accepted from this publisher (UPD-13). */
function judgedNow(workspace: Workspace, publisher: string, clock: Date): Date {
  const row = workspace.get<{ newest: string | null }>(
    'SELECT max(created) AS newest FROM bundle_channel_marks WHERE publisher = ?',
    [publisher],
  );
  const newest = row?.newest ? Date.parse(row.newest) : Number.NaN;
  return Number.isFinite(newest) && newest > clock.getTime() ? new Date(newest) : clock;
}

/**
 * Imports a bundle from media in one pass: verify the metadata before trusting anything, read
 * each payload file once (off the main thread), hashing exactly the bytes written into staging,
 * fsync the copies, move them into the content store, and record bundle, roots and channel mark
 * with the audit record in one transaction. Any failure leaves no staging folder, no new store
 * file and no bundle row. The media may be removed when this resolves.
 *
 * The bundle is recorded with store status `verifying`: the caller then has the store copy read
 * again from the disk (`verifyBundleStore`, in the background) before the bundle may be deployed.
 * Importing a quarantined (`corrupt`) bundle again repairs it: the files missing from the store
 * are copied again and the status returns to `verifying` (outcome `repaired`).
 */
export function importBundle(
  deps: ImportDeps,
  request: ImportRequest,
  caller: ImportCaller,
): Promise<ImportReport> {
  return serialised(() => runImport(deps, request, caller));
}

async function runImport(
  deps: ImportDeps,
  request: ImportRequest,
  caller: ImportCaller,
): Promise<ImportReport> {
  const { workspace, events } = deps;
  const taskId = request.taskId ?? deps.ids.next('import');
  const clockNow = deps.clock.now();
  const started = performance.now();
  let bytesTotal = 0;
  let bytesDone = 0;
  let lastEmit = 0;
  let phase: 'verifying-metadata' | 'copying' | 'recording' | 'done' = 'verifying-metadata';
  const emit = (file: string | null, force = false) => {
    const now = performance.now();
    if (!force && now - lastEmit < 100) return;
    lastEmit = now;
    const seconds = Math.max((now - started) / 1000, 1e-3);
    events.emit('bundles.importProgress', {
      taskId,
      phase,
      bytesDone,
      bytesTotal,
      bytesPerSecond: Math.round(bytesDone / seconds),
      file,
    });
  };
  let stagingDir: string | undefined;
  let created: string[] = [];
  let verified: VerifiedBundle | undefined;
  let judged = clockNow;
  try {
    if (request.allowExpired && !caller.mayOverrideExpiry) {
      throw new AppError(
        'PERMISSION_DENIED',
        'Importing an expired bundle needs the "bundles.overrideExpiry" permission. Ask an administrator.',
        { permission: 'bundles.overrideExpiry' },
      );
    }
    stagingDir = await createStaging(workspace.dir);
    verified = await verifyBundle(request.source, {
      anchorFor: (publisher) => {
        judged = judgedNow(workspace, publisher, clockNow);
        return findTrustAnchor(workspace, publisher);
      },
      requireTrust: true,
      get now() {
        return judged;
      },
      allowExpired: request.allowExpired,
      policy: (meta, anchor) => checkPolicy(workspace, meta, anchor),
      stagingDir,
      storeHas: (sha, length) => hasContent(workspace.dir, sha, length),
      ...(deps.parallelism === undefined ? {} : { parallelism: deps.parallelism }),
      onPhase: (next, total) => {
        phase = next;
        if (next === 'copying') bytesTotal = total;
        emit(null, true);
      },
      onProgress: (bytes, file) => {
        bytesDone += bytes;
        emit(file, false);
      },
    });
    const { meta } = verified;
    phase = 'recording';
    emit(null, true);
    const { manifest } = meta;
    const durationMs = performance.now() - started;
    const signedBy = meta.signatures.filter((s) => s.status === 'valid').map((s) => s.keyid);
    const verification = {
      publisher: manifest.publisher,
      rootVersion: meta.root.version,
      threshold: meta.threshold,
      validSignatures: meta.validSignatures,
      signatures: meta.signatures,
      rootsAccepted: meta.acceptedRoots.map((r) => r.version),
      expired: verified.expired,
      expiryOverridden: verified.expired,
      checkedAt: judged.toISOString(),
      files: manifest.files.length,
      bytes: payloadBytes(manifest),
    };
    const outcome: ImportReport['outcome'] =
      verified.verdict === 'already-imported'
        ? 'already-imported'
        : verified.verdict === 'repair'
          ? 'repaired'
          : 'imported';
    const attempt: ImportAttempt = {
      id: deps.ids.next('bimp'),
      at: clockNow.toISOString(),
      operatorId: caller.operatorId,
      source: request.source,
      outcome,
      errorCode: null,
      message: null,
      bundleId: manifest.bundleId,
      publisher: manifest.publisher,
      channel: manifest.channel,
      sequence: manifest.sequence,
      bytesRead: verified.bytesRead,
      durationMs,
      allowExpired: request.allowExpired,
    };
    const details = {
      bundleId: manifest.bundleId,
      publisher: manifest.publisher,
      channel: manifest.channel,
      sequence: manifest.sequence,
      manifestSha256: meta.manifestSha256,
      signedBy,
      rootsAccepted: verification.rootsAccepted,
      files: manifest.files.length,
      bytes: verification.bytes,
      ...(verified.expired
        ? { expiryOverridden: true, expires: manifest.expires, clock: clockNow.toISOString() }
        : {}),
    };
    if (verified.verdict === 'already-imported') {
      caller.describe(`Bundle ${manifest.bundleId} was already imported; nothing changed`, details);
      caller.commit((tx) => insertImportAttempt(tx, attempt));
    } else if (verified.verdict === 'repair') {
      await checkStoredDebs(workspace.dir, stagingDir, meta.manifest, verified.files);
      created = await commitStaged(workspace.dir, stagingDir, verified.files);
      caller.describe(
        `Repaired the stored copy of quarantined bundle ${manifest.bundleId}; its store copy is checked again`,
        { ...details, restored: verified.files.filter((f) => f.store).map((f) => f.path) },
      );
      caller.commit((tx) => {
        setStoreStatus(tx, manifest.bundleId, 'verifying', null, null);
        insertImportAttempt(tx, attempt);
      });
    } else {
      await checkStoredDebs(workspace.dir, stagingDir, meta.manifest, verified.files);
      created = await commitStaged(workspace.dir, stagingDir, verified.files);
      caller.describe(
        `Imported bundle ${manifest.bundleId} (${manifest.publisher}/${manifest.channel} #${manifest.sequence})`,
        details,
      );
      const anchor = verified.anchor;
      caller.commit((tx) => {
        for (const root of meta.acceptedRoots) {
          saveRoot(tx, root.signed.signed, root.text, root.sha256, attempt.at, caller.operatorName);
        }
        if (anchor && targetsChanged(anchor, meta)) resetChannelMarks(tx, manifest.publisher);
        insertBundle(tx, {
          manifest,
          manifestSha256: meta.manifestSha256,
          sourceKind: verified?.source.kind ?? 'directory',
          verification,
          expiryOverridden: verified?.expired ?? false,
          signedBy,
          importedAt: attempt.at,
          importedBy: caller.operatorName,
        });
        insertImportAttempt(tx, attempt);
      });
    }
    phase = 'done';
    emit(null, true);
    const bundle = getBundle(workspace, manifest.bundleId);
    if (!bundle) throw new Error(`Bundle ${manifest.bundleId} vanished after recording it.`);
    const {
      fileList: _f,
      patchList: _p,
      verification: _v,
      manifestSha256: _m,
      sourceKind: _s,
      ...summary
    } = bundle;
    const seconds = Math.max(durationMs / 1000, 1e-6);
    return {
      taskId,
      outcome,
      bundle: summary,
      verification: verified.verdict === 'continue' ? verification : bundle.verification,
      bytesRead: verified.bytesRead,
      bytesStored: verified.bytesWritten,
      durationMs: Math.round(durationMs),
      megabytesPerSecond: Math.round((verified.bytesRead / 1e6 / seconds) * 10) / 10,
    };
  } catch (error) {
    await removeContent(created);
    const manifest = verified?.meta.manifest;
    const code = error instanceof AppError ? error.code : 'INTERNAL_ERROR';
    const message = error instanceof AppError ? error.message : 'unexpected failure';
    caller.describe(`Refused bundle import from ${request.source}: ${code}`, {
      source: request.source,
      errorCode: code,
      message,
      ...(error instanceof AppError && error.details ? { refusal: error.details } : {}),
      clock: clockNow.toISOString(),
    });
    try {
      workspace.transaction((tx) =>
        insertImportAttempt(tx, {
          id: deps.ids.next('bimp'),
          at: clockNow.toISOString(),
          operatorId: caller.operatorId,
          source: request.source,
          outcome: 'refused',
          errorCode: code,
          message,
          bundleId: manifest?.bundleId ?? null,
          publisher: manifest?.publisher ?? null,
          channel: manifest?.channel ?? null,
          sequence: manifest?.sequence ?? null,
          bytesRead: 0,
          durationMs: performance.now() - started,
          allowExpired: request.allowExpired,
        }),
      );
    } catch {
      // The refusal itself is what the operator must see; the dispatcher audits it too.
    }
    throw error;
  } finally {
    if (stagingDir) await removeStaging(stagingDir);
  }
}

/**
 * Reads the control data of every `.deb` from the copy PatchDeck will keep (the verified staged
 * copy, or the store's when it already held the content) and refuses a package that says it is
 * another name, version or architecture than the signed manifest (UPD-19).
 */
async function checkStoredDebs(
  workspaceDir: string,
  stagingDir: string,
  manifest: VerifiedMetadata['manifest'],
  files: readonly PayloadFile[],
): Promise<void> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const seen = new Set<string>();
  for (const patch of manifest.patches) {
    for (const pkg of patch.packages) {
      if (pkg.kind !== 'deb') continue;
      const expected = { name: pkg.name, version: pkg.version, arch: pkg.arch };
      const key = JSON.stringify([pkg.file, expected]);
      const file = byPath.get(pkg.file);
      if (seen.has(key) || !file) continue;
      seen.add(key);
      const stored = file.store
        ? join(stagingDir, String(file.index))
        : contentStorePath(workspaceDir, file.sha256);
      let actual;
      try {
        actual = await readDebControlFields(stored);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const given = error.details?.['reason'];
        const reason = typeof given === 'string' ? given : 'unreadable';
        throw new AppError(
          error.code,
          `${pkg.file} (patch ${patch.id}) is not a readable Debian package (${reason}). Nothing was imported.`,
          { file: pkg.file, patchId: patch.id, expected, reason },
        );
      }
      const wrong = (['name', 'version', 'arch'] as const).filter((k) => actual[k] !== expected[k]);
      if (wrong.length > 0) {
        throw new AppError(
          'BUNDLE_PACKAGE_CONTROL_MISMATCH',
          `${pkg.file} (patch ${patch.id}) says it is ${actual.name} ${actual.version} (${actual.arch}), but the signed manifest says ${expected.name} ${expected.version} (${expected.arch}). Nothing was imported.`,
          { file: pkg.file, patchId: patch.id, expected, actual, fields: wrong },
        );
      }
    }
  }
}

/** Idempotence (UPD-09), id reuse, rollback (UPD-08) and the time ratchet (UPD-12). */
function checkPolicy(
  workspace: Workspace,
  meta: VerifiedMetadata,
  anchor: TrustAnchor | null,
): PolicyVerdict {
  const m = meta.manifest;
  const known = importedManifestHash(workspace, m.bundleId);
  if (known === meta.manifestSha256) {
    // The same bundle again: a no-op, unless its store copy was quarantined (then repair it).
    return storeStatusOf(workspace, m.bundleId) === 'corrupt' ? 'repair' : 'already-imported';
  }
  if (known !== undefined) {
    throw new AppError(
      'BUNDLE_ID_CONFLICT',
      `A different bundle with id ${m.bundleId} was already imported.`,
      { bundleId: m.bundleId },
    );
  }
  // After the bundle-signing keys rotate, earlier marks no longer bind (TUF §5.3.11).
  if (anchor && targetsChanged(anchor, meta)) return 'continue';
  const mark = channelMark(workspace, m.publisher, m.channel);
  if (!mark) return 'continue';
  if (m.sequence <= mark.sequence) {
    throw new AppError(
      'BUNDLE_ROLLBACK',
      `Bundle ${m.bundleId} has sequence ${m.sequence} on ${m.publisher}/${m.channel}, but ${mark.sequence} (${mark.bundleId}) was already imported: an older bundle is refused.`,
      { offered: m.sequence, highest: mark.sequence, highestBundleId: mark.bundleId },
    );
  }
  if (Date.parse(m.created) < Date.parse(mark.created)) {
    throw new AppError(
      'BUNDLE_TIME_RATCHET',
      `Bundle ${m.bundleId} says it was created ${m.created}, earlier than ${mark.bundleId} (${mark.created}) already imported on this channel: possible replay or publisher clock skew.`,
      { created: m.created, newest: mark.created },
    );
  }
  return 'continue';
}
