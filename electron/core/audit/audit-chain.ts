import { createHash } from 'node:crypto';

import type { AuditOutcome, AuditRecord } from '../../../shared/domain/schemas';
import type { ReadDb, Row, WriteTx } from '../db/workspace';
import { canonicalJson } from '../platform/canonical-json';

/** The previous-hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a caller supplies for a new record; sequence and hashes are the chain's business. */
export type AuditEntry = {
  at: string;
  operatorId: string | null;
  operatorName: string;
  op: string;
  inputDigest: string;
  outcome: AuditOutcome;
  errorCode: string | null;
  summary: string;
  details: Record<string, unknown>;
};

/** The scalar fields of a record in their fixed order: hashed, and stored, in this order. */
function scalarFields(record: Omit<AuditRecord, 'hash'>) {
  return [
    record.seq,
    record.at,
    record.operatorId,
    record.operatorName,
    record.op,
    record.inputDigest,
    record.outcome,
    record.errorCode,
    record.summary,
  ] as const;
}

/** The hash of a record: SHA-256 over the canonical JSON of every field but the hash itself. */
export function hashAuditRecord(record: Omit<AuditRecord, 'hash'>): string {
  const material = canonicalJson([
    'patchdeck-audit-v1',
    ...scalarFields(record),
    record.details,
    record.prevHash,
  ]);
  return createHash('sha256').update(material).digest('hex');
}

/** The newest record's sequence number and hash, or the genesis values for an empty log. */
export function readAuditHead(db: ReadDb): { seq: number; hash: string } {
  const row = db.get<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
  );
  return row ? { seq: Number(row.seq), hash: String(row.hash) } : { seq: 0, hash: GENESIS_HASH };
}

/**
 * Appends one record to the chain inside the caller's transaction and returns it.
 *
 * The head is read inside the same transaction, so a rolled-back command leaves no gap.
 */
export function appendAuditRecord(tx: WriteTx, entry: AuditEntry): AuditRecord {
  const head = readAuditHead(tx);
  const unsigned = { seq: head.seq + 1, ...entry, prevHash: head.hash };
  const record: AuditRecord = { ...unsigned, hash: hashAuditRecord(unsigned) };
  tx.run(
    `INSERT INTO audit_log (seq, at, operator_id, operator_name, op, input_digest, outcome,
       error_code, summary, details, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [...scalarFields(record), canonicalJson(record.details), record.prevHash, record.hash],
  );
  return record;
}

/** Turns a stored row back into a record; unparseable details come back as they are stored. */
export function auditRecordFromRow(row: Row): AuditRecord {
  let details: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(String(row['details']));
    details =
      parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : { value: parsed };
  } catch {
    details = { unparseable: String(row['details']) };
  }
  return {
    seq: Number(row['seq']),
    at: String(row['at']),
    operatorId: row['operator_id'] === null ? null : String(row['operator_id']),
    operatorName: String(row['operator_name']),
    op: String(row['op']),
    inputDigest: String(row['input_digest']),
    outcome: String(row['outcome']) as AuditOutcome,
    errorCode: row['error_code'] === null ? null : String(row['error_code']),
    summary: String(row['summary']),
    details,
    prevHash: String(row['prev_hash']),
    hash: String(row['hash']),
  };
}

/** The outcome of walking the whole chain. */
export type ChainVerification = {
  valid: boolean;
  checked: number;
  headSeq: number;
  headHash: string;
  firstBadSeq: number | null;
  problem: string | null;
};

// Small batches keep each slice of a long walk well under 100 ms, so the core stays responsive.
const VERIFY_BATCH = 1_000;

/**
 * Walks the audit chain from the first record and names the first one that is wrong.
 *
 * Detects an edited record (its hash no longer matches its contents), a removed one (the
 * sequence jumps), an inserted or reordered one (its previous-hash link does not point at the
 * record before it). Removing the newest records leaves a valid shorter chain: that is caught
 * by comparing the head with the one recorded in the latest signed export.
 *
 * `yieldEvery` lets a long walk give the event loop back between batches.
 */
export async function verifyAuditChain(
  db: ReadDb,
  options: { yieldEvery?: () => Promise<void> } = {},
): Promise<ChainVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let afterSeq = 0;
  for (;;) {
    const rows = db.all(
      `SELECT seq, at, operator_id, operator_name, op, input_digest, outcome, error_code, summary,
              details, prev_hash, hash
         FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`,
      [afterSeq, VERIFY_BATCH],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const problem = checkRecord(row, expectedSeq, prevHash);
      const seq = Number(row['seq']);
      if (problem) {
        return {
          valid: false,
          checked,
          headSeq: seq,
          headHash: prevHash,
          firstBadSeq: problem.seq,
          problem: problem.text,
        };
      }
      checked += 1;
      prevHash = String(row['hash']);
      expectedSeq = seq + 1;
      afterSeq = seq;
    }
    if (options.yieldEvery) await options.yieldEvery();
  }
  return {
    valid: true,
    checked,
    headSeq: expectedSeq - 1,
    headHash: prevHash,
    firstBadSeq: null,
    problem: null,
  };
}

function checkRecord(
  row: Row,
  expectedSeq: number,
  prevHash: string,
): { seq: number; text: string } | null {
  const seq = Number(row['seq']);
  if (seq !== expectedSeq) {
    return {
      seq: expectedSeq,
      text:
        seq > expectedSeq
          ? `Record #${expectedSeq} is missing: the log jumps from #${expectedSeq - 1} to #${seq}.`
          : `Record #${seq} is out of order.`,
    };
  }
  if (String(row['prev_hash']) !== prevHash) {
    return {
      seq,
      text: `Record #${seq} does not follow record #${seq - 1}: its link to the previous record is wrong (a record was inserted, removed or reordered).`,
    };
  }
  let record: AuditRecord;
  try {
    // Re-read details exactly as stored; any edit of the stored text changes the hash below.
    record = auditRecordFromRow(row);
  } catch {
    return { seq, text: `Record #${seq} cannot be read.` };
  }
  const { hash, ...unsigned } = record;
  const storedDetailsText = String(row['details']);
  if (canonicalJson(record.details) !== storedDetailsText || hashAuditRecord(unsigned) !== hash) {
    return {
      seq,
      text: `Record #${seq} was changed after it was written: its hash does not match its contents.`,
    };
  }
  return null;
}
