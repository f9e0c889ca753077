import type { ApproverTeam, Role } from '../../../shared/domain/roles';
import type { Operator } from '../../../shared/domain/schemas';
import type { ReadDb, Row, WriteTx } from '../db/workspace';

import type { PasswordRecord, ScryptParams } from './password-hash';

/** An operator row with what only the core may see. */
export type OperatorRow = Operator & {
  password: PasswordRecord;
  failedLogins: number;
  lockedUntil: string | null;
};

const COLUMNS = `id, username, display_name, password_hash, password_salt, password_params, roles,
  approver_teams, disabled, failed_logins, locked_until, last_login_at, created_at, updated_at`;

function parseStringArray(text: unknown): string[] {
  const parsed: unknown = JSON.parse(String(text));
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

function fromRow(row: Row): OperatorRow {
  return {
    id: String(row['id']),
    username: String(row['username']),
    displayName: String(row['display_name']),
    roles: parseStringArray(row['roles']) as Role[],
    approverTeams: parseStringArray(row['approver_teams']) as ApproverTeam[],
    disabled: Number(row['disabled']) === 1,
    createdAt: String(row['created_at']),
    updatedAt: String(row['updated_at']),
    lastLoginAt: row['last_login_at'] === null ? null : String(row['last_login_at']),
    password: {
      hash: String(row['password_hash']),
      salt: String(row['password_salt']),
      params: JSON.parse(String(row['password_params'])) as ScryptParams,
    },
    failedLogins: Number(row['failed_logins']),
    lockedUntil: row['locked_until'] === null ? null : String(row['locked_until']),
  };
}

/** The public view of an operator row. */
export function toOperator(row: OperatorRow): Operator {
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    roles: row.roles,
    approverTeams: row.approverTeams,
    disabled: row.disabled,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastLoginAt: row.lastLoginAt,
  };
}

/** Number of operators in the workspace. */
export function countOperators(db: ReadDb): number {
  return Number(db.get('SELECT COUNT(*) AS n FROM operators')?.['n'] ?? 0);
}

/** Every operator, by username. */
export function listOperators(db: ReadDb): OperatorRow[] {
  return db.all(`SELECT ${COLUMNS} FROM operators ORDER BY username COLLATE NOCASE`).map(fromRow);
}

/** One operator by id. */
export function findOperatorById(db: ReadDb, id: string): OperatorRow | undefined {
  const row = db.get(`SELECT ${COLUMNS} FROM operators WHERE id = ?`, [id]);
  return row ? fromRow(row) : undefined;
}

/** One operator by username, case-insensitively. */
export function findOperatorByUsername(db: ReadDb, username: string): OperatorRow | undefined {
  const row = db.get(`SELECT ${COLUMNS} FROM operators WHERE username = ? COLLATE NOCASE`, [
    username,
  ]);
  return row ? fromRow(row) : undefined;
}

/** Enabled operators holding the administrator role. */
export function countActiveAdministrators(db: ReadDb): number {
  return listOperators(db).filter((o) => !o.disabled && o.roles.includes('administrator')).length;
}

/** Stores a new operator. */
export function insertOperator(
  tx: WriteTx,
  op: {
    id: string;
    username: string;
    displayName: string;
    password: PasswordRecord;
    roles: readonly Role[];
    approverTeams: readonly ApproverTeam[];
    at: string;
  },
): void {
  tx.run(
    `INSERT INTO operators (id, username, display_name, password_hash, password_salt,
       password_params, roles, approver_teams, disabled, failed_logins, password_changed_at,
       created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
    [
      op.id,
      op.username,
      op.displayName,
      op.password.hash,
      op.password.salt,
      JSON.stringify(op.password.params),
      JSON.stringify(op.roles),
      JSON.stringify(op.approverTeams),
      op.at,
      op.at,
      op.at,
    ],
  );
}

/** Changes name, roles or teams. */
export function updateOperatorProfile(
  tx: WriteTx,
  id: string,
  change: { displayName: string; roles: readonly Role[]; approverTeams: readonly ApproverTeam[] },
  at: string,
): void {
  tx.run(
    'UPDATE operators SET display_name = ?, roles = ?, approver_teams = ?, updated_at = ? WHERE id = ?',
    [
      change.displayName,
      JSON.stringify(change.roles),
      JSON.stringify(change.approverTeams),
      at,
      id,
    ],
  );
}

/** Disables or enables an operator. */
export function setOperatorDisabled(tx: WriteTx, id: string, disabled: boolean, at: string): void {
  tx.run('UPDATE operators SET disabled = ?, updated_at = ? WHERE id = ?', [
    disabled ? 1 : 0,
    at,
    id,
  ]);
}

/** Replaces an operator's password and clears any login throttling. */
export function setOperatorPassword(
  tx: WriteTx,
  id: string,
  password: PasswordRecord,
  at: string,
): void {
  tx.run(
    `UPDATE operators SET password_hash = ?, password_salt = ?, password_params = ?,
       password_changed_at = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?`,
    [password.hash, password.salt, JSON.stringify(password.params), at, at, id],
  );
}

/** Records a successful login. */
export function recordLoginSuccess(tx: WriteTx, id: string, at: string): void {
  tx.run(
    'UPDATE operators SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?',
    [at, id],
  );
}

/** Records a failed login and, past the allowance, until when further tries are refused. */
export function recordLoginFailure(
  tx: WriteTx,
  id: string,
  failedLogins: number,
  lockedUntil: string | null,
): void {
  tx.run('UPDATE operators SET failed_logins = ?, locked_until = ? WHERE id = ?', [
    failedLogins,
    lockedUntil,
    id,
  ]);
}
