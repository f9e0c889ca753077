import type { Migration } from '../../../electron/core/db/migrations/index';

/** The schema the crash child writes to; the parent opens the workspace with the same list. */
export const CRASH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'crash_items',
    sql: 'CREATE TABLE items (id TEXT PRIMARY KEY, iteration INTEGER NOT NULL, body TEXT NOT NULL);',
  },
];
