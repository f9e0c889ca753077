import foundation from './0001_foundation.sql';
import remote from './0002_remote.sql';
import inventory from './0003_inventory.sql';
import bundles from './0004_bundles.sql';
import imports from './0005_imports.sql';

/** One forward-only schema change: a numbered SQL file bundled as text. */
export interface Migration {
  /** The number in the file name; applied in ascending order. */
  readonly version: number;
  /** The snake_case name from the file name. */
  readonly name: string;
  /** The SQL text, executed as one transaction. */
  readonly sql: string;
}

/**
 * Every migration the app knows, in order. Append new files here; never edit or remove one that
 * has shipped (its checksum is recorded in each workspace).
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'foundation', sql: foundation },
  { version: 2, name: 'remote', sql: remote },
  { version: 3, name: 'inventory', sql: inventory },
  { version: 4, name: 'bundles', sql: bundles },
  { version: 5, name: 'imports', sql: imports },
];
