import { AppError } from '../../../../shared/api/errors';

import type { ImportLimits } from './limits';

/** What a structural pass over CSV text found, before any value is read. */
export type CsvShape = {
  /** The field separator: comma, semicolon or tab, whichever the header line uses most. */
  delimiter: ',' | ';' | '\t';
  /** Records, the header included (blank lines not counted). */
  records: number;
  /** The most fields on one record. */
  maxFields: number;
};

/**
 * Decodes a CSV file's bytes: UTF-8 (with or without BOM, or UTF-16 with BOM); a file that is not
 * valid UTF-8 is read as Windows-1252, which is what spreadsheet tools on Windows write.
 */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const body =
    bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return new TextDecoder('windows-1252').decode(body);
  }
}

/**
 * Walks CSV text once (RFC 4180 quoting; CRLF, LF or CR line ends) and refuses what a spreadsheet
 * tool would silently misread: a quoted field never closed, or text after a closing quote. The
 * error names the line and column. Also refuses a file over the row or column limit before it is
 * parsed.
 */
export function checkCsv(
  text: string,
  limits: Pick<ImportLimits, 'maxRows' | 'maxColumns'>,
): CsvShape {
  if (text.includes('\u0000')) {
    throw new AppError(
      'IMPORT_UNSUPPORTED_FORMAT',
      'The file contains binary data, so it is not a CSV text file. Choose the format it was ' +
        'saved in (XLSX, XLS, ODS), or save it as CSV, then import it again.',
    );
  }
  const delimiter = detectDelimiter(text);
  let line = 1;
  let column = 1;
  let records = 0;
  let maxFields = 0;
  let fields = 1;
  let recordHasText = false;
  let i = 0;
  const endRecord = () => {
    if (recordHasText) {
      records += 1;
      maxFields = Math.max(maxFields, fields);
      if (records > limits.maxRows + 1) {
        throw new AppError(
          'IMPORT_TOO_LARGE',
          `The file has more than ${limits.maxRows} rows (line ${line} is past the limit). ` +
            'Split it into several files, then import each.',
          { line, limit: limits.maxRows },
        );
      }
      if (fields > limits.maxColumns) {
        throw new AppError(
          'IMPORT_TOO_LARGE',
          `Line ${line} has ${fields} columns; an import reads at most ${limits.maxColumns}. ` +
            'Delete the columns PatchDeck does not need, then import it again.',
          { line, columns: fields, limit: limits.maxColumns },
        );
      }
    }
    fields = 1;
    recordHasText = false;
  };
  const newline = (at: number): number => {
    // Returns the length of the line break at `at` (0 when none).
    const ch = text[at];
    if (ch === '\r') return text[at + 1] === '\n' ? 2 : 1;
    return ch === '\n' ? 1 : 0;
  };

  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const openLine = line;
      const openColumn = column;
      recordHasText = true;
      i += 1;
      column += 1;
      for (;;) {
        if (i >= text.length) {
          throw new AppError(
            'IMPORT_MALFORMED',
            `Line ${openLine}, column ${openColumn}: a quoted value starts here and is never ` +
              'closed, so the rest of the file would be read as one cell. Add the closing " ' +
              '(write "" for a quote inside a value), then import the file again.',
            { line: openLine, column: openColumn },
          );
        }
        const inner = text[i];
        if (inner === '"') {
          if (text[i + 1] === '"') {
            i += 2;
            column += 2;
            continue;
          }
          i += 1;
          column += 1;
          break;
        }
        const br = newline(i);
        if (br > 0) {
          i += br;
          line += 1;
          column = 1;
        } else {
          i += 1;
          column += 1;
        }
      }
      const next = text[i];
      if (i < text.length && next !== delimiter && newline(i) === 0) {
        throw new AppError(
          'IMPORT_MALFORMED',
          `Line ${line}, column ${column}: text follows the closing quote of a value. Put the ` +
            'whole value in quotes (write "" for a quote inside it), then import the file again.',
          { line, column },
        );
      }
      continue;
    }
    const br = newline(i);
    if (br > 0) {
      endRecord();
      i += br;
      line += 1;
      column = 1;
      continue;
    }
    if (ch === delimiter) {
      fields += 1;
    } else if (ch !== ' ' && ch !== '\t') {
      recordHasText = true;
    }
    i += 1;
    column += 1;
  }
  endRecord();
  return { delimiter, records, maxFields };
}

function detectDelimiter(text: string): CsvShape['delimiter'] {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch] += 1;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}
