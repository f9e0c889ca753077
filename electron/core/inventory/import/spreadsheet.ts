import * as XLSX from '@e965/xlsx';

import { AppError } from '../../../../shared/api/errors';

import { checkCsv, decodeCsv } from './csv-check';
import type { ImportLimits } from './limits';
import { buildTable, type ParsedTable } from './table';
import { inspectZip, looksLikeCompoundFile, looksLikeZip } from './zip-check';

/** The spreadsheet formats SheetJS reads for an import. */
export type SpreadsheetFormat = 'csv' | 'xlsx' | 'xls' | 'ods';

const FORMAT_NAMES: Record<SpreadsheetFormat, string> = {
  csv: 'CSV',
  xlsx: 'Excel workbook (.xlsx)',
  xls: 'Excel 97-2003 workbook (.xls)',
  ods: 'OpenDocument spreadsheet (.ods)',
};

/**
 * Reads one worksheet of a spreadsheet file into a table of text, with SheetJS 0.20.3.
 *
 * Runs inside the import worker, never on the core's thread. The container is checked before
 * SheetJS sees it (format by its first bytes, zip directory against the expansion limit, CSV
 * quoting and size), SheetJS is told to stop after the row limit, and only arrays of strings
 * leave this function.
 */
export function parseSpreadsheet(
  bytes: Uint8Array,
  format: SpreadsheetFormat,
  sheetName: string | undefined,
  limits: ImportLimits,
): ParsedTable {
  const workbook = format === 'csv' ? readCsv(bytes, limits) : readWorkbook(bytes, format, limits);
  const sheets = [...workbook.SheetNames];
  const sheet = sheetName ?? sheets[0];
  if (sheet === undefined || !sheets.includes(sheet)) {
    throw new AppError(
      'VALIDATION_FAILED',
      sheet === undefined
        ? 'The workbook has no worksheets. Save it with the host list on a sheet, then import it.'
        : `The workbook has no sheet named "${sheet}"; it has ${sheets.map((s) => `"${s}"`).join(', ')}. Choose one of those.`,
      { sheets },
    );
  }
  const worksheet = Object.hasOwn(workbook.Sheets, sheet) ? workbook.Sheets[sheet] : undefined;
  const table = buildTable(readRows(worksheet, limits, sheet), firstRow(worksheet), limits, {
    format,
    sheets,
    sheet,
    scanner: null,
  });
  return table;
}

function readCsv(bytes: Uint8Array, limits: ImportLimits): XLSX.WorkBook {
  if (looksLikeZip(bytes) || looksLikeCompoundFile(bytes)) throw wrongFormat('csv', bytes);
  const text = decodeCsv(bytes);
  const shape = checkCsv(text, limits);
  return XLSX.read(text, {
    type: 'string',
    raw: true,
    dense: true,
    FS: shape.delimiter,
    sheetRows: limits.maxRows + 2,
  });
}

function readWorkbook(
  bytes: Uint8Array,
  format: Exclude<SpreadsheetFormat, 'csv'>,
  limits: ImportLimits,
): XLSX.WorkBook {
  if (format === 'xls') {
    if (!looksLikeCompoundFile(bytes)) throw wrongFormat(format, bytes);
  } else {
    if (looksLikeCompoundFile(bytes)) throw protectedOrWrong(format);
    if (!looksLikeZip(bytes)) throw wrongFormat(format, bytes);
    const names = new Set(inspectZip(bytes, limits).map((entry) => entry.name));
    const isXlsx = names.has('xl/workbook.xml');
    const isOds = names.has('content.xml') && names.has('mimetype');
    if ((format === 'xlsx' && !isXlsx) || (format === 'ods' && !isOds)) {
      throw wrongFormat(format, bytes, isXlsx ? 'xlsx' : isOds ? 'ods' : undefined);
    }
  }
  try {
    return XLSX.read(bytes, {
      type: 'array',
      dense: true,
      sheetRows: limits.maxRows + 2,
      cellFormula: false,
      cellHTML: false,
      cellStyles: false,
      cellDates: false,
      bookVBA: false,
      bookFiles: false,
      bookDeps: false,
      WTF: false,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/password|encrypt/i.test(message)) throw protectedOrWrong(format);
    throw new AppError(
      'IMPORT_MALFORMED',
      `The file could not be read as the chosen format, ${FORMAT_NAMES[format]} (${message.slice(0, 200)}). ` +
        'Open it in the spreadsheet program, save it again, then import the saved copy.',
      { format },
    );
  }
}

function readRows(
  worksheet: XLSX.WorkSheet | undefined,
  limits: ImportLimits,
  sheet: string,
): unknown[][] {
  if (!worksheet) return [];
  const full = (worksheet['!fullref'] as string | undefined) ?? worksheet['!ref'];
  if (full) {
    const range = XLSX.utils.decode_range(full);
    const rows = range.e.r - range.s.r;
    if (rows > limits.maxRows) {
      throw new AppError(
        'IMPORT_TOO_LARGE',
        `The sheet "${sheet}" has ${rows} rows below its first row; an import reads at most ` +
          `${limits.maxRows}. Split it into several files, then import each.`,
        { rows, limit: limits.maxRows },
      );
    }
  }
  return XLSX.utils.sheet_to_json<unknown[]>(worksheet, {
    header: 1,
    raw: false,
    defval: '',
    blankrows: true,
  });
}

function firstRow(worksheet: XLSX.WorkSheet | undefined): number {
  const ref = worksheet?.['!ref'];
  return ref ? XLSX.utils.decode_range(ref).s.r + 1 : 1;
}

function wrongFormat(
  chosen: SpreadsheetFormat,
  bytes: Uint8Array,
  actual?: SpreadsheetFormat,
): AppError {
  const seen =
    actual !== undefined
      ? `it is an ${FORMAT_NAMES[actual]}`
      : looksLikeZip(bytes)
        ? 'it is a zip archive but not a workbook'
        : looksLikeCompoundFile(bytes)
          ? 'it is an Office 97-2003 file'
          : 'it is text or another kind of file';
  return new AppError(
    'IMPORT_UNSUPPORTED_FORMAT',
    `The file is not in the chosen format, ${FORMAT_NAMES[chosen]}: ${seen}. Choose the format the file was saved in, ` +
      'or save it again in the chosen format.',
    { format: chosen, detected: actual ?? null },
  );
}

function protectedOrWrong(format: SpreadsheetFormat): AppError {
  return new AppError(
    'IMPORT_UNSUPPORTED_FORMAT',
    `The ${FORMAT_NAMES[format]} is password-protected (encrypted), so it cannot be read. Save a ` +
      'copy without a password, then import that.',
    { format },
  );
}
