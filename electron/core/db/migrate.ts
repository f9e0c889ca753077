import { createHash } from 'node:crypto';

import type { Database } from 'sql.js';

import { AppError } from '../../../shared/api/errors';

import type { Migration } from './migrations/index';

/** The table recording applied migrations (STYLE.md §2.6). */
export const SCHEMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** What the database and the app's migration list say about each other. */
export interface MigrationStatus {
  /** The highest applied version, 0 for a new database. */
  readonly schemaVersion: number;
  /** Known migrations not yet applied, in order. */
  readonly pending: readonly Migration[];
}

/** The SHA-256 (hex) of a migration's SQL text, as recorded in `schema_migrations`. */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

/** Orders the list and throws (a bug, not an operator problem) on duplicate or bad versions. */
export function sortMigrations(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1) {
      throw new Error(`Migration version ${m.version} (${m.name}) must be a positive integer.`);
    }
    const previous = sorted[i - 1];
    if (previous && previous.version === m.version) {
      throw new Error(`Two migrations share version ${m.version}: ${previous.name}, ${m.name}.`);
    }
  });
  return sorted;
}

function readApplied(db: Database): Map<number, { name: string; checksum: string }> {
  const exists = db.exec(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
  );
  const applied = new Map<number, { name: string; checksum: string }>();
  if (exists.length === 0) return applied;
  const result = db.exec('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
  for (const [version, name, checksum] of result[0]?.values ?? []) {
    applied.set(Number(version), { name: String(name), checksum: String(checksum) });
  }
  return applied;
}

/**
 * Compares the applied migrations with the app's list, refusing to guess (STYLE.md Example 8).
 *
 * Throws `DB_NEWER_THAN_APP` when the database has a version this app does not know, and
 * `MIGRATION_CHECKSUM_MISMATCH` when an applied migration's text has changed since.
 */
export function migrationStatus(
  db: Database,
  migrations: readonly Migration[],
  file: string,
): MigrationStatus {
  const sorted = sortMigrations(migrations);
  const applied = readApplied(db);
  const known = new Map(sorted.map((m) => [m.version, m]));
  const newest = sorted.at(-1)?.version ?? 0;

  for (const [version, row] of applied) {
    if (!known.has(version)) {
      throw new AppError(
        'DB_NEWER_THAN_APP',
        `The workspace ${file} was last opened by a newer PatchDeck (it has schema change ` +
          `${version} "${row.name}"; this version knows up to ${newest}). It has not been changed. ` +
          'Open it with that newer PatchDeck version, or install it on this machine.',
        { file, version, name: row.name, newestKnown: newest },
      );
    }
  }

  const pending: Migration[] = [];
  for (const m of sorted) {
    const row = applied.get(m.version);
    if (row === undefined) {
      pending.push(m);
      continue;
    }
    const checksum = migrationChecksum(m);
    if (row.checksum !== checksum) {
      throw new AppError(
        'MIGRATION_CHECKSUM_MISMATCH',
        `The workspace ${file} was set up by a PatchDeck build whose schema change ${m.version} ` +
          `"${m.name}" differs from this one, so this build cannot safely open it. It has not been ` +
          'changed. Use the PatchDeck build that created it, and report this to your PatchDeck ' +
          'supplier: a released schema change was edited.',
        { file, version: m.version, name: m.name, recorded: row.checksum, expected: checksum },
      );
    }
  }
  if (pending.length > 0 && applied.size > 0) {
    const first = pending[0];
    const appliedMax = Math.max(...applied.keys());
    if (first && first.version < appliedMax) {
      throw new Error(
        `Migration ${first.version} is missing from the workspace although ${appliedMax} is applied.`,
      );
    }
  }
  return { schemaVersion: applied.size === 0 ? 0 : Math.max(...applied.keys()), pending };
}
