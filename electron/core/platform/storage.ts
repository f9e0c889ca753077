import type { SqlValue } from 'sql.js';

/** Values a statement may bind. */
export type SqlParams = readonly SqlValue[] | Record<string, SqlValue>;

/** A row as read back: column name to value. */
export type Row = Record<string, SqlValue>;

/** Read access to the workspace database. */
export interface ReadDb {
  /** All rows of a query. */
  all<T extends Row = Row>(sql: string, params?: SqlParams): T[];
  /** The first row of a query, or undefined. */
  get<T extends Row = Row>(sql: string, params?: SqlParams): T | undefined;
}

/** Inside a transaction: reads see the transaction's own writes. */
export interface WriteTx extends ReadDb {
  /**
   * Runs one write statement. Statements must be deterministic: pass times and ids in as
   * parameters (no `datetime('now')`, no `random()`), because the journal replays them.
   */
  run(sql: string, params?: SqlParams): void;
}

/**
 * The open workspace (implemented by core/db): an in-memory sql.js database made durable by a write-ahead journal and
 * periodic atomic snapshots.
 *
 * When `transaction` returns, its writes are on disk (journal appended and fsynced); when it
 * throws, nothing of it remains in memory or on disk.
 */
export interface Workspace extends ReadDb {
  /** Runs `fn` as one atomic, durable transaction and returns its result. */
  transaction<R>(fn: (tx: WriteTx) => R): R;
  /** Writes a full snapshot now and starts a fresh journal. */
  snapshot(): Promise<void>;
  /** Flushes a final snapshot and releases the workspace lock. */
  close(): Promise<void>;
  /** The folder holding the workspace files. */
  readonly dir: string;
  /** The highest applied migration version. */
  readonly schemaVersion: number;
}
