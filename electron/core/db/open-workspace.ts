import { join, resolve } from 'node:path';

import type { BindParams, Database, SqlJsStatic, Statement } from 'sql.js';

import { AppError } from '../../../shared/api/errors';
import {
  errorCode,
  fsyncDirectory,
  fsyncDirectorySync,
  nodeFsPort,
  removeStaleTempFiles,
  writeFileAtomic,
  type FsPort,
} from '../platform/atomic-file';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';

import {
  encodeParams,
  encodeRecord,
  parseSegmentName,
  scanSegment,
  segmentName,
  type JournalRecord,
  type JournalStatement,
} from './journal';
import {
  migrationChecksum,
  migrationStatus,
  SCHEMA_MIGRATIONS_DDL,
  sortMigrations,
} from './migrate';
import { MIGRATIONS, type Migration } from './migrations/index';
import { loadSqlJs } from './sqljs';
import type { Row, SqlParams, Workspace, WriteTx } from './workspace';
import { acquireWorkspaceLock, LOCK_FILE, type WorkspaceLock } from './workspace-lock';

/** The snapshot file. */
export const DB_FILE = 'workspace.db';
/** The two previous snapshot generations, newest first. */
export const BACKUP_FILES = ['workspace.db.bak1', 'workspace.db.bak2'] as const;
/** The name of the backup taken before applying migration `version`. */
export function preMigrationBackupName(version: number): string {
  return `workspace.pre-${String(version).padStart(4, '0')}.bak`;
}

const META_DDL = 'CREATE TABLE IF NOT EXISTS workspace_meta (key TEXT PRIMARY KEY, value TEXT)';
const META_SEQ_KEY = 'journal_seq';
const DEFAULT_SNAPSHOT_BYTES = 16 * 1024 * 1024;
const DEFAULT_SNAPSHOT_WRITES = 10_000;
const STATEMENT_CACHE_SIZE = 128;
const NONDETERMINISTIC =
  /\brandom(?:blob)?\s*\(|'now'|\bcurrent_(?:timestamp|date|time)\b|\bjulianday\s*\(\s*\)/i;

/** Options for {@link openWorkspace}. */
export interface OpenWorkspaceOptions {
  /** The folder holding the workspace files; created if missing (unless read-only). */
  dir: string;
  /** The migrations this app knows; {@link MIGRATIONS} unless told. */
  migrations?: readonly Migration[];
  /** Stamps `schema_migrations.applied_at`. */
  clock: Clock;
  /** Where warnings (a torn journal tail, a failed background snapshot) go. */
  log: Logger;
  /** Snapshot in the background once the journal has grown by this many bytes (16 MiB). */
  snapshotEveryBytes?: number;
  /** Snapshot in the background after this many transactions (10,000). */
  snapshotEveryWrites?: number;
  /**
   * Open without the lock and without writing anything: no journal repair, no migrations.
   * For readers such as `patchdeck audit verify`; `transaction` and `snapshot` are refused.
   */
  readOnly?: boolean;
  /**
   * Read-only only: read the snapshot from this file (a backup's name in `dir`, or a path)
   * instead of `workspace.db`. `patchdeck workspace check|restore` use it to try a backup
   * without touching the workspace.
   */
  snapshotFile?: string;
  /** Read-only only: ignore the journal, giving the snapshot exactly as it was written. */
  skipJournal?: boolean;
  /**
   * A lock on `dir` the caller already holds (from `acquireWorkspaceLock`); the workspace takes it
   * over and releases it when closed or when opening fails. Not allowed with `readOnly`.
   */
  lock?: WorkspaceLock;
  /** The file system; `node:fs` unless told (tests inject failures here). */
  fs?: FsPort;
  /** Where `sql-wasm.wasm` is; resolved from `node_modules` unless told. */
  wasmPath?: string;
}

/** Counters describing the durable state, for tests and the health screen. */
export interface WorkspaceStats {
  /** The seq of the last committed transaction. */
  readonly journalSeq: number;
  /** The seq contained in the snapshot file on disk. */
  readonly snapshotSeq: number;
  /** Journal segment files on disk. */
  readonly segments: number;
  /** Transactions since the last snapshot started. */
  readonly writesSinceSnapshot: number;
  /** Journal bytes since the last snapshot started. */
  readonly bytesSinceSnapshot: number;
}

/** The workspace with a few extras beyond the {@link Workspace} contract. */
export interface DurableWorkspace extends Workspace {
  /** Resolves once no background snapshot is running or queued (failures are only logged). */
  idle(): Promise<void>;
  /** The current durability counters. */
  stats(): WorkspaceStats;
  /** The database file as it is in memory now, for exports; refused inside a transaction. */
  exportBytes(): Uint8Array;
}

interface Segment {
  start: number;
  name: string;
}

interface Current extends Segment {
  fd: number;
  size: number;
}

function corrupt(
  dir: string,
  file: string,
  reason: string,
  backups: readonly { file: string; usable: boolean }[],
  cause?: unknown,
): AppError {
  const usable = backups.filter((b) => b.usable).map((b) => b.file);
  const advice =
    parseSegmentName(file) !== undefined
      ? `Close PatchDeck and run \`patchdeck workspace check --workspace "${dir}"\` for details. ` +
        'A backup cannot replace the changes recorded in a damaged journal: restore the folder ' +
        'from your site backup, and keep this folder for support.'
      : usable.length > 0
        ? `Close PatchDeck, run \`patchdeck workspace check --workspace "${dir}"\` to see what is ` +
          `damaged, then \`patchdeck workspace restore --workspace "${dir}" --yes\`: it keeps the ` +
          'damaged file, restores the newest good backup and replays the journal on top of it ' +
          `(good backups, newest first: ${usable.join(', ')}).`
        : `No good backup was found in ${dir}: restore the folder from your site backup, and keep ` +
          `the damaged file for support.`;
  return new AppError(
    'WORKSPACE_CORRUPT',
    `The workspace file ${resolve(dir, file)} is damaged (${reason}). PatchDeck has not changed it ` +
      `and will not work on it. ${advice}`,
    { dir, file, reason, backups: backups.map((b) => ({ ...b })) },
    cause === undefined ? undefined : { cause },
  );
}

function storageFailed(what: string, consequence: string, file: string, error: unknown): AppError {
  const code = errorCode(error) ?? (error instanceof Error ? error.message : String(error));
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'The disk is full: free some space'
      : code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
        ? 'The folder is not writable: check the disk and its permissions'
        : 'The disk reported an error: check the disk or USB medium';
  return new AppError(
    'STORAGE_WRITE_FAILED',
    `${what} failed while writing ${file} (${code}). ${consequence} ${hint}, then try again.`,
    { file, code },
    { cause: error },
  );
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function sqliteHeaderProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'the file is empty (0 bytes)';
  if (bytes.length < 100) return `the file is only ${bytes.length} bytes long`;
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, 100);
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') {
    return 'the file does not start with an SQLite header';
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return 'the page size is invalid';
  const pages = header.readUInt32BE(28);
  const sizeValid = header.readUInt32BE(24) === header.readUInt32BE(92) && pages > 0;
  if (sizeValid && bytes.length !== pages * pageSize) {
    return `the file is ${bytes.length} bytes long but should be ${pages * pageSize}`;
  }
  if (bytes.length % pageSize !== 0) return 'the file length is not a whole number of pages';
  return undefined;
}

function integrityProblem(db: Database): string | undefined {
  const result = db.exec('PRAGMA integrity_check');
  const messages = (result[0]?.values ?? []).map((row) => String(row[0]));
  if (messages.length === 1 && messages[0] === 'ok') return undefined;
  return `integrity check: ${messages.slice(0, 3).join('; ') || 'no answer'}`;
}

function openSnapshot(SQL: SqlJsStatic, bytes: Uint8Array): { db?: Database; problem?: string } {
  const header = sqliteHeaderProblem(bytes);
  if (header) return { problem: header };
  let db: Database | undefined;
  try {
    db = new SQL.Database(bytes);
    const problem = integrityProblem(db);
    if (problem) {
      db.close();
      return { problem };
    }
    return { db };
  } catch (error) {
    db?.close();
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

function snapshotSeqOf(db: Database): number {
  const exists = db.exec(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'workspace_meta'",
  );
  if (exists.length === 0) return 0;
  const result = db.exec('SELECT value FROM workspace_meta WHERE key = ?', [META_SEQ_KEY]);
  const value = result[0]?.values[0]?.[0];
  return value === undefined || value === null ? 0 : Number(value);
}

/** Runs one recorded statement: with parameters as a prepared statement, without via exec. */
function execStatement(db: Database, sql: string, params: SqlParams | undefined): void {
  if (params === undefined) db.run(sql);
  else db.run(sql, params as BindParams);
}

function listSegments(fs: FsPort, dir: string): Segment[] {
  const segments: Segment[] = [];
  for (const name of fs.readdirSync(dir)) {
    const start = parseSegmentName(name);
    if (start !== undefined) segments.push({ start, name });
  }
  return segments.sort((a, b) => a.start - b.start);
}

function checkBackups(
  SQL: SqlJsStatic,
  fs: FsPort,
  dir: string,
): { file: string; usable: boolean }[] {
  const names = fs.readdirSync(dir);
  const pre = names
    .filter((n) => /^workspace\.pre-\d+\.bak$/.test(n))
    .sort()
    .reverse();
  const candidates = [...BACKUP_FILES.filter((n) => names.includes(n)), ...pre];
  return candidates.map((file) => {
    try {
      const opened = openSnapshot(SQL, fs.readFileSync(join(dir, file)));
      opened.db?.close();
      return { file, usable: opened.db !== undefined };
    } catch {
      return { file, usable: false };
    }
  });
}

/**
 * Opens (or creates) the workspace in `dir`: lock, snapshot, journal replay, migrations.
 *
 * Refuses with `WORKSPACE_IN_USE`, `WORKSPACE_CORRUPT`, `DB_NEWER_THAN_APP`,
 * `MIGRATION_CHECKSUM_MISMATCH` or `STORAGE_WRITE_FAILED`; never creates an empty database over
 * files it cannot read.
 */
export async function openWorkspace(options: OpenWorkspaceOptions): Promise<DurableWorkspace> {
  const fs = options.fs ?? nodeFsPort;
  const migrations = sortMigrations(options.migrations ?? MIGRATIONS);
  const readOnly = options.readOnly ?? false;
  const SQL = await loadSqlJs(options.wasmPath);
  const dir = options.dir;
  if (!readOnly && (options.snapshotFile !== undefined || options.skipJournal)) {
    throw new Error('snapshotFile and skipJournal are only allowed with readOnly.');
  }
  if (readOnly && options.lock) throw new Error('A read-only workspace takes no lock.');

  if (readOnly) {
    for (let attempt = 1; ; attempt += 1) {
      const ws = new DurableWorkspaceImpl(SQL, fs, options, migrations, undefined);
      try {
        ws.load();
        ws.checkMigrations();
        return ws;
      } catch (error) {
        ws.discard();
        // A running PatchDeck may delete a journal segment between our listing and our read
        // (after a snapshot); reading again sees the new snapshot.
        if (errorCode(error) !== 'ENOENT' || attempt >= 3) throw error;
      }
    }
  }

  try {
    fs.mkdirSync(dir);
  } catch (error) {
    options.lock?.release();
    throw storageFailed('Creating the workspace folder', 'Nothing was opened.', dir, error);
  }
  const lock = options.lock ?? acquireWorkspaceLock(dir, fs, options.log);
  const ws = new DurableWorkspaceImpl(SQL, fs, options, migrations, lock);
  try {
    ws.removeTempFiles();
    await ws.loadForWriting();
    await ws.migrate();
  } catch (error) {
    ws.discard();
    throw error;
  }
  return ws;
}

class DurableWorkspaceImpl implements DurableWorkspace {
  readonly dir: string;
  schemaVersion = 0;

  private db: Database | undefined;
  private readonly statements = new Map<string, Statement>();
  private lastSeq = 0;
  private durableSnapshotSeq = 0;
  private segments: Segment[] = [];
  private current: Current | undefined;
  private broken: AppError | undefined;
  private closed = false;
  private inTransaction = false;
  private writesSinceSnapshot = 0;
  private bytesSinceSnapshot = 0;
  private snapshotTail: Promise<void> = Promise.resolve();
  private autoSnapshotQueued = false;
  private readonly readOnly: boolean;
  private readonly everyBytes: number;
  private readonly everyWrites: number;

  constructor(
    private readonly SQL: SqlJsStatic,
    private readonly fs: FsPort,
    private readonly options: OpenWorkspaceOptions,
    private readonly migrations: readonly Migration[],
    private readonly lock: WorkspaceLock | undefined,
  ) {
    this.dir = options.dir;
    this.readOnly = options.readOnly ?? false;
    this.everyBytes = options.snapshotEveryBytes ?? DEFAULT_SNAPSHOT_BYTES;
    this.everyWrites = options.snapshotEveryWrites ?? DEFAULT_SNAPSHOT_WRITES;
  }

  private get log(): Logger {
    return this.options.log;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  private database(): Database {
    if (!this.db || this.closed) throw new Error('The workspace is closed.');
    return this.db;
  }

  // ---- opening ----------------------------------------------------------------------------

  removeTempFiles(): void {
    const bases = [
      DB_FILE,
      ...BACKUP_FILES,
      LOCK_FILE,
      ...this.migrations.map((m) => preMigrationBackupName(m.version)),
    ];
    for (const base of bases) {
      for (const name of removeStaleTempFiles(this.dir, base, this.fs)) {
        this.log.info('Removed a temp file left by an interrupted save.', { file: name });
      }
    }
  }

  /** Loads snapshot and journal into memory; in read-only mode nothing on disk is touched. */
  load(): void {
    const snapshotName = this.options.snapshotFile ?? DB_FILE;
    const dbPath = resolve(this.dir, snapshotName);
    if (this.options.snapshotFile !== undefined && !this.fs.existsSync(dbPath)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `There is no file ${dbPath}. Name a backup that exists in the workspace folder.`,
        { dir: this.dir, file: snapshotName },
      );
    }
    if (this.fs.existsSync(dbPath)) {
      const bytes = this.fs.readFileSync(dbPath);
      const opened = openSnapshot(this.SQL, bytes);
      if (!opened.db) {
        throw corrupt(this.dir, snapshotName, opened.problem ?? 'unreadable', this.backups());
      }
      this.db = opened.db;
      this.durableSnapshotSeq = snapshotSeqOf(opened.db);
    } else {
      const names = this.fs.readdirSync(this.dir);
      const leftovers = names.filter(
        (n) =>
          parseSegmentName(n) !== undefined ||
          (BACKUP_FILES as readonly string[]).includes(n) ||
          /^workspace\.pre-\d+\.bak$/.test(n),
      );
      if (leftovers.length > 0) {
        throw corrupt(
          this.dir,
          DB_FILE,
          `it is missing although ${leftovers.join(', ')} exist`,
          this.backups(),
        );
      }
      if (this.readOnly) {
        throw new AppError(
          'VALIDATION_FAILED',
          `There is no PatchDeck workspace in ${this.dir} (no ${DB_FILE}). Choose the folder ` +
            `that holds ${DB_FILE}.`,
          { dir: this.dir },
        );
      }
      this.db = new this.SQL.Database();
      this.durableSnapshotSeq = -1; // No snapshot on disk yet.
    }
    this.lastSeq = Math.max(0, this.durableSnapshotSeq);
    this.replayJournal();
  }

  private backups(): { file: string; usable: boolean }[] {
    return checkBackups(this.SQL, this.fs, this.dir);
  }

  private replayJournal(): void {
    const db = this.database();
    this.segments = this.options.skipJournal ? [] : listSegments(this.fs, this.dir);
    const base = this.lastSeq;
    this.segments.forEach((segment, index) => {
      const next = this.segments[index + 1];
      if (next && next.start - 1 <= base) return; // Entirely inside the snapshot.
      const isLast = next === undefined;
      const bytes = this.fs.readFileSync(this.path(segment.name));
      const scan = scanSegment(bytes);
      if (scan.problem) {
        if (!isLast || scan.problem.validRecordFollows) {
          throw corrupt(
            this.dir,
            segment.name,
            `journal damaged in the middle: ${scan.problem.reason}`,
            this.backups(),
          );
        }
        this.log.warn('The journal ends in an incomplete write; it was never acknowledged.', {
          file: segment.name,
          reason: scan.problem.reason,
          keptBytes: scan.validEnd,
          droppedBytes: bytes.length - scan.validEnd,
        });
        if (!this.readOnly) this.truncateTail(segment.name, scan.validEnd);
      }
      const first = scan.records[0];
      if (first && first.seq !== segment.start) {
        throw corrupt(
          this.dir,
          segment.name,
          `the journal segment starts at change ${first.seq} instead of ${segment.start}`,
          this.backups(),
        );
      }
      for (const record of scan.records) {
        if (record.seq <= base) continue;
        if (record.seq !== this.lastSeq + 1) {
          throw corrupt(
            this.dir,
            segment.name,
            `the journal skips from change ${this.lastSeq} to ${record.seq}. If you restored an ` +
              'older backup, move the workspace.journal.* files aside to open that backup as it was',
            this.backups(),
          );
        }
        this.applyRecord(db, record, segment.name);
        this.lastSeq = record.seq;
      }
    });
    const last = this.segments.at(-1);
    if (last && last.start > this.lastSeq + 1) {
      throw corrupt(
        this.dir,
        last.name,
        `the journal starts at change ${last.start} but the snapshot holds only up to ` +
          `${this.lastSeq}; part of the journal is missing`,
        this.backups(),
      );
    }
  }

  private applyRecord(db: Database, record: JournalRecord, file: string): void {
    db.run('BEGIN');
    try {
      for (const statement of record.statements) {
        execStatement(db, statement.sql, statement.params);
      }
      db.run('COMMIT');
    } catch (error) {
      try {
        db.run('ROLLBACK');
      } catch {
        // Already rolled back by SQLite.
      }
      throw corrupt(
        this.dir,
        file,
        `change ${record.seq} in the journal cannot be replayed: ${
          error instanceof Error ? error.message : String(error)
        }`,
        this.backups(),
        error,
      );
    }
  }

  private truncateTail(name: string, length: number): void {
    let fd: number | undefined;
    try {
      fd = this.fs.openSync(this.path(name), 'r+');
      this.fs.ftruncateSync(fd, length);
      this.fs.fdatasyncSync(fd);
    } catch (error) {
      throw storageFailed(
        'Repairing the journal after an interrupted write',
        'The workspace was not opened; nothing was lost.',
        this.path(name),
        error,
      );
    } finally {
      if (fd !== undefined) this.fs.closeSync(fd);
    }
  }

  async loadForWriting(): Promise<void> {
    this.load();
    if (this.durableSnapshotSeq < 0) {
      // A brand-new workspace: the snapshot must exist before any journal does, so that a
      // journal without a snapshot always means damage.
      await this.writeSnapshotFile(this.exportWithSeq(this.lastSeq), 'Creating the workspace');
      this.durableSnapshotSeq = this.lastSeq;
    }
    const last = this.segments.at(-1);
    if (last) {
      try {
        const fd = this.fs.openSync(this.path(last.name), 'r+');
        this.current = { ...last, fd, size: this.fs.fstatSync(fd).size };
      } catch (error) {
        throw storageFailed(
          'Opening the journal',
          'The workspace was not opened; nothing was lost.',
          this.path(last.name),
          error,
        );
      }
    } else {
      this.startSegment(this.lastSeq + 1, 'Opening the workspace');
    }
  }

  checkMigrations(): void {
    const status = migrationStatus(this.database(), this.migrations, this.path(DB_FILE));
    this.schemaVersion = status.schemaVersion;
  }

  async migrate(): Promise<void> {
    const db = this.database();
    const status = migrationStatus(db, this.migrations, this.path(DB_FILE));
    this.schemaVersion = status.schemaVersion;
    const first = status.pending[0];
    if (!first) return;
    if (status.schemaVersion > 0) {
      const name = preMigrationBackupName(first.version);
      await this.writeFile(
        name,
        this.exportWithSeq(this.lastSeq),
        'Backing up the workspace before upgrading it',
        'The workspace was not upgraded and is unchanged.',
      );
      this.log.info('Backed up the workspace before applying migrations.', { file: name });
    }
    for (const m of status.pending) {
      this.commit(
        () => undefined,
        [
          { sql: SCHEMA_MIGRATIONS_DDL },
          { sql: m.sql },
          {
            sql: 'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
            params: [
              m.version,
              m.name,
              migrationChecksum(m),
              this.options.clock.now().toISOString(),
            ],
          },
        ],
      );
      this.schemaVersion = m.version;
      this.log.info('Applied a migration.', { version: m.version, name: m.name });
    }
    await this.snapshot();
  }

  // ---- reading ----------------------------------------------------------------------------

  private prepared(sql: string): Statement {
    const cached = this.statements.get(sql);
    if (cached) {
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.database().prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > STATEMENT_CACHE_SIZE) {
      const [oldestSql, oldest] = this.statements.entries().next().value as [string, Statement];
      this.statements.delete(oldestSql);
      oldest.free();
    }
    return statement;
  }

  all<T extends Row = Row>(sql: string, params?: SqlParams): T[] {
    const statement = this.prepared(sql);
    try {
      if (params !== undefined) statement.bind(params as BindParams);
      const rows: T[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as T);
      return rows;
    } finally {
      statement.reset();
    }
  }

  get<T extends Row = Row>(sql: string, params?: SqlParams): T | undefined {
    const statement = this.prepared(sql);
    try {
      if (params !== undefined) statement.bind(params as BindParams);
      return statement.step() ? (statement.getAsObject() as T) : undefined;
    } finally {
      statement.reset();
    }
  }

  // ---- writing ----------------------------------------------------------------------------

  private assertWritable(): void {
    if (this.closed) throw new Error('The workspace is closed.');
    if (this.readOnly) throw new Error('This workspace was opened read-only.');
    if (this.inTransaction) throw new Error('Transactions cannot be nested.');
    if (this.broken) throw this.broken;
  }

  transaction<R>(fn: (tx: WriteTx) => R): R {
    const db = this.database();
    this.assertWritable();
    const recorded: JournalStatement[] = [];
    let active = true;
    let failedStatement: unknown;
    const tx: WriteTx = {
      all: (sql, params) => {
        if (!active) throw new Error('This transaction has already ended.');
        return this.all(sql, params);
      },
      get: (sql, params) => {
        if (!active) throw new Error('This transaction has already ended.');
        return this.get(sql, params);
      },
      run: (sql, params) => {
        if (!active) throw new Error('This transaction has already ended.');
        if (NONDETERMINISTIC.test(sql)) {
          throw new Error(
            `Nondeterministic SQL cannot be journaled; pass times and ids as parameters: ${sql}`,
          );
        }
        try {
          if (params === undefined) db.run(sql);
          else {
            const statement = this.prepared(sql);
            try {
              statement.run(params as BindParams);
            } finally {
              statement.reset();
            }
          }
        } catch (error) {
          // A failed statement may leave part of its work behind (ON CONFLICT FAIL), which the
          // journal could not reproduce: the whole transaction is rolled back.
          failedStatement = error;
          throw error;
        }
        recorded.push(
          params === undefined ? { sql } : { sql, params: encodeParams(params) as SqlParams },
        );
      },
    };
    return this.commit(() => {
      try {
        const result = fn(tx);
        if (isThenable(result)) {
          throw new Error(
            'A workspace transaction must be synchronous; do not pass an async function.',
          );
        }
        if (failedStatement !== undefined) {
          throw new Error('A statement failed inside the transaction, so it was rolled back.', {
            cause: failedStatement,
          });
        }
        return result;
      } finally {
        active = false;
      }
    }, recorded);
  }

  /**
   * BEGIN; `body` (which fills `statements` while running them); append and fsync the journal;
   * COMMIT. Any failure rolls back memory and the journal.
   */
  private commit<R>(body: () => R, statements: JournalStatement[]): R {
    const db = this.database();
    const current = this.current;
    if (!current) throw new Error('The workspace journal is not open.');
    db.run('BEGIN');
    this.inTransaction = true;
    try {
      for (const statement of statements) execStatement(db, statement.sql, statement.params);
      const result = body();
      if (statements.length === 0) {
        db.run('COMMIT');
        return result;
      }
      const seq = this.lastSeq + 1;
      const frame = encodeRecord(seq, statements);
      const before = current.size;
      this.append(current, frame);
      try {
        db.run('COMMIT');
      } catch (error) {
        this.undoAppend(current, before, error);
        throw error;
      }
      this.lastSeq = seq;
      this.writesSinceSnapshot += 1;
      this.bytesSinceSnapshot += frame.length;
      this.maybeScheduleSnapshot();
      return result;
    } catch (error) {
      try {
        db.run('ROLLBACK');
      } catch {
        // SQLite had already rolled the transaction back itself.
      }
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }

  private append(current: Current, frame: Buffer): void {
    const before = current.size;
    try {
      let written = 0;
      while (written < frame.length) {
        const n = this.fs.writeSync(
          current.fd,
          frame,
          written,
          frame.length - written,
          before + written,
        );
        if (n <= 0) throw new Error(`short write: ${written} of ${frame.length} bytes`);
        written += n;
      }
      this.fs.fdatasyncSync(current.fd);
      current.size = before + frame.length;
    } catch (error) {
      this.undoAppend(current, before, error);
      throw storageFailed(
        'Saving the change',
        'The change was NOT saved; everything saved before it is safe.',
        this.path(current.name),
        error,
      );
    }
  }

  private undoAppend(current: Current, length: number, cause: unknown): void {
    try {
      this.fs.ftruncateSync(current.fd, length);
      this.fs.fdatasyncSync(current.fd);
      current.size = length;
    } catch (error) {
      // The journal may now end in a change that was reported as failed. Accepting more writes
      // after it would make that change permanent, so refuse until the journal is re-read.
      this.broken = storageFailed(
        'Undoing a failed save',
        'To protect the data, PatchDeck accepts no more changes to this workspace: close and ' +
          'reopen it (the last change, reported as failed, may or may not be kept).',
        this.path(current.name),
        error,
      );
      this.log.error('Could not undo a failed journal append.', { error, cause });
    }
  }

  private startSegment(start: number, what: string): void {
    const name = segmentName(start);
    const path = this.path(name);
    let fd: number | undefined;
    try {
      fd = this.fs.openSync(path, 'wx', 0o600);
      this.fs.fsyncSync(fd);
      fsyncDirectorySync(this.dir, this.fs);
    } catch (error) {
      if (fd !== undefined) {
        this.fs.closeSync(fd);
        try {
          this.fs.unlinkSync(path);
        } catch {
          // It is empty; an empty segment is harmless.
        }
      }
      throw storageFailed(what, 'Everything saved so far is safe.', path, error);
    }
    const previous = this.current;
    this.current = { start, name, fd, size: 0 };
    this.segments.push({ start, name });
    if (previous) {
      try {
        this.fs.closeSync(previous.fd);
      } catch (error) {
        this.log.warn('Could not close a journal segment.', { file: previous.name, error });
      }
    }
  }

  // ---- snapshots --------------------------------------------------------------------------

  private exportWithSeq(seq: number): Uint8Array {
    const db = this.database();
    // The seq lives inside the snapshot so it can never disagree with the snapshot's contents.
    // It is written outside the journal on purpose: it only matters in the exported file.
    db.run(META_DDL);
    db.run('INSERT OR REPLACE INTO workspace_meta (key, value) VALUES (?, ?)', [
      META_SEQ_KEY,
      String(seq),
    ]);
    return db.export();
  }

  private async writeFile(
    name: string,
    data: Uint8Array,
    what: string,
    consequence: string,
  ): Promise<void> {
    try {
      await writeFileAtomic(this.path(name), data, { fs: this.fs });
    } catch (error) {
      throw storageFailed(what, consequence, this.path(name), error);
    }
  }

  private async writeSnapshotFile(data: Uint8Array, what: string): Promise<void> {
    await this.writeFile(
      DB_FILE,
      data,
      what,
      'No saved change was lost: every change is still in the journal.',
    );
  }

  /** Keeps the previous snapshot as `.bak1` and the one before as `.bak2`, each step atomic. */
  private async rotateBackups(): Promise<void> {
    const [bak1, bak2] = BACKUP_FILES;
    const dbPath = this.path(DB_FILE);
    if (!this.fs.existsSync(dbPath)) return;
    try {
      if (this.fs.existsSync(this.path(bak1)))
        await this.fs.rename(this.path(bak1), this.path(bak2));
      const temp = this.path(`${bak1}.tmp-${process.pid}-link`);
      try {
        this.fs.unlinkSync(temp);
      } catch {
        // Usually absent.
      }
      try {
        this.fs.linkSync(dbPath, temp);
        await this.fs.rename(temp, this.path(bak1));
        await fsyncDirectory(this.dir, this.fs);
      } catch (error) {
        const code = errorCode(error);
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EOPNOTSUPP') {
          throw error;
        }
        // File systems without hard links (FAT on USB media): copy instead.
        await writeFileAtomic(this.path(bak1), this.fs.readFileSync(dbPath), { fs: this.fs });
      }
    } catch (error) {
      throw storageFailed(
        'Keeping the previous snapshot as a backup',
        'No saved change was lost: every change is still in the journal.',
        this.path(bak1),
        error,
      );
    }
  }

  snapshot(): Promise<void> {
    const run = this.snapshotTail.then(() => this.snapshotNow());
    this.snapshotTail = run.catch(() => undefined);
    return run;
  }

  private async snapshotNow(): Promise<void> {
    if (this.closed) throw new Error('The workspace is closed.');
    if (this.readOnly) throw new Error('This workspace was opened read-only.');
    if (this.broken) throw this.broken;
    const current = this.current;
    if (!current) throw new Error('The workspace journal is not open.');
    const seq = this.lastSeq;
    if (seq === this.durableSnapshotSeq && current.start === seq + 1) return;

    // Synchronous part: no transaction can be open here (transactions never span an await), and
    // export() would throw inside one. The new segment receives every write made from now on.
    const data = this.exportWithSeq(seq);
    if (current.size > 0 || current.start !== seq + 1) {
      this.startSegment(seq + 1, 'Starting a new journal segment');
    }
    this.writesSinceSnapshot = 0;
    this.bytesSinceSnapshot = 0;

    await this.rotateBackups();
    await this.writeSnapshotFile(data, 'Writing a snapshot of the workspace');
    const previousSnapshotSeq = this.durableSnapshotSeq;
    this.durableSnapshotSeq = seq;
    this.pruneSegments(previousSnapshotSeq);
  }

  /**
   * Deletes journal segments holding only changes up to `seq`: the snapshot that is now `.bak1`.
   * One generation of journal is kept so `.bak1` plus the journal still restores everything.
   */
  private pruneSegments(seq: number): void {
    const keep: Segment[] = [];
    this.segments.forEach((segment, index) => {
      const next = this.segments[index + 1];
      if (next && next.start - 1 <= seq && segment.name !== this.current?.name) {
        try {
          this.fs.unlinkSync(this.path(segment.name));
          return;
        } catch (error) {
          if (errorCode(error) === 'ENOENT') return;
          this.log.warn('Could not delete an old journal segment.', {
            file: segment.name,
            error,
          });
        }
      }
      keep.push(segment);
    });
    this.segments = keep;
  }

  private maybeScheduleSnapshot(): void {
    if (this.autoSnapshotQueued) return;
    if (this.writesSinceSnapshot < this.everyWrites && this.bytesSinceSnapshot < this.everyBytes) {
      return;
    }
    this.autoSnapshotQueued = true;
    setImmediate(() => {
      if (this.closed) {
        this.autoSnapshotQueued = false;
        return;
      }
      this.snapshot()
        .catch((error: unknown) => {
          // The journal still holds everything; wait for another full threshold before retrying.
          this.writesSinceSnapshot = 0;
          this.bytesSinceSnapshot = 0;
          this.log.error('A background snapshot failed; changes remain safe in the journal.', {
            error,
          });
        })
        .finally(() => {
          this.autoSnapshotQueued = false;
        });
    });
  }

  async idle(): Promise<void> {
    for (;;) {
      const tail = this.snapshotTail;
      await tail;
      if (this.snapshotTail !== tail) continue;
      if (!this.autoSnapshotQueued) return;
      // A background snapshot is queued for the next turn of the event loop: let it start.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  exportBytes(): Uint8Array {
    if (this.inTransaction) throw new Error('Cannot export while a transaction is open.');
    return this.database().export();
  }

  stats(): WorkspaceStats {
    return {
      journalSeq: this.lastSeq,
      snapshotSeq: this.durableSnapshotSeq,
      segments: this.segments.length,
      writesSinceSnapshot: this.writesSinceSnapshot,
      bytesSinceSnapshot: this.bytesSinceSnapshot,
    };
  }

  // ---- closing ----------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    let failure: Error | undefined;
    if (!this.readOnly) {
      try {
        await this.idle();
        if (!this.broken) await this.snapshot();
      } catch (error) {
        failure =
          error instanceof Error
            ? error
            : new Error('Closing the workspace failed.', { cause: error });
      }
    }
    this.discard();
    if (failure) throw failure;
  }

  /** Frees memory, closes the journal and releases the lock without writing anything. */
  discard(): void {
    this.closed = true;
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
    if (this.current) {
      try {
        this.fs.closeSync(this.current.fd);
      } catch (error) {
        this.log.warn('Could not close the journal.', { error });
      }
      this.current = undefined;
    }
    this.lock?.release();
  }
}
