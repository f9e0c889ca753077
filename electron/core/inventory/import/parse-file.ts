import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';

import { AppError } from '../../../../shared/api/errors';
import { runWorker, workerModule } from '../../platform/worker';

import { formatBytes, IMPORT_LIMITS, type ImportLimits } from './limits';
import type { ParseRequest } from './parse-isolated';
import type { ImportFormat, ParsedTable } from './table';

/** The worker that parses import files off the core's thread, one file per worker. */
export const IMPORT_PARSE_WORKER = workerModule(
  'import-parse',
  new URL('./import-parse.worker.ts', import.meta.url),
);

/** A file handed to an import: a path on this machine, or the file's bytes. */
export type ImportSource = { path: string } | { fileName: string; contentBase64: string };

/** A file read into memory, with the name shown to the operator. */
export type LoadedFile = { fileName: string; bytes: Uint8Array };

/** Reads the file of an import source, refusing it before reading when it is over the size limit. */
export async function loadSource(
  source: ImportSource,
  limits: Pick<ImportLimits, 'maxFileBytes'> = IMPORT_LIMITS,
): Promise<LoadedFile> {
  if ('contentBase64' in source) {
    const approxBytes = Math.floor((source.contentBase64.length * 3) / 4);
    if (approxBytes > limits.maxFileBytes + 2) throw tooLarge(source.fileName, approxBytes, limits);
    const bytes = Buffer.from(source.contentBase64, 'base64');
    if (bytes.length > limits.maxFileBytes) throw tooLarge(source.fileName, bytes.length, limits);
    return { fileName: basename(source.fileName), bytes: new Uint8Array(bytes) };
  }
  const fileName = basename(source.path);
  let size: number;
  try {
    const info = await stat(source.path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (error) {
    throw unreadable(source.path, error);
  }
  if (size > limits.maxFileBytes) throw tooLarge(fileName, size, limits);
  try {
    const handle = await open(source.path, 'r');
    try {
      const bytes = new Uint8Array(size);
      const { bytesRead } = await handle.read(bytes, 0, size, 0);
      return { fileName, bytes: bytes.subarray(0, bytesRead) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(source.path, error);
  }
}

/**
 * Parses a loaded file in a fresh worker thread, stopping it after the time limit. The result is
 * checked to be a table of strings before the core uses it.
 */
export async function parseInWorker(
  file: LoadedFile,
  format: ImportFormat,
  sheet: string | undefined,
  limits: ImportLimits = IMPORT_LIMITS,
): Promise<ParsedTable> {
  const request: ParseRequest = { bytes: file.bytes, format, sheet, limits };
  const task = runWorker<unknown>(IMPORT_PARSE_WORKER, request);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new AppError(
          'IMPORT_TOO_LARGE',
          `Reading ${file.fileName} took longer than ${Math.round(limits.timeoutMs / 1000)} s ` +
            'and was stopped. Save a copy with only the host list (one sheet, no formulas or ' +
            'images), then import that.',
          { timeoutMs: limits.timeoutMs },
        ),
      );
    }, limits.timeoutMs);
  });
  try {
    return checkTable(await Promise.race([task.result, timeout]), format);
  } finally {
    clearTimeout(timer);
    await task.cancel();
  }
}

/** Accepts only the shape a table has: anything else from the worker is a bug. */
export function checkTable(value: unknown, format: ImportFormat): ParsedTable {
  const isStrings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (value === null || typeof value !== 'object') throw new Error('import worker: no table');
  const t = value as Record<string, unknown>;
  const rows = t['rows'];
  const rowNumbers = t['rowNumbers'];
  const columns = t['columns'];
  const sheets = t['sheets'];
  const sheet = t['sheet'];
  const scanner = t['scanner'];
  if (
    !isStrings(columns) ||
    !isStrings(sheets) ||
    typeof sheet !== 'string' ||
    !(scanner === null || typeof scanner === 'string') ||
    !Array.isArray(rows) ||
    !rows.every((r) => isStrings(r) && r.length === columns.length) ||
    !Array.isArray(rowNumbers) ||
    rowNumbers.length !== rows.length ||
    !rowNumbers.every((n) => Number.isInteger(n))
  ) {
    throw new Error('import worker: the table has the wrong shape');
  }
  return {
    format,
    sheets: [...sheets],
    sheet,
    columns: [...columns],
    rows: rows as string[][],
    rowNumbers: rowNumbers as number[],
    scanner,
  };
}

function tooLarge(fileName: string, bytes: number, limits: Pick<ImportLimits, 'maxFileBytes'>) {
  return new AppError(
    'IMPORT_TOO_LARGE',
    `${fileName} is ${formatBytes(bytes)}; an import reads files up to ` +
      `${formatBytes(limits.maxFileBytes)}. Split the host list into smaller files, then import each.`,
    { bytes, limit: limits.maxFileBytes },
  );
}

function unreadable(path: string, error: unknown): AppError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT'
      ? 'there is no file at that path'
      : code === 'EACCES' || code === 'EPERM'
        ? 'PatchDeck may not read it'
        : 'it is not a regular file';
  return new AppError(
    'IMPORT_FILE_UNREADABLE',
    `${path} could not be opened: ${why}. Check the path and choose the file again.`,
    { path },
  );
}
