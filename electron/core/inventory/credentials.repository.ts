import type { SqlValue } from 'sql.js';

import type { Credential } from '../../../shared/domain/assets';
import type { ReadDb, Row, WriteTx } from '../db/workspace';

/** The secret fields of a credential; each is stored sealed by the vault, never in plain text. */
export const SECRET_FIELDS = ['passphrase', 'password', 'sudoPassword'] as const;

/** One secret field. */
export type SecretField = (typeof SECRET_FIELDS)[number];

const SECRET_COLUMNS: Readonly<Record<SecretField, string>> = {
  passphrase: 'passphrase_enc',
  password: 'password_enc',
  sudoPassword: 'sudo_password_enc',
};

/** A credential as stored: its public fields and its sealed secrets. */
export type CredentialRow = Omit<
  Credential,
  'hasPassphrase' | 'hasPassword' | 'hasSudoPassword' | 'usedBy'
> & {
  sealed: Partial<Record<SecretField, string>>;
};

const COLUMNS = `id, name, kind, key_path, agent_socket, passphrase_enc, password_enc, sudo,
  sudo_password_enc, created_at, updated_at`;

function fromRow(row: Row): CredentialRow {
  const sealed: Partial<Record<SecretField, string>> = {};
  for (const field of SECRET_FIELDS) {
    const value = row[SECRET_COLUMNS[field]];
    if (value !== null && value !== undefined) sealed[field] = String(value);
  }
  return {
    id: String(row['id']),
    name: String(row['name']),
    kind: String(row['kind']) as Credential['kind'],
    keyPath: row['key_path'] === null ? null : String(row['key_path']),
    agentSocket: row['agent_socket'] === null ? null : String(row['agent_socket']),
    sudo: String(row['sudo']) as Credential['sudo'],
    sealed,
    createdAt: String(row['created_at']),
    updatedAt: String(row['updated_at']),
  };
}

/** The vault slot a secret is sealed to: the credential and the field. */
export function secretSlot(credentialId: string, field: SecretField): string {
  return `credential:${credentialId}:${field}`;
}

/** The UI's view of a credential: which secrets exist, never their values. */
export function toCredential(row: CredentialRow, usedBy: number): Credential {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    keyPath: row.keyPath,
    agentSocket: row.agentSocket,
    hasPassphrase: row.sealed.passphrase !== undefined,
    hasPassword: row.sealed.password !== undefined,
    sudo: row.sudo,
    hasSudoPassword: row.sealed.sudoPassword !== undefined,
    usedBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Every credential by name, with how many hosts use each. */
export function listCredentials(db: ReadDb): Credential[] {
  const used = new Map<string, number>();
  for (const r of db.all(
    `SELECT credential_id, COUNT(*) AS n FROM hosts WHERE credential_id IS NOT NULL
     GROUP BY credential_id`,
  )) {
    used.set(String(r['credential_id']), Number(r['n']));
  }
  return db
    .all(`SELECT ${COLUMNS} FROM credentials ORDER BY name`)
    .map(fromRow)
    .map((row) => toCredential(row, used.get(row.id) ?? 0));
}

/** One credential as stored, or undefined. */
export function getCredentialRow(db: ReadDb, id: string): CredentialRow | undefined {
  const row = db.get(`SELECT ${COLUMNS} FROM credentials WHERE id = ?`, [id]);
  return row ? fromRow(row) : undefined;
}

/** The credential with this name (case-insensitive), or undefined. */
export function findCredentialByName(db: ReadDb, name: string): CredentialRow | undefined {
  const row = db.get(`SELECT ${COLUMNS} FROM credentials WHERE name = ?`, [name.trim()]);
  return row ? fromRow(row) : undefined;
}

/** How many hosts log in with a credential. */
export function countCredentialUsers(db: ReadDb, id: string): number {
  return Number(
    db.get('SELECT COUNT(*) AS n FROM hosts WHERE credential_id = ?', [id])?.['n'] ?? 0,
  );
}

/** Stores a new credential; secrets must already be sealed. */
export function insertCredential(tx: WriteTx, row: CredentialRow): void {
  tx.run(`INSERT INTO credentials (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.id,
    row.name,
    row.kind,
    row.keyPath,
    row.agentSocket,
    row.sealed.passphrase ?? null,
    row.sealed.password ?? null,
    row.sudo,
    row.sealed.sudoPassword ?? null,
    row.createdAt,
    row.updatedAt,
  ]);
}

/** Replaces a credential's fields; secrets must already be sealed. */
export function updateCredential(tx: WriteTx, row: CredentialRow): void {
  const values: SqlValue[] = [
    row.name,
    row.kind,
    row.keyPath,
    row.agentSocket,
    row.sealed.passphrase ?? null,
    row.sealed.password ?? null,
    row.sudo,
    row.sealed.sudoPassword ?? null,
    row.updatedAt,
    row.id,
  ];
  tx.run(
    `UPDATE credentials SET name = ?, kind = ?, key_path = ?, agent_socket = ?, passphrase_enc = ?,
       password_enc = ?, sudo = ?, sudo_password_enc = ?, updated_at = ? WHERE id = ?`,
    values,
  );
}

/** Deletes a credential. The caller checks that no host uses it. */
export function deleteCredential(tx: WriteTx, id: string): void {
  tx.run('DELETE FROM credentials WHERE id = ?', [id]);
}
