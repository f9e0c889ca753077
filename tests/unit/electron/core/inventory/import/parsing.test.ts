import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as XLSX from '@e965/xlsx';
import { describe, expect, it } from 'vitest';

import { checkCsv, decodeCsv } from '../../../../../../electron/core/inventory/import/csv-check';
import { IMPORT_LIMITS } from '../../../../../../electron/core/inventory/import/limits';
import { parseNmapXml } from '../../../../../../electron/core/inventory/import/nmap';
import { guardPrototypes } from '../../../../../../electron/core/inventory/import/parse-isolated';
import { parseSpreadsheet } from '../../../../../../electron/core/inventory/import/spreadsheet';
import { inspectZip } from '../../../../../../electron/core/inventory/import/zip-check';
import { referenceData } from '../../../../../helpers/reference-data';

/** Public sample data beside the repository (DESIGN.md: read in place, never copied). */
const DATA = referenceData();
const NMAP = join(DATA, 'nmap-xml');
const SNIPEIT = join(DATA, 'snipeit-asset-csv');
const bytes = (text: string) => new TextEncoder().encode(text);

describe('CSV structure check', () => {
  it('names the line and column of a quoted value that is never closed', () => {
    const text = 'Name,IP\nweb-1,10.0.0.1\n"db-1,10.0.0.2\nweb-3,10.0.0.3\n';
    expect(() => checkCsv(text, IMPORT_LIMITS)).toThrowError(
      expect.objectContaining({ code: 'IMPORT_MALFORMED', details: { line: 3, column: 1 } }),
    );
  });

  it('names the line and column of text after a closing quote', () => {
    expect(() => checkCsv('Name,IP\n"web-1"x,10.0.0.1\n', IMPORT_LIMITS)).toThrowError(
      expect.objectContaining({ message: expect.stringMatching(/^Line 2, column 8:/) as unknown }),
    );
  });

  it('accepts quoted commas, doubled quotes and line breaks inside quotes, and finds ; files', () => {
    const shape = checkCsv('A;B\n"x;""y""\nz";2\n', IMPORT_LIMITS);
    expect(shape).toEqual({ delimiter: ';', records: 2, maxFields: 2 });
  });

  it('refuses a file over the row limit before it is parsed', () => {
    const text = ['Name,IP', ...Array.from({ length: 11 }, (_, i) => `h${i},10.0.0.${i}`)].join(
      '\n',
    );
    expect(() => checkCsv(text, { maxRows: 10, maxColumns: 5 })).toThrowError(
      expect.objectContaining({ code: 'IMPORT_TOO_LARGE' }),
    );
    expect(checkCsv(text, { maxRows: 11, maxColumns: 5 }).records).toBe(12);
  });

  it('reads the Snipe-IT sample with CR line ends and Windows-1252 text', () => {
    const file = readFileSync(`${SNIPEIT}/assets-sample-BLANKS.csv`);
    const table = parseSpreadsheet(file, 'csv', undefined, IMPORT_LIMITS);
    expect(table.columns.slice(0, 5)).toEqual([
      'Full Name',
      'Email',
      'Username',
      'item Name',
      'Column E',
    ]);
    expect(table.rows).toHaveLength(200);
    expect(table.rows.every((r) => r.length === table.columns.length)).toBe(true);
    expect(decodeCsv(file)).not.toContain('\uFFFD');
  });
});

describe('workbook containers', () => {
  const workbook = (rows: string[][]) => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Hosts');
    return new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
  };

  it('reads the declared expanded size of every part without inflating', () => {
    const entries = inspectZip(workbook([['Name'], ['a']]), IMPORT_LIMITS);
    expect(entries.map((e) => e.name)).toContain('xl/workbook.xml');
    expect(entries.every((e) => e.expandedBytes > 0)).toBe(true);
  });

  it('refuses a workbook that would expand past the limit, naming the part', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => [`host-${i}`, 'x'.repeat(200)]);
    expect(() =>
      inspectZip(workbook(rows), { maxExpandedBytes: 200_000, maxZipEntries: 100 }),
    ).toThrowError(
      expect.objectContaining({
        code: 'IMPORT_TOO_LARGE',
        details: expect.objectContaining({ part: 'xl/worksheets/sheet1.xml' }) as unknown,
      }),
    );
  });

  it('refuses a sheet over the row limit, from the sheet range', () => {
    const rows = [['Name'], ...Array.from({ length: 30 }, (_, i) => [`h${i}`])];
    expect(() =>
      parseSpreadsheet(workbook(rows), 'xlsx', undefined, { ...IMPORT_LIMITS, maxRows: 20 }),
    ).toThrowError(
      expect.objectContaining({ code: 'IMPORT_TOO_LARGE', details: { rows: 30, limit: 20 } }),
    );
  });

  it('refuses a file whose content is not the chosen format', () => {
    expect(() =>
      parseSpreadsheet(bytes('Name,IP\n'), 'xlsx', undefined, IMPORT_LIMITS),
    ).toThrowError(expect.objectContaining({ code: 'IMPORT_UNSUPPORTED_FORMAT' }));
    expect(() =>
      parseSpreadsheet(workbook([['Name']]), 'ods', undefined, IMPORT_LIMITS),
    ).toThrowError(
      expect.objectContaining({
        code: 'IMPORT_UNSUPPORTED_FORMAT',
        details: { format: 'ods', detected: 'xlsx' },
      }),
    );
  });
});

describe('Nmap XML', () => {
  it('reads hosts that are up, with address, name, OS match and SSH port', () => {
    const os = parseNmapXml(readFileSync(`${NMAP}/os.xml`), IMPORT_LIMITS);
    expect(os.scanner).toBe('nmap');
    expect(os.rows).toEqual([
      ['64.13.134.52', 'scanme.nmap.org', 'Linux 2.6.9 - 2.6.24', '22', '22/tcp (ssh)'],
    ]);
    expect(parseNmapXml(readFileSync(`${NMAP}/down.xml`), IMPORT_LIMITS).rows).toEqual([]);
  });

  it('reads a larger scan: only up hosts, SSH marked only where 22 or ssh is open', () => {
    const text = readFileSync(`${NMAP}/random-1.xml`, 'utf8');
    const table = parseNmapXml(bytes(text), IMPORT_LIMITS);
    const up = (text.match(/<status state="up"/g) ?? []).length;
    expect(table.rows).toHaveLength(up);
    for (const row of table.rows) {
      const ports = row[4] ?? '';
      expect(row[3] === '22').toBe(/(^|, )22\/tcp/.test(ports));
    }
  });

  it('refuses a DOCTYPE (entity expansion is off) and names the line of broken XML', () => {
    const bomb = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<nmaprun>&a;</nmaprun>';
    expect(() => parseNmapXml(bytes(bomb), IMPORT_LIMITS)).toThrowError(
      expect.objectContaining({ code: 'IMPORT_MALFORMED', details: { line: 2 } }),
    );
    const bare = readFileSync(`${NMAP}/os.xml`, 'utf8').replace(
      '<nmaprun ',
      '<!DOCTYPE nmaprun>\n<nmaprun ',
    );
    expect(parseNmapXml(bytes(bare), IMPORT_LIMITS).rows).toHaveLength(1);
    const cut = readFileSync(`${NMAP}/simple.xml`, 'utf8').slice(0, 900);
    expect(() => parseNmapXml(bytes(cut), IMPORT_LIMITS)).toThrowError(
      expect.objectContaining({
        code: 'IMPORT_MALFORMED',
        message: expect.stringMatching(/^Line \d+, column \d+/) as unknown,
      }),
    );
  });
});

describe('prototype guard of the parse worker', () => {
  it('refuses a parse that extended Object.prototype', () => {
    expect(() =>
      guardPrototypes(() => {
        Object.defineProperty(Object.prototype, 'polluted', { value: 1, configurable: true });
      }),
    ).toThrowError(expect.objectContaining({ code: 'IMPORT_MALFORMED' }));
    delete (Object.prototype as Record<string, unknown>)['polluted'];
    expect(guardPrototypes(() => 42)).toBe(42);
  });
});
