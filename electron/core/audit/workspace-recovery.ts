import { createHash } from 'node:crypto';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

import { AppError, type ErrorCode } from '../../../shared/api/errors';
import type { AuditRecord } from '../../../shared/domain/schemas';
import { parseSegmentName, scanSegment } from '../db/journal';
import { BACKUP_FILES, DB_FILE, openWorkspace, type DurableWorkspace } from '../db/open-workspace';
import { acquireWorkspaceLock, type WorkspaceLock } from '../db/workspace-lock';
import {
  errorCode,
  fsyncDirectory,
  nodeFsPort,
  writeFileAtomic,
  type FsPort,
} from '../platform/atomic-file';
import { canonicalJson } from '../platform/canonical-json';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';

import { appendAuditRecord, verifyAuditChain } from './audit-chain';

/** The audit op of a restore incident. */
export const RESTORE_AUDIT_OP = 'workspace.restore';

/** The audit chain as far as a recovery check needs it. */
export interface ChainVerdict {
  readonly valid: boolean;
  readonly checked: number;
  readonly headSeq: number;
  readonly firstBadSeq: number | null;
  readonly problem: string | null;
}

/** What one snapshot (the workspace, or a backup) gives when opened read-only. */
export interface OpenVerdict {
  /** True when it opened; the other fields below `problem` are then filled. */
  readonly opens: boolean;
  /** Why it did not open, or why it is not good although it opened; null when it is good. */
  readonly problem: string | null;
  /** The error code when it did not open (`WORKSPACE_CORRUPT`, `DB_NEWER_THAN_APP`, ...). */
  readonly code: ErrorCode | null;
  /** The file the opening blamed (the snapshot or a journal segment). */
  readonly blamedFile: string | null;
  /** `ok`, or what `PRAGMA integrity_check` said. */
  readonly integrity: string | null;
  readonly auditChain: ChainVerdict | null;
  /** The time of the newest audit record. */
  readonly newestAuditAt: string | null;
  /** The journal seq stored inside the snapshot file. */
  readonly snapshotSeq: number | null;
  /** The last change applied (the snapshot's, plus any replayed from the journal). */
  readonly journalSeq: number | null;
  readonly schemaVersion: number | null;
}

/** How a backup would serve as the base of a restore. */
export type RestoreKind =
  /** The journal replays on top of it: every acknowledged change comes back. */
  | 'complete'
  /** It is good, but the journal does not fit it: the changes after it would be set aside. */
  | 'loses-changes'
  /** Not usable. */
  | 'no';

/** One backup file and its checks. */
export interface BackupCheck {
  /** The file name (in the workspace folder) or the path given with `--from`. */
  readonly file: string;
  readonly path: string;
  readonly size: number;
  /** The backup exactly as it was written. */
  readonly alone: OpenVerdict;
  /** The backup with the workspace's journal replayed on top (null when it does not open). */
  readonly withJournal: OpenVerdict | null;
  /** Opens, passes `integrity_check` and has an intact audit chain. */
  readonly usable: boolean;
  readonly restore: RestoreKind;
}

/** The journal segments in the folder and the changes they hold. */
export interface JournalSummary {
  readonly segments: readonly string[];
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
}

/** The full read-only report of `patchdeck workspace check`. */
export interface WorkspaceCheck {
  readonly dir: string;
  /** The workspace opens, passes `integrity_check` and its audit chain is intact. */
  readonly healthy: boolean;
  readonly workspace: OpenVerdict;
  /** What is wrong, in one phrase; null when healthy. */
  readonly damage: string | null;
  /** The damaged file (`workspace.db` or a journal segment); null when healthy. */
  readonly damagedFile: string | null;
  readonly journal: JournalSummary;
  /** Newest first. */
  readonly backups: readonly BackupCheck[];
  /** The backup `patchdeck workspace restore` would use; null when none can be used. */
  readonly recommended: string | null;
  /** What to do next, in one or two sentences. */
  readonly advice: string;
}

/** What the recovery code needs from its surroundings. */
export interface RecoveryDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** The file system; `node:fs` unless told. */
  readonly fs?: FsPort;
  /** Where `sql-wasm.wasm` is; resolved from `node_modules` unless told. */
  readonly wasmPath?: string;
}

const NOT_OPENED = {
  integrity: null,
  auditChain: null,
  newestAuditAt: null,
  snapshotSeq: null,
  journalSeq: null,
  schemaVersion: null,
} as const;

function reasonOf(error: AppError): string {
  const reason = error.details?.['reason'];
  return typeof reason === 'string' ? reason : error.message;
}

function isGood(verdict: OpenVerdict | null): boolean {
  return verdict !== null && verdict.opens && verdict.problem === null;
}

async function inspectOpened(ws: DurableWorkspace): Promise<Omit<OpenVerdict, 'code'>> {
  const rows = ws.all<{ integrity_check: string }>('PRAGMA integrity_check');
  const messages = rows.map((r) => String(r.integrity_check));
  const integrity =
    messages.length === 1 && messages[0] === 'ok' ? 'ok' : messages.slice(0, 3).join('; ');
  const hasAudit =
    ws.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'") !==
    undefined;
  let auditChain: ChainVerdict;
  let newestAuditAt: string | null = null;
  if (hasAudit) {
    const chain = await verifyAuditChain(ws);
    auditChain = {
      valid: chain.valid,
      checked: chain.checked,
      headSeq: chain.headSeq,
      firstBadSeq: chain.firstBadSeq,
      problem: chain.problem,
    };
    const newest = ws.get<{ at: string }>('SELECT at FROM audit_log ORDER BY seq DESC LIMIT 1');
    newestAuditAt = newest ? String(newest.at) : null;
  } else {
    // A snapshot taken before the first migration (a brand-new workspace) has no audit log yet.
    auditChain = { valid: true, checked: 0, headSeq: 0, firstBadSeq: null, problem: null };
  }
  const stats = ws.stats();
  const problem =
    integrity !== 'ok'
      ? `integrity check: ${integrity || 'no answer'}`
      : !auditChain.valid
        ? `audit chain broken: ${auditChain.problem ?? 'unknown problem'}`
        : null;
  return {
    opens: true,
    problem,
    blamedFile: null,
    integrity,
    auditChain,
    newestAuditAt,
    snapshotSeq: stats.snapshotSeq,
    journalSeq: stats.journalSeq,
    schemaVersion: ws.schemaVersion,
  };
}

/** Opens `dir` read-only (optionally from another snapshot file, or without the journal). */
async function tryOpen(
  dir: string,
  deps: RecoveryDeps,
  view: { snapshotFile?: string; skipJournal?: boolean },
): Promise<OpenVerdict> {
  let ws: DurableWorkspace;
  try {
    ws = await openWorkspace({
      dir,
      readOnly: true,
      clock: deps.clock,
      log: deps.log,
      ...(deps.fs ? { fs: deps.fs } : {}),
      ...(deps.wasmPath ? { wasmPath: deps.wasmPath } : {}),
      ...view,
    });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const blamed = error.details?.['file'];
    return {
      opens: false,
      problem: reasonOf(error),
      code: error.code,
      blamedFile: typeof blamed === 'string' ? blamed : null,
      ...NOT_OPENED,
    };
  }
  try {
    return { ...(await inspectOpened(ws)), code: null };
  } finally {
    await ws.close();
  }
}

function summariseJournal(fs: FsPort, dir: string, names: readonly string[]): JournalSummary {
  const segments = names.filter((n) => parseSegmentName(n) !== undefined).sort();
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  for (const name of segments) {
    try {
      for (const record of scanSegment(fs.readFileSync(join(dir, name))).records) {
        firstSeq = firstSeq === null ? record.seq : Math.min(firstSeq, record.seq);
        lastSeq = lastSeq === null ? record.seq : Math.max(lastSeq, record.seq);
      }
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
  return { segments, firstSeq, lastSeq };
}

function backupNames(names: readonly string[]): string[] {
  const pre = names
    .filter((n) => /^workspace\.pre-\d+\.bak$/.test(n))
    .sort()
    .reverse();
  return [...BACKUP_FILES.filter((n) => names.includes(n)), ...pre];
}

async function checkBackup(
  dir: string,
  file: string,
  path: string,
  deps: RecoveryDeps,
): Promise<BackupCheck> {
  const fs = deps.fs ?? nodeFsPort;
  const size = fs.readFileSync(path).length;
  const alone = await tryOpen(dir, deps, { snapshotFile: path, skipJournal: true });
  const usable = isGood(alone);
  const withJournal = alone.opens ? await tryOpen(dir, deps, { snapshotFile: path }) : null;
  const restore: RestoreKind = !usable
    ? 'no'
    : isGood(withJournal)
      ? 'complete'
      : (alone.schemaVersion ?? 0) > 0
        ? 'loses-changes'
        : 'no'; // An empty snapshot without its journal would be a silent new workspace.
  return { file, path, size, alone, withJournal, usable, restore };
}

function compareNewestFirst(a: BackupCheck, b: BackupCheck): number {
  return (b.alone.snapshotSeq ?? -1) - (a.alone.snapshotSeq ?? -1);
}

/** The phrase naming what is wrong with the workspace, or null when it is healthy. */
function damageOf(workspace: OpenVerdict): { damage: string; file: string } | null {
  if (!workspace.opens) {
    return {
      damage: workspace.problem ?? 'it does not open',
      file: workspace.blamedFile ?? DB_FILE,
    };
  }
  if (workspace.problem !== null) return { damage: workspace.problem, file: DB_FILE };
  return null;
}

function lostRange(backup: BackupCheck, journal: JournalSummary): string {
  const from = (backup.alone.snapshotSeq ?? 0) + 1;
  if (journal.lastSeq === null || journal.lastSeq < from) return 'none recorded';
  return `#${from} to #${journal.lastSeq}`;
}

function adviceFor(
  dir: string,
  damaged: { damage: string; file: string } | null,
  recommended: BackupCheck | undefined,
  journal: JournalSummary,
): string {
  if (!damaged) return 'Nothing to do.';
  if (parseSegmentName(damaged.file) !== undefined) {
    return (
      `The damage is in the journal (${damaged.file}), which a backup cannot replace. Keep this ` +
      'folder as it is for support and restore the folder from your site backup.'
    );
  }
  if (!recommended) {
    return (
      `No good backup was found in ${dir}: restore the folder from your site backup, and keep ` +
      'the damaged file for support.'
    );
  }
  const command = `patchdeck workspace restore --workspace "${dir}"`;
  if (recommended.restore === 'complete') {
    return (
      `Run \`${command}\` to see the plan, then add --yes: it keeps the damaged file, restores ` +
      `${recommended.file} and replays the journal on top, so no acknowledged change is lost.`
    );
  }
  return (
    `Run \`${command} --from ${recommended.file}\` to see the plan, then add --yes. The ` +
    `journal does not fit that backup, so the changes after it (${lostRange(recommended, journal)}` +
    `, made after ${recommended.alone.newestAuditAt ?? 'the backup'}) would be set aside, not ` +
    'applied. If your site backup is newer, restoring the folder from it loses less.'
  );
}

/** True when `dir` holds any workspace file; a folder without one is not a workspace. */
function looksLikeWorkspace(names: readonly string[]): boolean {
  return names.some(
    (n) =>
      n === DB_FILE ||
      parseSegmentName(n) !== undefined ||
      (BACKUP_FILES as readonly string[]).includes(n) ||
      /^workspace\.pre-\d+\.bak$/.test(n),
  );
}

function listWorkspace(fs: FsPort, dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    names = [];
  }
  if (!looksLikeWorkspace(names)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `No workspace at ${dir} (no ${DB_FILE}, journal or backup there). Pass --workspace DIR ` +
        `with the folder that holds ${DB_FILE}.`,
      { dir },
    );
  }
  return names;
}

/**
 * Checks the workspace in `dir` and every backup beside it, read-only: nothing on disk changes.
 *
 * Works when `workspace.db` is damaged. Each backup is opened on its own (integrity check,
 * audit chain, newest audit record) and with the journal replayed on top, which tells whether
 * restoring it brings every acknowledged change back.
 */
export async function checkWorkspace(dir: string, deps: RecoveryDeps): Promise<WorkspaceCheck> {
  const fs = deps.fs ?? nodeFsPort;
  const names = listWorkspace(fs, dir);
  const workspace = await tryOpen(dir, deps, {});
  if (
    !workspace.opens &&
    workspace.code !== 'WORKSPACE_CORRUPT' &&
    workspace.code !== 'VALIDATION_FAILED'
  ) {
    // DB_NEWER_THAN_APP or MIGRATION_CHECKSUM_MISMATCH: not damage, and no restore helps.
    throw new AppError(
      workspace.code ?? 'INTERNAL_ERROR',
      `The workspace in ${dir} cannot be checked by this PatchDeck: ${workspace.problem ?? ''}`,
      { dir },
    );
  }
  const journal = summariseJournal(fs, dir, names);
  const backups: BackupCheck[] = [];
  for (const file of backupNames(names)) {
    backups.push(await checkBackup(dir, file, join(dir, file), deps));
  }
  backups.sort(compareNewestFirst);
  const damaged = damageOf(workspace);
  const journalDamaged = damaged !== null && parseSegmentName(damaged.file) !== undefined;
  const recommended = journalDamaged
    ? undefined
    : (backups.find((b) => b.restore === 'complete') ??
      backups.find((b) => b.restore === 'loses-changes'));
  return {
    dir,
    healthy: damaged === null,
    workspace,
    damage: damaged?.damage ?? null,
    damagedFile: damaged?.file ?? null,
    journal,
    backups,
    recommended: damaged && recommended ? recommended.file : null,
    advice: adviceFor(dir, damaged, recommended, journal),
  };
}

// ---- restore ----------------------------------------------------------------------------------

/** What `patchdeck workspace restore` will do (or did). */
export interface RestorePlan {
  /** The damage being repaired. */
  readonly reason: string;
  readonly backup: BackupCheck;
  /** `workspace.db` if it exists (it is kept under `damagedTo`), or null if it is missing. */
  readonly damagedFile: string | null;
  readonly damagedTo: string | null;
  /** Journal segments moved aside (renamed, never deleted) because they do not fit the backup. */
  readonly journalSetAside: readonly { from: string; to: string }[];
  /** The changes in those segments that will not be applied, e.g. `#41 to #57`; null if none. */
  readonly lostChanges: string | null;
  /**
   * Backups newer than the one restored (or unreadable), renamed aside when the journal is set
   * aside: after such a restore, change numbers start again after the backup's, so combining
   * those backups with the new journal would mix two histories.
   */
  readonly backupsSetAside: readonly { from: string; to: string }[];
}

/** What a completed restore did. */
export interface RestoreResult {
  readonly damagedSize: number | null;
  readonly damagedSha256: string | null;
  readonly backupSha256: string;
  /** The last change in the restored workspace (backup plus replayed journal). */
  readonly journalSeq: number;
  /** The incident's audit record: the last one in the chain. */
  readonly record: AuditRecord;
  /** Records in the audit chain after the restore, all verified. */
  readonly auditRecords: number;
}

/** The outcome of {@link restoreWorkspace}. */
export type RestoreOutcome =
  | { readonly kind: 'healthy'; readonly check: WorkspaceCheck }
  | { readonly kind: 'refused'; readonly check: WorkspaceCheck; readonly reason: string }
  | { readonly kind: 'planned'; readonly check: WorkspaceCheck; readonly plan: RestorePlan }
  | {
      readonly kind: 'restored';
      readonly check: WorkspaceCheck;
      readonly plan: RestorePlan;
      readonly result: RestoreResult;
    };

/** Options for {@link restoreWorkspace}. */
export interface RestoreOptions extends RecoveryDeps {
  readonly dir: string;
  /** A backup's file name in the workspace folder, or a path; the newest usable one otherwise. */
  readonly from?: string | undefined;
  /** False: only plan (and change nothing). True: restore. */
  readonly execute: boolean;
  /** The audit operator name, e.g. `cli:alice`. */
  readonly operatorName: string;
}

/** `2026-03-01T08:00:00.000Z` → `20260301T080000Z`. */
export function compactUtcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function freeName(fs: FsPort, dir: string, wanted: string, taken: Set<string>): string {
  for (let n = 1; ; n += 1) {
    const name = n === 1 ? wanted : `${wanted}-${n}`;
    if (!taken.has(name) && !fs.existsSync(join(dir, name))) {
      taken.add(name);
      return name;
    }
  }
}

function describeUnusable(backup: BackupCheck): string {
  const verdict = backup.alone;
  if (!verdict.opens) return `it does not open: ${verdict.problem ?? 'unreadable'}`;
  if (verdict.problem !== null) return verdict.problem;
  return 'it is an empty workspace and the journal does not fit it, so restoring it would lose everything';
}

async function chooseBackup(
  check: WorkspaceCheck,
  from: string | undefined,
  deps: RecoveryDeps,
): Promise<BackupCheck | string> {
  if (from === undefined) {
    const chosen = check.backups.find((b) => b.file === check.recommended);
    if (chosen?.restore === 'loses-changes') {
      // Losing acknowledged changes must be a decision the operator names, never a default.
      return (
        `The newest good backup, ${chosen.file}, would lose changes ${lostRange(chosen, check.journal)}: ` +
        'the journal does not fit it. If your site backup is newer, restore the folder from it ' +
        `instead; to accept the loss, name the backup: --from ${chosen.file}. Nothing was changed.`
      );
    }
    return chosen ?? check.advice;
  }
  const fs = deps.fs ?? nodeFsPort;
  const looksLikePath = isAbsolute(from) || from.includes('/') || from.includes('\\');
  const path = looksLikePath ? resolve(from) : join(check.dir, from);
  if (path === join(check.dir, DB_FILE)) {
    return `${DB_FILE} is the damaged file itself; name a backup with --from.`;
  }
  if (!fs.existsSync(path)) {
    return `There is no file ${path}. Name a backup in ${check.dir} (see \`patchdeck workspace check\`).`;
  }
  const inFolder = dirname(path) === check.dir;
  const listed = inFolder ? check.backups.find((b) => b.file === basename(path)) : undefined;
  const backup = listed ?? (await checkBackup(check.dir, from, path, deps));
  if (backup.restore === 'no') {
    return `The backup ${backup.file} cannot be used: ${describeUnusable(backup)}. Nothing was changed.`;
  }
  return backup;
}

function planFor(
  check: WorkspaceCheck,
  backup: BackupCheck,
  names: readonly string[],
  stamp: string,
  fs: FsPort,
): RestorePlan {
  const taken = new Set<string>();
  const damagedFile = names.includes(DB_FILE) ? DB_FILE : null;
  const damagedTo = damagedFile
    ? freeName(fs, check.dir, `${DB_FILE}.damaged-${stamp}`, taken)
    : null;
  const journalSetAside =
    backup.restore === 'complete'
      ? []
      : check.journal.segments.map((from) => ({
          from,
          to: freeName(fs, check.dir, `${from}.set-aside-${stamp}`, taken),
        }));
  const chosenSeq = backup.alone.snapshotSeq ?? 0;
  const backupsSetAside =
    backup.restore === 'complete'
      ? []
      : check.backups
          .filter(
            (b) =>
              b.path !== backup.path &&
              (b.alone.snapshotSeq === null || b.alone.snapshotSeq > chosenSeq),
          )
          .map((b) => ({
            from: b.file,
            to: freeName(fs, check.dir, `${b.file}.set-aside-${stamp}`, taken),
          }));
  return {
    reason: check.damage ?? 'unknown damage',
    backup,
    damagedFile,
    damagedTo,
    journalSetAside,
    backupsSetAside,
    lostChanges:
      backup.restore === 'complete' || journalSetAside.length === 0
        ? null
        : lostRange(backup, check.journal),
  };
}

async function keepDamagedFile(fs: FsPort, dir: string, to: string): Promise<void> {
  const from = join(dir, DB_FILE);
  try {
    // A hard link keeps the damaged bytes under the new name while workspace.db is replaced
    // atomically below: there is never a moment without a workspace.db.
    fs.linkSync(from, join(dir, to));
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EOPNOTSUPP') {
      throw error;
    }
    // File systems without hard links (FAT on USB media): copy instead.
    await writeFileAtomic(join(dir, to), fs.readFileSync(from), { fs });
  }
  await fsyncDirectory(dir, fs);
}

function storageFailed(what: string, path: string, error: unknown): AppError {
  const code = errorCode(error) ?? (error instanceof Error ? error.message : String(error));
  return new AppError(
    'STORAGE_WRITE_FAILED',
    `The restore stopped while ${what} (${path}: ${code}). Run \`patchdeck workspace check\` to ` +
      'see the state of the folder; the damaged file and the backups are kept. Check the disk ' +
      'and its free space, then run the restore again.',
    { file: path, code },
    { cause: error },
  );
}

async function execute(
  check: WorkspaceCheck,
  plan: RestorePlan,
  options: RestoreOptions,
  lock: { held: WorkspaceLock | undefined },
): Promise<RestoreResult> {
  const fs = options.fs ?? nodeFsPort;
  const dir = check.dir;

  const moves = [...plan.journalSetAside, ...plan.backupsSetAside];
  for (const move of moves) {
    try {
      await fs.rename(join(dir, move.from), join(dir, move.to));
    } catch (error) {
      throw storageFailed('setting files aside', join(dir, move.from), error);
    }
  }
  if (moves.length > 0) await fsyncDirectory(dir, fs);

  let damagedSize: number | null = null;
  let damagedSha256: string | null = null;
  if (plan.damagedFile && plan.damagedTo) {
    const damaged = fs.readFileSync(join(dir, plan.damagedFile));
    damagedSize = damaged.length;
    damagedSha256 = sha256(damaged);
    try {
      await keepDamagedFile(fs, dir, plan.damagedTo);
    } catch (error) {
      throw storageFailed('keeping the damaged file', join(dir, plan.damagedTo), error);
    }
  }

  const backupBytes = fs.readFileSync(plan.backup.path);
  const backupSha256 = sha256(backupBytes);
  const target = join(dir, DB_FILE);
  try {
    await writeFileAtomic(target, backupBytes, { fs });
  } catch (error) {
    throw storageFailed('copying the backup into place', target, error);
  }
  if (sha256(fs.readFileSync(target)) !== backupSha256) {
    throw new AppError(
      'STORAGE_WRITE_FAILED',
      `The copy of ${plan.backup.file} at ${target} reads back different from what was written: ` +
        'the disk is not storing data correctly. Move the workspace folder to a healthy disk, ' +
        'then run the restore again.',
      { file: target },
    );
  }

  // The lock is handed over: the workspace releases it when closed (or if opening fails).
  const held = lock.held;
  lock.held = undefined;
  const ws = await openWorkspace({
    dir,
    clock: options.clock,
    log: options.log,
    ...(held ? { lock: held } : {}),
    ...(options.fs ? { fs: options.fs } : {}),
    ...(options.wasmPath ? { wasmPath: options.wasmPath } : {}),
  });
  try {
    const before = await inspectOpened(ws);
    if (before.problem !== null) {
      throw new Error(
        `The restored workspace failed its checks after opening (${before.problem}), although ` +
          `${plan.backup.file} passed them moments before.`,
      );
    }
    const at = options.clock.now().toISOString();
    const details: Record<string, unknown> = {
      reason: plan.reason,
      backup: plan.backup.file,
      backupSha256,
      backupSnapshotSeq: plan.backup.alone.snapshotSeq,
      damagedFile: plan.damagedTo,
      damagedSize,
      damagedSha256,
      journalReplayedThrough: ws.stats().journalSeq,
      journalSetAside: plan.journalSetAside.map((m) => m.to),
      backupsSetAside: plan.backupsSetAside.map((m) => m.to),
      lostChanges: plan.lostChanges,
    };
    const record = ws.transaction((tx) =>
      appendAuditRecord(tx, {
        at,
        operatorId: null,
        operatorName: options.operatorName,
        op: RESTORE_AUDIT_OP,
        inputDigest: sha256(Buffer.from(canonicalJson({ from: plan.backup.file }), 'utf8')),
        outcome: 'ok',
        errorCode: null,
        summary: `Restored the workspace from ${plan.backup.file} after damage (${plan.reason})`,
        details,
      }),
    );
    const after = await verifyAuditChain(ws);
    if (!after.valid || after.headSeq !== record.seq) {
      throw new Error(
        `The audit chain does not verify after the restore record was appended: ${after.problem ?? 'the head is not the new record'}.`,
      );
    }
    const journalSeq = ws.stats().journalSeq;
    await ws.close();
    return {
      damagedSize,
      damagedSha256,
      backupSha256,
      journalSeq,
      record,
      auditRecords: after.checked,
    };
  } catch (error) {
    await ws.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Restores a damaged workspace from its newest usable backup (or the one named), REL-04.
 *
 * Holds the workspace lock throughout (`WORKSPACE_IN_USE` if another PatchDeck has it). With
 * `execute` false it only plans. Otherwise it keeps the damaged `workspace.db` as
 * `workspace.db.damaged-<UTC>`, copies the backup into place atomically, opens the workspace
 * normally (the journal replays on top of the backup; segments that do not fit it are renamed
 * aside first), verifies integrity and the audit chain, and appends one `workspace.restore`
 * audit record. A healthy workspace is left alone.
 */
export async function restoreWorkspace(options: RestoreOptions): Promise<RestoreOutcome> {
  const fs = options.fs ?? nodeFsPort;
  const dir = options.dir;
  listWorkspace(fs, dir);
  const lock: { held: WorkspaceLock | undefined } = {
    held: acquireWorkspaceLock(dir, fs, options.log),
  };
  try {
    const check = await checkWorkspace(dir, options);
    if (check.healthy) return { kind: 'healthy', check };
    if (check.damagedFile !== null && parseSegmentName(check.damagedFile) !== undefined) {
      return { kind: 'refused', check, reason: check.advice };
    }
    const chosen = await chooseBackup(check, options.from, options);
    if (typeof chosen === 'string') return { kind: 'refused', check, reason: chosen };
    const names = fs.readdirSync(dir);
    const plan = planFor(check, chosen, names, compactUtcStamp(options.clock.now()), fs);
    if (!options.execute) return { kind: 'planned', check, plan };
    const result = await execute(check, plan, options, lock);
    return { kind: 'restored', check, plan, result };
  } finally {
    lock.held?.release();
  }
}
