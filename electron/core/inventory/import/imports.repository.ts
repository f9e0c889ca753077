import { ImportMappingSchema, type ImportMapping } from '../../../../shared/domain/assets';
import type { ReadDb, WriteTx } from '../../db/workspace';
import { getHostRows, listHostIdentities } from '../hosts.repository';

import type { InventoryView } from './reconcile';
import type { ImportFormat } from './table';

/** The mapping last confirmed for a source, or undefined when the source is new. */
export function readRememberedMapping(db: ReadDb, sourceName: string): ImportMapping | undefined {
  const row = db.get('SELECT mapping FROM import_sources WHERE source_name = ?', [sourceName]);
  if (!row) return undefined;
  const parsed = ImportMappingSchema.safeParse(JSON.parse(String(row['mapping'])));
  return parsed.success ? parsed.data : undefined;
}

/** Remembers the mapping confirmed for a source (replacing the previous one). */
export function rememberSource(
  tx: WriteTx,
  source: {
    sourceName: string;
    format: ImportFormat;
    columns: readonly string[];
    mapping: ImportMapping;
    fileName: string;
    importedBy: string;
    at: string;
  },
): void {
  tx.run(
    `INSERT INTO import_sources (source_name, format, columns, mapping, file_name, imported_by,
       imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source_name) DO UPDATE SET format = excluded.format, columns = excluded.columns,
       mapping = excluded.mapping, file_name = excluded.file_name,
       imported_by = excluded.imported_by, imported_at = excluded.imported_at`,
    [
      source.sourceName,
      source.format,
      JSON.stringify(source.columns),
      JSON.stringify(source.mapping),
      source.fileName,
      source.importedBy,
      source.at,
    ],
  );
}

/** Records that a source describes these hosts (at these rows). */
export function linkSourceHosts(
  tx: WriteTx,
  sourceName: string,
  links: readonly { hostId: string; row: number }[],
  at: string,
): void {
  for (const link of links) {
    tx.run(
      `INSERT INTO import_source_hosts (source_name, host_id, row_number, seen_at)
       VALUES (?, ?, ?, ?)
       ON CONFLICT (source_name, host_id) DO UPDATE SET row_number = excluded.row_number,
         seen_at = excluded.seen_at`,
      [sourceName, link.hostId, link.row, at],
    );
  }
}

/** Forgets every source's link to hosts that were removed. */
export function unlinkHosts(tx: WriteTx, hostIds: readonly string[]): void {
  for (const hostId of hostIds) {
    tx.run('DELETE FROM import_source_hosts WHERE host_id = ?', [hostId]);
  }
}

/** The whole inventory as a reconciliation sees it, for one source. */
export function readInventoryView(db: ReadDb, sourceName: string): InventoryView {
  const identities = listHostIdentities(db);
  const hosts = getHostRows(
    db,
    identities.map((h) => h.id),
  );
  const linked = new Set(
    db
      .all(
        `SELECT l.host_id FROM import_source_hosts l JOIN hosts h ON h.id = l.host_id
         WHERE l.source_name = ?`,
        [sourceName],
      )
      .map((r) => String(r['host_id'])),
  );
  return {
    hosts,
    reached: new Set(identities.filter((h) => h.reached).map((h) => h.id)),
    linkedToSource: linked,
  };
}
