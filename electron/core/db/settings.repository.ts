import type { Settings } from '../../../shared/domain/schemas';

import type { ReadDb, WriteTx } from './workspace';

/** Settings a fresh workspace starts with. */
export const DEFAULT_SETTINGS: Settings = { idleLockMinutes: 15 };

/** The workspace settings, defaults filled in for keys never set. */
export function readSettings(db: ReadDb): Settings {
  const rows = db.all<{ key: string; value: string }>('SELECT key, value FROM settings');
  const stored = Object.fromEntries(
    rows.map((r) => [String(r.key), JSON.parse(String(r.value)) as unknown]),
  );
  return {
    idleLockMinutes:
      typeof stored['idleLockMinutes'] === 'number'
        ? stored['idleLockMinutes']
        : DEFAULT_SETTINGS.idleLockMinutes,
  };
}

/** Stores the given settings keys. */
export function writeSettings(tx: WriteTx, change: Partial<Settings>, at: string): void {
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) continue;
    tx.run(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [key, JSON.stringify(value), at],
    );
  }
}
