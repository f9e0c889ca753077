import type { AuditFilter, AuditRecord } from '../../../shared/domain/schemas';
import type { ReadDb } from '../db/workspace';

import { auditRecordFromRow } from './audit-chain';

const COLUMNS = `seq, at, operator_id, operator_name, op, input_digest, outcome, error_code,
  summary, details, prev_hash, hash`;

function whereClause(filter: AuditFilter): { sql: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (filter.operatorId) {
    clauses.push('operator_id = ?');
    params.push(filter.operatorId);
  }
  if (filter.op) {
    clauses.push('op = ?');
    params.push(filter.op);
  }
  if (filter.outcome) {
    clauses.push('outcome = ?');
    params.push(filter.outcome);
  }
  if (filter.from) {
    clauses.push('at >= ?');
    params.push(new Date(filter.from).toISOString());
  }
  if (filter.to) {
    clauses.push('at <= ?');
    params.push(new Date(filter.to).toISOString());
  }
  if (filter.text) {
    const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    clauses.push(
      "(summary LIKE ? ESCAPE '\\' OR op LIKE ? ESCAPE '\\' OR operator_name LIKE ? ESCAPE '\\' OR error_code LIKE ? ESCAPE '\\')",
    );
    params.push(like, like, like, like);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** A page of records, newest first, with the number of records matching the filter. */
export function listAuditRecords(
  db: ReadDb,
  filter: AuditFilter,
  page: { beforeSeq?: number | undefined; limit: number },
): { records: AuditRecord[]; total: number } {
  const where = whereClause(filter);
  const total = Number(
    db.get(`SELECT COUNT(*) AS n FROM audit_log ${where.sql}`, where.params)?.['n'] ?? 0,
  );
  const pageSql = page.beforeSeq === undefined ? '' : `${where.sql ? 'AND' : 'WHERE'} seq < ?`;
  const params = page.beforeSeq === undefined ? where.params : [...where.params, page.beforeSeq];
  const rows = db.all(
    `SELECT ${COLUMNS} FROM audit_log ${where.sql} ${pageSql} ORDER BY seq DESC LIMIT ?`,
    [...params, page.limit],
  );
  return { records: rows.map(auditRecordFromRow), total };
}

/** One record by sequence number. */
export function findAuditRecord(db: ReadDb, seq: number): AuditRecord | undefined {
  const row = db.get(`SELECT ${COLUMNS} FROM audit_log WHERE seq = ?`, [seq]);
  return row ? auditRecordFromRow(row) : undefined;
}
