import { describe, expect, it } from 'vitest';

import {
  encodeParams,
  encodeRecord,
  parseSegmentName,
  scanSegment,
  segmentName,
} from '../../../../../electron/core/db/journal';

function threeRecords(): Buffer {
  return Buffer.concat([
    encodeRecord(1, [{ sql: 'INSERT INTO t VALUES (?)', params: encodeParams(['a']) }]),
    encodeRecord(2, [{ sql: 'INSERT INTO t VALUES (?)', params: encodeParams(['b']) }]),
    encodeRecord(3, [{ sql: 'INSERT INTO t VALUES (?)', params: encodeParams(['c']) }]),
  ]);
}

describe('journal records', () => {
  it('round-trips statements with every kind of parameter', () => {
    const blob = new Uint8Array([0, 1, 255]);
    const frame = encodeRecord(7, [
      { sql: 'CREATE TABLE t (a, b, c, d)' },
      { sql: 'INSERT INTO t VALUES (?, ?, ?, ?)', params: encodeParams([1.5, 'x', null, blob]) },
      { sql: 'UPDATE t SET a = $a', params: encodeParams({ $a: Number.POSITIVE_INFINITY }) },
    ]);
    const scan = scanSegment(frame);
    expect(scan.problem).toBeUndefined();
    expect(scan.records).toHaveLength(1);
    const record = scan.records[0];
    expect(record?.seq).toBe(7);
    expect(record?.statements[0]).toEqual({ sql: 'CREATE TABLE t (a, b, c, d)' });
    expect(record?.statements[1]?.params).toEqual([1.5, 'x', null, blob]);
    expect(record?.statements[2]?.params).toEqual({ $a: Number.POSITIVE_INFINITY });
  });

  it('names segments by their first seq', () => {
    expect(segmentName(12)).toBe('workspace.journal.0000000012');
    expect(parseSegmentName('workspace.journal.0000000012')).toBe(12);
    expect(parseSegmentName('workspace.journal.0000000012.tmp-1-a')).toBeUndefined();
    expect(parseSegmentName('workspace.db')).toBeUndefined();
  });

  it('treats an incomplete final record as a torn write', () => {
    const whole = threeRecords();
    const torn = whole.subarray(0, whole.length - 5);
    const scan = scanSegment(torn);
    expect(scan.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(scan.problem?.validRecordFollows).toBe(false);
    expect(scan.validEnd).toBe(scan.records[1]?.end);
  });

  it('treats a final record with a bad checksum as a torn write', () => {
    const bytes = Buffer.from(threeRecords());
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0xff;
    const scan = scanSegment(bytes);
    expect(scan.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(scan.problem?.reason).toMatch(/checksum/);
    expect(scan.problem?.validRecordFollows).toBe(false);
  });

  it('detects damage in the middle: a valid record follows the bad one', () => {
    const bytes = Buffer.from(threeRecords());
    bytes[20] = (bytes[20] ?? 0) ^ 0xff; // inside record 1's payload
    const scan = scanSegment(bytes);
    expect(scan.records).toHaveLength(0);
    expect(scan.problem?.validRecordFollows).toBe(true);
  });

  it('detects a damaged header in the middle', () => {
    const bytes = Buffer.from(threeRecords());
    bytes[5] = (bytes[5] ?? 0) ^ 0x7f; // record 1's length field
    const scan = scanSegment(bytes);
    expect(scan.problem?.reason).toMatch(/header checksum/);
    expect(scan.problem?.validRecordFollows).toBe(true);
  });

  it('copies parameters so later mutation cannot change the record', () => {
    const params: (string | null)[] = ['before'];
    const encoded = encodeParams(params);
    params[0] = 'after';
    expect(encoded).toEqual(['before']);
  });
});
