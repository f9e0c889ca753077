import { AppError } from '../../../../shared/api/errors';

import type { ImportLimits } from './limits';

/** The file formats an import reads (the contract's `IMPORT_FORMATS`). */
export type ImportFormat = 'csv' | 'xlsx' | 'xls' | 'ods' | 'nmap-xml';

/**
 * A source read into a plain table of text: what the parse worker hands back to the core.
 *
 * Only arrays of strings cross the worker boundary, so nothing a hostile file names (such as
 * `__proto__`) can become a property key in the core.
 */
export type ParsedTable = {
  format: ImportFormat;
  /** Every worksheet of a workbook, in order; one entry for CSV and Nmap. */
  sheets: string[];
  /** The worksheet read. */
  sheet: string;
  /** Column names, unique and never empty. */
  columns: string[];
  /** Data rows, each exactly as long as `columns`, cells trimmed. */
  rows: string[][];
  /** For each data row, where it is in the file: the sheet row number, or the host's position. */
  rowNumbers: number[];
  /** The scanner that wrote an Nmap file ("nmap"), else null. */
  scanner: string | null;
};

/** How a position in the source is named in messages: "row 7" or "host 3 of the scan". */
export function rowLabel(format: ImportFormat, rowNumber: number): string {
  return format === 'nmap-xml' ? `host ${rowNumber} of the scan` : `row ${rowNumber}`;
}

/** The spreadsheet name of a column index: 0 → A, 27 → AB. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/**
 * Makes header cells usable as column names: trimmed, a blank cell named after its letter
 * ("Column E"), and repeated names numbered ("Notes (2)").
 */
export function normaliseHeader(cells: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, index) => {
    const base = cell.replace(/\s+/g, ' ').trim() || `Column ${columnLetter(index)}`;
    const key = base.toLowerCase();
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return count === 1 ? base : `${base} (${count})`;
  });
}

/**
 * Turns raw rows (the header first) into a table: drops blank rows, pads short rows, and refuses
 * anything over the limits, naming the row and column.
 */
export function buildTable(
  raw: readonly (readonly unknown[])[],
  firstRowNumber: number,
  limits: Pick<ImportLimits, 'maxRows' | 'maxColumns' | 'maxCellChars'>,
  meta: Pick<ParsedTable, 'format' | 'sheets' | 'sheet' | 'scanner'>,
): ParsedTable {
  const cleaned: { cells: string[]; number: number }[] = [];
  raw.forEach((row, index) => {
    const cells = Array.from(row, (cell) => cellText(cell));
    if (cells.some((cell) => cell !== '')) cleaned.push({ cells, number: firstRowNumber + index });
  });
  const header = cleaned.shift();
  if (!header) {
    throw new AppError(
      'IMPORT_MALFORMED',
      `The ${meta.format === 'csv' ? 'file' : `sheet "${meta.sheet}"`} is empty: it has no header row. ` +
        'Put the column names in the first row, then import it again.',
      { sheet: meta.sheet },
    );
  }
  while (header.cells.length > 0 && header.cells.at(-1) === '') header.cells.pop();
  let width = header.cells.length;
  for (const row of cleaned) width = Math.max(width, lastFilled(row.cells));
  if (width > limits.maxColumns) {
    throw new AppError(
      'IMPORT_TOO_LARGE',
      `The sheet "${meta.sheet}" has ${width} columns; an import reads at most ${limits.maxColumns}. ` +
        'Delete the columns PatchDeck does not need, then import it again.',
      { columns: width, limit: limits.maxColumns },
    );
  }
  if (cleaned.length > limits.maxRows) {
    throw new AppError(
      'IMPORT_TOO_LARGE',
      `The sheet "${meta.sheet}" has ${cleaned.length} rows; an import reads at most ` +
        `${limits.maxRows}. Split it into several files, then import each.`,
      { rows: cleaned.length, limit: limits.maxRows },
    );
  }
  const columns = normaliseHeader(padTo(header.cells, width));
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  for (const row of cleaned) {
    const cells = padTo(row.cells, width);
    cells.forEach((cell, index) => {
      if (cell.length > limits.maxCellChars) {
        throw new AppError(
          'IMPORT_TOO_LARGE',
          `${capitalise(rowLabel(meta.format, row.number))}, column ${columnLetter(index)} ` +
            `("${columns[index] ?? ''}") holds ${cell.length} characters; a cell may hold at most ` +
            `${limits.maxCellChars}. Shorten it, then import the file again.`,
          { row: row.number, column: columns[index] ?? null, limit: limits.maxCellChars },
        );
      }
    });
    rows.push(cells);
    rowNumbers.push(row.number);
  }
  return { ...meta, columns, rows, rowNumbers };
}

/** "row 7" → "Row 7". */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return '';
}

function lastFilled(cells: readonly string[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (cells[i] !== '') return i + 1;
  return 0;
}

function padTo(cells: readonly string[], width: number): string[] {
  const out = cells.slice(0, width);
  while (out.length < width) out.push('');
  return out;
}
