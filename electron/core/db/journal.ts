import { crc32 } from 'node:zlib';

import type { SqlValue } from 'sql.js';

import type { SqlParams } from './workspace';

/** One recorded write statement, replayed exactly as it ran. */
export interface JournalStatement {
  readonly sql: string;
  readonly params?: SqlParams;
}

/** One committed transaction. */
export interface JournalRecord {
  readonly seq: number;
  readonly statements: readonly JournalStatement[];
}

/** A record found in a segment, with where it sits. */
export interface ScannedRecord extends JournalRecord {
  readonly offset: number;
  readonly end: number;
}

/** The result of reading one journal segment. */
export interface SegmentScan {
  readonly records: ScannedRecord[];
  /** Where the valid records end; equals the file length when nothing is wrong. */
  readonly validEnd: number;
  /** Set when bytes after `validEnd` are not a valid record. */
  readonly problem?: {
    readonly reason: string;
    /** True when a valid record follows the bad bytes: damage in the middle, not a torn write. */
    readonly validRecordFollows: boolean;
  };
}

/** Journal segment files: `workspace.journal.<first seq, 10 digits>`. */
export const SEGMENT_PREFIX = 'workspace.journal.';

const MAGIC = Buffer.from('PDJ1', 'latin1');
/** magic(4) + payload length(4) + payload crc32(4) + header crc32(4), little-endian. */
export const RECORD_HEADER_BYTES = 16;
const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

/** The file name of the segment whose first record is `start`. */
export function segmentName(start: number): string {
  return `${SEGMENT_PREFIX}${String(start).padStart(10, '0')}`;
}

/** The first seq of a segment file name, or undefined if the name is not a segment. */
export function parseSegmentName(name: string): number | undefined {
  if (!name.startsWith(SEGMENT_PREFIX)) return undefined;
  const digits = name.slice(SEGMENT_PREFIX.length);
  if (!/^\d{10,}$/.test(digits)) return undefined;
  return Number(digits);
}

type EncodedValue = number | string | null | { b: string } | { n: string };

function encodeValue(value: SqlValue): EncodedValue {
  if (value instanceof Uint8Array) return { b: Buffer.from(value).toString('base64') };
  if (typeof value === 'number' && !Number.isFinite(value)) return { n: String(value) };
  return value;
}

function decodeValue(value: unknown): SqlValue {
  if (value === null || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'object' && 'b' in value && typeof value.b === 'string') {
    return new Uint8Array(Buffer.from(value.b, 'base64'));
  }
  if (typeof value === 'object' && 'n' in value && typeof value.n === 'string') {
    return Number(value.n);
  }
  throw new Error('Unknown parameter encoding in the journal.');
}

/** Copies and encodes parameters so later mutation by the caller cannot change the record. */
export function encodeParams(params: SqlParams): unknown {
  if (Array.isArray(params)) return (params as readonly SqlValue[]).map(encodeValue);
  return Object.fromEntries(
    Object.entries(params as Record<string, SqlValue>).map(([k, v]) => [k, encodeValue(v)]),
  );
}

function decodeParams(params: unknown): SqlParams {
  if (Array.isArray(params)) return params.map(decodeValue);
  if (typeof params === 'object' && params !== null) {
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, decodeValue(v)]));
  }
  throw new Error('Bad parameters in the journal.');
}

/** Frames one record: header with checksums, then the JSON payload. */
export function encodeRecord(
  seq: number,
  statements: readonly { sql: string; params?: unknown }[],
) {
  const payload = Buffer.from(JSON.stringify({ seq, statements }), 'utf8');
  const frame = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  MAGIC.copy(frame, 0);
  frame.writeUInt32LE(payload.length, 4);
  frame.writeUInt32LE(crc32(payload), 8);
  frame.writeUInt32LE(crc32(frame.subarray(0, 12)), 12);
  payload.copy(frame, RECORD_HEADER_BYTES);
  return frame;
}

type Parsed = { ok: true; record: ScannedRecord } | { ok: false; reason: string };

function parseAt(bytes: Uint8Array, offset: number): Parsed {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length - offset < RECORD_HEADER_BYTES) {
    return { ok: false, reason: `incomplete record header at byte ${offset}` };
  }
  if (!buf.subarray(offset, offset + 4).equals(MAGIC)) {
    return { ok: false, reason: `no record marker at byte ${offset}` };
  }
  if (crc32(buf.subarray(offset, offset + 12)) !== buf.readUInt32LE(offset + 12)) {
    return { ok: false, reason: `bad record header checksum at byte ${offset}` };
  }
  const length = buf.readUInt32LE(offset + 4);
  const start = offset + RECORD_HEADER_BYTES;
  if (length > MAX_RECORD_BYTES || start + length > buf.length) {
    return { ok: false, reason: `incomplete record at byte ${offset}` };
  }
  const payload = buf.subarray(start, start + length);
  if (crc32(payload) !== buf.readUInt32LE(offset + 8)) {
    return { ok: false, reason: `bad record checksum at byte ${offset}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: `unreadable record at byte ${offset}` };
  }
  const shape = parsed as { seq?: unknown; statements?: unknown };
  if (typeof shape.seq !== 'number' || !Array.isArray(shape.statements)) {
    return { ok: false, reason: `malformed record at byte ${offset}` };
  }
  try {
    const statements = shape.statements.map((s: unknown): JournalStatement => {
      const st = s as { sql?: unknown; params?: unknown };
      if (typeof st.sql !== 'string') throw new Error('statement without SQL');
      return st.params === undefined
        ? { sql: st.sql }
        : { sql: st.sql, params: decodeParams(st.params) };
    });
    return { ok: true, record: { seq: shape.seq, statements, offset, end: start + length } };
  } catch {
    return { ok: false, reason: `malformed statement in record at byte ${offset}` };
  }
}

/**
 * Reads every valid record of a segment, stopping at the first bad one.
 *
 * After a bad spot it searches the rest for any valid record: if one exists the damage is in
 * the middle (refuse to open); if not, the bad bytes are a write that never completed.
 */
export function scanSegment(bytes: Uint8Array): SegmentScan {
  const records: ScannedRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const parsed = parseAt(bytes, offset);
    if (!parsed.ok) {
      let validRecordFollows = false;
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let at = buf.indexOf(MAGIC, offset + 1); at !== -1; at = buf.indexOf(MAGIC, at + 1)) {
        if (parseAt(bytes, at).ok) {
          validRecordFollows = true;
          break;
        }
      }
      return { records, validEnd: offset, problem: { reason: parsed.reason, validRecordFollows } };
    }
    records.push(parsed.record);
    offset = parsed.record.end;
  }
  return { records, validEnd: offset };
}
