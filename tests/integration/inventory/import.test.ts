import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as XLSX from '@e965/xlsx';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';

import type { ApiClient } from '../../../shared/api/client';
import { createTestCore, withAdmin, withOperator, type TestCore } from '../../helpers/test-core';

import { allHosts, convertWithLibreOffice, inline, seedHosts } from './import-kit';

/** A CMDB export as a site would keep it; "Team" is a column no guess maps to the owner. */
const CMDB_CSV = [
  'CI Number,Hostname,IP Address,Operating System,Tier,Environment,Team,Business Service',
  'CI-1001,web-01,10.20.0.11,Debian 12,Tier 2,PROD,web-team,Shop',
  'CI-1002,db-01,10.20.0.12,Debian 12,Tier 0,Production,dba,Shop',
  'CI-1003,app-01,10.20.0.13,Rocky Linux 9,1,staging,apps,Billing',
  'CI-1004,new-01,10.20.0.14,Debian 12,3,dev,apps,Lab',
  'CI-1005,new-02,10.20.0.15,,2,test,,',
].join('\r\n');

let work: string;
const files = { csv: '', xlsx: '', xls: '', ods: '' };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'patchdeck-import-'));
  files.csv = join(work, 'cmdb-export.csv');
  writeFileSync(files.csv, CMDB_CSV);
  const converted = join(work, 'converted');
  mkdirSync(converted);
  files.xlsx = convertWithLibreOffice(files.csv, 'xlsx', converted);
  files.xls = convertWithLibreOffice(files.csv, 'xls', converted);
  files.ods = convertWithLibreOffice(files.csv, 'ods', converted);
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

let t: TestCore;
let admin: ApiClient;
beforeEach(async () => {
  t = await createTestCore();
  admin = await withAdmin(t);
});
afterEach(async () => t.dispose());

describe('reading CMDB spreadsheets', () => {
  it('reads the same export as CSV, and as XLSX, XLS and ODS saved by LibreOffice', async () => {
    const previews = [];
    for (const format of ['csv', 'xlsx', 'xls', 'ods'] as const) {
      const preview = await admin.call('imports.preview', {
        format,
        source: { path: files[format] },
      });
      previews.push(preview);
      expect(preview.columns).toEqual(CMDB_CSV.split('\r\n')[0]?.split(','));
      expect(preview.rowCount).toBe(5);
      expect(preview.sampleRows[1]).toEqual([
        'CI-1002',
        'db-01',
        '10.20.0.12',
        'Debian 12',
        'Tier 0',
        'Production',
        'dba',
        'Shop',
      ]);
      expect(preview.mappingRemembered).toBe(false);
      expect(preview.mapping).toEqual({
        cmdbId: 'CI Number',
        name: 'Hostname',
        address: 'IP Address',
        osName: 'Operating System',
        tier: 'Tier',
        environment: 'Environment',
        businessService: 'Business Service',
      });
    }
    expect(new Set(previews.map((p) => p.sourceName)).size).toBe(1);
    expect(new Set(previews.map((p) => p.importId)).size).toBe(4);
  });

  it('reconciles, applies the decisions in one transaction, and remembers the mapping', async () => {
    seedHosts(t, [
      { id: 'h-web', name: 'web-01', address: '10.20.0.11', tier: 2, reached: true },
      {
        id: 'h-db',
        name: 'DB-01',
        address: '10.20.0.99',
        cmdbId: 'CI-1002',
        tier: 1,
        reached: true,
      },
      { id: 'h-app', name: 'app-01', address: '10.20.0.13' },
      { id: 'h-old', name: 'old-01', address: '10.20.0.50', reached: true },
    ]);
    const events: unknown[] = [];
    t.core.events.subscribe((name, payload) => {
      if (name === 'hosts.changed') events.push(payload);
    });
    const preview = await admin.call('imports.preview', {
      format: 'csv',
      source: inline(files.csv),
    });
    const mapping = { ...preview.mapping, owner: 'Team' };
    const r = await admin.call('imports.reconcile', { importId: preview.importId, mapping });

    expect(r.rowCount).toBe(5);
    expect(r.newHosts.map((h) => [h.key, h.name, h.address])).toEqual([
      ['new:5', 'new-01', '10.20.0.14'],
      ['new:6', 'new-02', '10.20.0.15'],
    ]);
    // Blank inventory values count as differences too: the operator decides whether to fill them.
    expect(r.mismatches.map((m) => [m.key, m.inventoryValue, m.sourceValue])).toEqual([
      ['mismatch:2:osName', '', 'Debian 12'],
      ['mismatch:2:owner', '', 'web-team'],
      ['mismatch:2:businessService', '', 'Shop'],
      ['mismatch:3:address', '10.20.0.99', '10.20.0.12'],
      ['mismatch:3:osName', '', 'Debian 12'],
      ['mismatch:3:tier', '1', '0'],
      ['mismatch:3:owner', '', 'dba'],
      ['mismatch:3:businessService', '', 'Shop'],
      ['mismatch:4:osName', '', 'Rocky Linux 9'],
      ['mismatch:4:tier', '2', '1'],
      ['mismatch:4:environment', 'production', 'staging'],
      ['mismatch:4:owner', '', 'apps'],
      ['mismatch:4:businessService', '', 'Billing'],
    ]);
    expect(r.unchanged).toBe(0);
    expect(r.neverReached.map((h) => h.key)).toEqual(['never:h-app']);
    expect(r.notInSource.map((h) => [h.key, h.hostName])).toEqual([['absent:h-old', 'old-01']]);

    const result = await admin.call('imports.apply', {
      importId: preview.importId,
      decisions: [
        { key: 'new:5', decision: 'add' },
        { key: 'new:6', decision: 'skip' },
        { key: 'mismatch:3:address', decision: 'take-source' },
        { key: 'mismatch:3:tier', decision: 'take-source' },
        { key: 'mismatch:4:owner', decision: 'keep-inventory' },
        { key: 'absent:h-old', decision: 'remove' },
      ],
    });
    expect(result).toEqual({
      added: 1,
      updated: 1,
      removed: 1,
      deferred: r.mismatches.length + r.neverReached.length - 3,
    });
    const hosts = new Map(allHosts(t).map((h) => [h.name, h]));
    expect([...hosts.keys()].sort()).toEqual(['app-01', 'DB-01', 'new-01', 'web-01'].sort());
    expect(hosts.get('DB-01')).toMatchObject({ address: '10.20.0.12', tier: 0, owner: '' });
    expect(hosts.get('new-01')).toMatchObject({
      address: '10.20.0.14',
      port: 22,
      source: 'cmdb',
      cmdbId: 'CI-1004',
      osName: 'Debian 12',
      tier: 3,
      environment: 'development',
      owner: 'apps',
      businessService: 'Lab',
    });
    expect(hosts.get('app-01')).toMatchObject({ environment: 'production', owner: '' });
    expect(events).toEqual([{ hostIds: 'all' }]);

    const audit = await admin.call('audit.list', { filter: { op: 'imports.apply' } });
    expect(audit.records[0]?.details).toMatchObject({
      fileName: 'cmdb-export.csv',
      format: 'csv',
      rowCount: 5,
      added: 1,
      updated: 1,
      removed: 1,
      decisions: { add: 1, skip: 1, takeSource: 2, keepInventory: 1, remove: 1 },
    });
    await expect(
      admin.call('imports.apply', { importId: preview.importId, decisions: [] }),
    ).rejects.toMatchObject({ code: 'IMPORT_NOT_FOUND' });

    // The same export saved as XLSX is recognised: the mapping with "Team" comes back.
    const again = await admin.call('imports.preview', {
      format: 'xlsx',
      source: { path: files.xlsx },
    });
    expect(again.mappingRemembered).toBe(true);
    expect(again.mapping).toEqual(mapping);
    const second = await admin.call('imports.reconcile', {
      importId: again.importId,
      mapping: again.mapping,
    });
    expect(second.newHosts.map((h) => h.key)).toEqual(['new:6']);
    expect(second.neverReached.map((h) => h.hostName).sort()).toEqual(['app-01', 'new-01']);
  });

  it('writes nothing when a row in the middle cannot be applied, and names that row', async () => {
    seedHosts(t, [
      { id: 'h-app', name: 'app-01', address: '10.20.0.77', cmdbId: 'CI-1003' },
      { id: 'h-other', name: 'other', address: '10.20.0.13' },
    ]);
    const before = allHosts(t);
    const preview = await admin.call('imports.preview', {
      format: 'ods',
      source: { path: files.ods },
    });
    const r = await admin.call('imports.reconcile', {
      importId: preview.importId,
      mapping: preview.mapping,
    });
    const decisions = [
      ...r.newHosts.map((h) => ({ key: h.key, decision: 'add' as const })),
      ...r.mismatches.map((m) => ({ key: m.key, decision: 'take-source' as const })),
    ];
    expect(decisions.map((d) => d.key)).toContain('mismatch:4:address');
    const failure = admin.call('imports.apply', { importId: preview.importId, decisions });
    await expect(failure).rejects.toMatchObject({
      code: 'IMPORT_CONFLICT',
      message: expect.stringMatching(
        /^Row 4: the source's address 10\.20\.0\.13 \(port 22\) is already used by host "other"/,
      ) as unknown,
      details: { row: 4 },
    });
    // Rows 2 and 3 (before) were added inside the transaction; nothing of it remains.
    expect(allHosts(t)).toEqual(before);
    const audit = await admin.call('audit.list', { filter: { op: 'imports.apply' } });
    expect(audit.records[0]).toMatchObject({ outcome: 'error', errorCode: 'IMPORT_CONFLICT' });
    // After a restart too.
    await t.close();
    await t.reopen();
    expect(allHosts(t)).toEqual(before);
  });

  it('refuses malformed files naming the line or row, and a mapping without an address', async () => {
    const unclosed = 'Hostname,IP\nweb-1,10.0.0.1\n"web-2,10.0.0.2\nweb-3,10.0.0.3\n';
    await expect(
      admin.call('imports.preview', {
        format: 'csv',
        source: { fileName: 'x.csv', contentBase64: Buffer.from(unclosed).toString('base64') },
      }),
    ).rejects.toMatchObject({ code: 'IMPORT_MALFORMED', details: { line: 3, column: 1 } });

    const badRow = 'Hostname,IP,Tier\nweb-1,10.0.0.1,1\nweb-2,10.0.0.2,9\n';
    const preview = await admin.call('imports.preview', {
      format: 'csv',
      source: { fileName: 'y.csv', contentBase64: Buffer.from(badRow).toString('base64') },
    });
    await expect(
      admin.call('imports.reconcile', { importId: preview.importId, mapping: preview.mapping }),
    ).rejects.toMatchObject({
      code: 'IMPORT_MALFORMED',
      message: expect.stringMatching(/^Row 3, column "Tier": "9" is not a tier/) as unknown,
    });
    await expect(
      admin.call('imports.reconcile', {
        importId: preview.importId,
        mapping: { name: 'Hostname' },
      }),
    ).rejects.toMatchObject({ code: 'IMPORT_MAPPING_INVALID' });
    await expect(
      admin.call('imports.reconcile', { importId: preview.importId, mapping: { address: 'Nope' } }),
    ).rejects.toMatchObject({ code: 'IMPORT_MAPPING_INVALID' });
    await expect(
      admin.call('imports.preview', { format: 'xls', source: { path: files.csv } }),
    ).rejects.toMatchObject({ code: 'IMPORT_UNSUPPORTED_FORMAT' });
    await expect(
      admin.call('imports.preview', { format: 'csv', source: { path: join(work, 'missing.csv') } }),
    ).rejects.toMatchObject({ code: 'IMPORT_FILE_UNREADABLE' });
  });

  it('keeps an import for its operator only, and lets it expire after 30 minutes unused', async () => {
    await admin.call('settings.update', { idleLockMinutes: 240 });
    const tech = await withOperator(t, admin, 'tech1', ['technician']);
    const preview = await admin.call('imports.preview', {
      format: 'csv',
      source: { path: files.csv },
    });
    await expect(
      tech.call('imports.reconcile', { importId: preview.importId, mapping: preview.mapping }),
    ).rejects.toMatchObject({ code: 'IMPORT_NOT_FOUND' });
    t.clock.advance(29 * 60_000);
    await admin.call('imports.reconcile', { importId: preview.importId, mapping: preview.mapping });
    t.clock.advance(31 * 60_000);
    await expect(
      admin.call('imports.apply', { importId: preview.importId, decisions: [] }),
    ).rejects.toMatchObject({ code: 'IMPORT_NOT_FOUND' });
  });
});

describe('hostile and oversized files', () => {
  it('reads a workbook whose comment targets __proto__ without changing any prototype', async () => {
    const dir = join(work, 'hostile');
    mkdirSync(dir, { recursive: true });
    const ws = XLSX.utils.aoa_to_sheet([
      ['Hostname', 'IP'],
      ['web-1', '10.0.0.1'],
    ]);
    ws['A1'] = { ...ws['A1'], c: [{ a: 'cmdb', t: 'c' }] } as XLSX.CellObject;
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, 'Hosts');
    const parts = join(dir, 'parts');
    mkdirSync(parts, { recursive: true });
    writeFileSync(
      join(dir, 'base.xlsx'),
      XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer,
    );
    execFileSync('unzip', ['-q', '-o', join(dir, 'base.xlsx'), '-d', parts]);
    const commentsPath = join(parts, 'xl', 'comments1.xml');
    const comments = readFileSync(commentsPath, 'utf8');
    expect(comments).toContain('ref="A1"');
    writeFileSync(commentsPath, comments.replace('ref="A1"', 'ref="__proto__"'));
    const hostile = join(dir, 'hostile.xlsx');
    execFileSync('zip', ['-q', '-r', '-X', hostile, '.'], { cwd: parts });

    const pristine = Object.getOwnPropertyNames(Object.prototype).sort();
    const preview = await admin.call('imports.preview', {
      format: 'xlsx',
      source: inline(hostile),
    });
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(pristine);
    expect(({} as Record<string, unknown>)['c']).toBeUndefined();
    // Harmless: the worker's own prototypes were unchanged (else it refuses), and only text came back.
    expect(preview.columns).toEqual(['Hostname', 'IP']);
    expect(preview.sampleRows).toEqual([['web-1', '10.0.0.1']]);
    expect(allHosts(t)).toEqual([]);
  });

  it('refuses a zip bomb from its directory, before inflating it', async () => {
    const dir = join(work, 'bomb');
    const parts = join(dir, 'parts');
    mkdirSync(join(parts, 'xl', 'worksheets'), { recursive: true });
    const base = join(dir, 'base.xlsx');
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['Hostname']]), 'Hosts');
    writeFileSync(base, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    execFileSync('unzip', ['-q', '-o', base, '-d', parts]);
    // 300 MiB of one repeated row: a few hundred KiB once deflated.
    const row =
      '<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>';
    const chunk = row.repeat(Math.ceil((1024 * 1024) / row.length));
    const sheet = join(parts, 'xl', 'worksheets', 'sheet1.xml');
    writeFileSync(
      sheet,
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
    );
    for (let i = 0; i < 300; i++) writeFileSync(sheet, chunk, { flag: 'a' });
    writeFileSync(sheet, '</sheetData></worksheet>', { flag: 'a' });
    const bomb = join(dir, 'bomb.xlsx');
    execFileSync('zip', ['-q', '-r', '-X', bomb, '.'], { cwd: parts });
    rmSync(parts, { recursive: true, force: true });
    expect(readFileSync(bomb).length).toBeLessThan(2 * 1024 * 1024);

    await expect(
      admin.call('imports.preview', { format: 'xlsx', source: { path: bomb } }),
    ).rejects.toMatchObject({
      code: 'IMPORT_TOO_LARGE',
      details: { part: 'xl/worksheets/sheet1.xml', limit: 256 * 1024 * 1024 },
    });
  });

  it('reads a sheet of exactly the row limit and refuses one row more', async () => {
    const lines = (n: number) =>
      [
        'Hostname,IP',
        ...Array.from(
          { length: n },
          (_, i) => `h${i},10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        ),
      ].join('\n');
    const atLimit = join(work, 'at-limit.csv');
    writeFileSync(atLimit, lines(100_000));
    const ok = await admin.call('imports.preview', { format: 'csv', source: { path: atLimit } });
    expect(ok.rowCount).toBe(100_000);
    const over = join(work, 'over-limit.csv');
    writeFileSync(over, lines(100_001));
    await expect(
      admin.call('imports.preview', { format: 'csv', source: { path: over } }),
    ).rejects.toMatchObject({ code: 'IMPORT_TOO_LARGE', details: { limit: 100_000 } });
  });
});
