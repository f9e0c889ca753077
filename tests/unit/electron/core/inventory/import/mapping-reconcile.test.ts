import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { HostRow } from '../../../../../../electron/core/inventory/hosts.repository';
import { IMPORT_LIMITS } from '../../../../../../electron/core/inventory/import/limits';
import {
  checkMapping,
  guessMapping,
  sourceNameOf,
} from '../../../../../../electron/core/inventory/import/mapping';
import { reconcile, sameOs } from '../../../../../../electron/core/inventory/import/reconcile';
import { parseTier, toCandidates } from '../../../../../../electron/core/inventory/import/rows';
import { parseSpreadsheet } from '../../../../../../electron/core/inventory/import/spreadsheet';
import type { ParsedTable } from '../../../../../../electron/core/inventory/import/table';
import { referenceData } from '../../../../../helpers/reference-data';

const DATA = referenceData();

function table(columns: string[], rows: string[][]): ParsedTable {
  return {
    format: 'csv',
    sheets: ['Sheet1'],
    sheet: 'Sheet1',
    columns,
    rows,
    rowNumbers: rows.map((_, i) => i + 2),
    scanner: null,
  };
}

function host(over: Partial<HostRow> & Pick<HostRow, 'id' | 'name' | 'address'>): HostRow {
  return {
    port: 22,
    username: 'root',
    credentialId: null,
    jumpHostId: null,
    tier: 2,
    environment: 'production',
    owner: '',
    businessService: '',
    dataSensitivity: 'internal',
    regulatoryTags: [],
    haGroup: '',
    networkZone: '',
    exposure: 'internal',
    tags: [],
    notes: '',
    source: 'manual',
    cmdbId: null,
    osFamily: null,
    osId: null,
    osName: null,
    osVersion: null,
    kernel: null,
    arch: null,
    packageCount: null,
    rebootRequired: null,
    eolProduct: null,
    eolDate: null,
    lastScanId: null,
    lastScanAt: null,
    lastScan: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('mapping guess', () => {
  it('maps the Snipe-IT asset export: name, asset tag as CMDB id, notes; no address to guess', () => {
    const sample = parseSpreadsheet(
      readFileSync(join(DATA, 'snipeit-asset-csv/assets-sample.csv')),
      'csv',
      undefined,
      IMPORT_LIMITS,
    );
    const mapping = guessMapping(sample.columns);
    expect(mapping).toEqual({ name: 'Name', cmdbId: 'Asset Tag', notes: 'Asset Notes' });
    // "Checked Out To: Username" is the person holding the device, never the SSH login.
    expect(mapping.username).toBeUndefined();
    expect(() => checkMapping(mapping, sample.columns)).toThrowError(
      expect.objectContaining({ code: 'IMPORT_MAPPING_INVALID', details: { field: 'address' } }),
    );
  });

  it('maps a computer list shaped like a GLPI export, filled from the GLPI inventory examples', () => {
    const columns = [
      'Name',
      'Inventory number',
      'Operating system - Name',
      'IP addresses',
      'Entity',
    ];
    const rows = ['computer_1.json', 'computer_3.json'].map((file) => {
      const doc = JSON.parse(readFileSync(join(DATA, 'glpi-inventory', file), 'utf8')) as {
        content: {
          hardware: { name: string };
          bios: { ssn: string };
          operatingsystem: { full_name: string };
          networks: { ipaddress?: string; description: string }[];
        };
      };
      const ips = doc.content.networks
        .filter((n) => n.ipaddress && n.description !== 'lo')
        .map((n) => n.ipaddress);
      return [
        doc.content.hardware.name,
        doc.content.bios.ssn,
        doc.content.operatingsystem.full_name,
        ips.join(', '),
        'Root',
      ];
    });
    const mapping = guessMapping(columns);
    expect(mapping).toEqual({
      name: 'Name',
      cmdbId: 'Inventory number',
      osName: 'Operating system - Name',
      address: 'IP addresses',
    });
    const candidates = toCandidates(table(columns, rows), mapping);
    expect(candidates.map((c) => [c.name, c.address, c.cmdbId, c.osName])).toEqual([
      ['glpixps', '192.168.1.142', '640HP72', 'Fedora 31 (Workstation Edition)'],
      ['LF014', '172.28.220.96', '8C554721F', 'Fedora release 25 (Twenty Five)'],
    ]);
  });

  it('maps the usual names of a login column to the SSH user', () => {
    for (const column of ['Login', 'User', 'Username', 'SSH user', 'Account']) {
      expect(guessMapping(['Hostname', 'IP address', column]).username, column).toBe(column);
    }
  });

  it('signs a source by its header, whatever the case and the file format', () => {
    const a = sourceNameOf({ format: 'csv', columns: ['Name', 'IP'], scanner: null });
    expect(sourceNameOf({ format: 'ods', columns: ['name', 'ip '], scanner: null })).toBe(a);
    expect(sourceNameOf({ format: 'csv', columns: ['Name', 'IP', 'OS'], scanner: null })).not.toBe(
      a,
    );
    expect(sourceNameOf({ format: 'nmap-xml', columns: [], scanner: 'nmap' })).toBe('scanner:nmap');
  });
});

describe('row validation', () => {
  const columns = ['Host', 'IP', 'Tier', 'Env'];
  const mapping = { name: 'Host', address: 'IP', tier: 'Tier', environment: 'Env' };

  it('reads tiers and environments the way CMDBs write them', () => {
    expect(['Tier 0', 'T1', '2', 'low', 'Business critical'].map(parseTier)).toEqual([
      0, 1, 2, 3, 1,
    ]);
    const [c] = toCandidates(table(columns, [['web', '10.0.0.1', 'Tier 1', 'PROD']]), mapping);
    expect(c?.attributes).toEqual({ tier: 1, environment: 'production' });
  });

  it('names the first bad row and column and lists every problem', () => {
    const rows = [
      ['web', '10.0.0.1', '1', 'prod'],
      ['db', '10.0.0.300', '1', 'prod'],
      ['app', '10.0.0.3', '7', 'prod'],
    ];
    expect(() => toCandidates(table(columns, rows), mapping)).toThrowError(
      expect.objectContaining({
        code: 'IMPORT_MALFORMED',
        message: expect.stringMatching(/^Row 3, column "IP": "10\.0\.0\.300"/) as unknown,
        details: {
          total: 2,
          problems: [
            expect.objectContaining({ row: 3, column: 'IP' }),
            expect.objectContaining({ row: 4, column: 'Tier' }),
          ],
        },
      }),
    );
  });

  it('refuses two rows for the same host', () => {
    const rows = [
      ['a', '10.0.0.1', '', ''],
      ['b', '10.0.0.1', '', ''],
    ];
    expect(() => toCandidates(table(columns, rows), mapping)).toThrowError(
      expect.objectContaining({ message: expect.stringContaining('also on row 2') as unknown }),
    );
  });
});

describe('reconciliation', () => {
  const columns = ['CI', 'Host', 'IP', 'OS', 'Owner'];
  const mapping = { cmdbId: 'CI', name: 'Host', address: 'IP', osName: 'OS', owner: 'Owner' };
  const hosts = [
    host({ id: 'h1', name: 'web-1', address: '10.0.0.1', cmdbId: 'CI-1', owner: 'ops' }),
    host({ id: 'h2', name: 'DB-1', address: '10.0.0.2', osName: 'Debian GNU/Linux 12 (bookworm)' }),
    host({ id: 'h3', name: 'app-1', address: '10.0.0.99' }),
    host({ id: 'h4', name: 'scanned-only', address: '10.0.0.4' }),
    host({ id: 'h5', name: 'cmdb-old', address: '10.0.0.5', source: 'cmdb' }),
  ];
  const rows = [
    ['CI-1', 'web-1', '10.0.0.11', '', 'Ops'],
    ['', 'db-1', '10.0.0.2', 'Debian 12', 'dba'],
    ['', 'APP-1', '10.0.0.3', '', ''],
    ['', 'new-1', '10.0.0.7', '', ''],
  ];

  it('matches by CMDB id, then address, then name, and sorts every difference into its list', () => {
    const plan = reconcile(
      toCandidates(table(columns, rows), mapping),
      { hosts, reached: new Set(['h1', 'h2', 'h4']), linkedToSource: new Set(['h5']) },
      'csv',
      mapping,
    );
    expect(plan.matches.map((m) => [m.candidate.row, m.host.id, m.by])).toEqual([
      [2, 'h1', 'cmdbId'],
      [3, 'h2', 'address'],
      [4, 'h3', 'name'],
    ]);
    const r = plan.reconciliation;
    expect(r.newHosts).toEqual([{ key: 'new:5', row: 5, name: 'new-1', address: '10.0.0.7' }]);
    expect(r.mismatches.map((m) => [m.key, m.inventoryValue, m.sourceValue])).toEqual([
      ['mismatch:2:address', '10.0.0.1', '10.0.0.11'],
      ['mismatch:3:owner', '', 'dba'],
      ['mismatch:4:address', '10.0.0.99', '10.0.0.3'],
    ]);
    expect(r.neverReached.map((h) => h.key)).toEqual(['never:h3', 'never:h5']);
    expect(r.notInSource.map((h) => h.key)).toEqual(['absent:h4']);
    expect(r.unchanged).toBe(0);
  });

  it('counts an OS as agreeing when every word the source gives is in the scanned name', () => {
    expect(sameOs('Debian GNU/Linux 12 (bookworm)', 'debian 12')).toBe(true);
    expect(sameOs('Debian GNU/Linux 12 (bookworm)', 'Debian 11')).toBe(false);
    expect(sameOs('', 'Debian 12')).toBe(false);
  });
});
