import type { HostKeySighting } from '../../../shared/domain/assets';
import type { ReadDb, Row, WriteTx } from '../db/workspace';

/** A key a host presented that is not trusted, with the key itself (needed to pin it). */
export type SightingRow = HostKeySighting & { publicKeyBase64: string };

function fromRow(row: Row): SightingRow {
  return {
    hostId: String(row['host_id']),
    hostName: String(row['name'] ?? row['host_id']),
    address: String(row['address']),
    port: Number(row['port']),
    keyType: String(row['key_type']),
    fingerprint: String(row['fingerprint']),
    kind: row['kind'] === 'changed' ? 'changed' : 'unknown',
    pinnedFingerprint:
      row['pinned_fingerprint'] === null ? null : String(row['pinned_fingerprint']),
    seenAt: String(row['seen_at']),
    publicKeyBase64: String(row['public_key']),
  };
}

const SELECT = `SELECT s.host_id, h.name, s.address, s.port, s.key_type, s.public_key, s.fingerprint,
  s.kind, s.pinned_fingerprint, s.seen_at
  FROM host_key_sightings s JOIN hosts h ON h.id = s.host_id`;

/** Records (or replaces) the key a host presented that is not trusted. */
export function recordSighting(tx: WriteTx, sighting: Omit<SightingRow, 'hostName'>): void {
  tx.run(
    `INSERT INTO host_key_sightings (host_id, address, port, key_type, public_key, fingerprint,
       kind, pinned_fingerprint, seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (host_id) DO UPDATE SET address = excluded.address, port = excluded.port,
       key_type = excluded.key_type, public_key = excluded.public_key,
       fingerprint = excluded.fingerprint, kind = excluded.kind,
       pinned_fingerprint = excluded.pinned_fingerprint, seen_at = excluded.seen_at`,
    [
      sighting.hostId,
      sighting.address,
      sighting.port,
      sighting.keyType,
      sighting.publicKeyBase64,
      sighting.fingerprint,
      sighting.kind,
      sighting.pinnedFingerprint,
      sighting.seenAt,
    ],
  );
}

/** The sighting waiting for a host, or undefined. */
export function getSighting(db: ReadDb, hostId: string): SightingRow | undefined {
  const row = db.get(`${SELECT} WHERE s.host_id = ?`, [hostId]);
  return row ? fromRow(row) : undefined;
}

/** Every sighting waiting for a decision, newest first. */
export function listSightings(db: ReadDb): SightingRow[] {
  return db.all(`${SELECT} ORDER BY s.seen_at DESC, h.name`).map(fromRow);
}

/** Removes a host's sighting (decided, or no longer current). */
export function deleteSighting(tx: WriteTx, hostId: string): void {
  tx.run('DELETE FROM host_key_sightings WHERE host_id = ?', [hostId]);
}
