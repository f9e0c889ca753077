import { AppError } from '../../../../shared/api/errors';

import { formatBytes, type ImportLimits } from './limits';

/** One part of a zip container as its central directory declares it. */
export type ZipEntry = { name: string; compressedBytes: number; expandedBytes: number };

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;

/** True when the bytes start like a zip container (xlsx, ods). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4
  );
}

/** True when the bytes start like an OLE compound file (xls, or a password-protected xlsx). */
export function looksLikeCompoundFile(bytes: Uint8Array): boolean {
  const magic = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  return bytes.length >= 8 && magic.every((byte, i) => bytes[i] === byte);
}

/**
 * Reads a zip's central directory without inflating anything, and refuses a container whose parts
 * would expand past the limit (a zip bomb), has too many parts, or needs ZIP64 (no workbook under
 * the file-size limit does).
 */
export function inspectZip(
  bytes: Uint8Array,
  limits: Pick<ImportLimits, 'maxExpandedBytes' | 'maxZipEntries'>,
): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) throw corrupt('its zip directory is missing');
  const declaredEntries = view.getUint16(eocd + 10, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (declaredEntries === 0xffff || directoryOffset === 0xffffffff) throw zip64();
  if (declaredEntries > limits.maxZipEntries) {
    throw new AppError(
      'IMPORT_TOO_LARGE',
      `The file holds ${declaredEntries} parts; a workbook PatchDeck imports may hold at most ` +
        `${limits.maxZipEntries}. Save a copy with only the host list, then import that.`,
      { entries: declaredEntries, limit: limits.maxZipEntries },
    );
  }
  const entries: ZipEntry[] = [];
  let offset = directoryOffset;
  let expanded = 0;
  for (let n = 0; n < declaredEntries; n++) {
    if (offset + 46 > view.byteLength || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
      throw corrupt('its zip directory is damaged');
    }
    const compressedBytes = view.getUint32(offset + 20, true);
    const expandedBytes = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    if (expandedBytes === 0xffffffff || compressedBytes === 0xffffffff) throw zip64();
    const nameEnd = offset + 46 + nameLength;
    if (nameEnd > view.byteLength) throw corrupt('its zip directory is damaged');
    const name = new TextDecoder('utf-8').decode(bytes.subarray(offset + 46, nameEnd));
    expanded += expandedBytes;
    if (expanded > limits.maxExpandedBytes) {
      throw new AppError(
        'IMPORT_TOO_LARGE',
        `The file would expand to more than ${formatBytes(limits.maxExpandedBytes)} when opened ` +
          `(part "${name}" alone is ${formatBytes(expandedBytes)}), so it was not read. A host ` +
          'list is far smaller: save a copy with only the host list, then import that.',
        { part: name, limit: limits.maxExpandedBytes },
      );
    }
    entries.push({ name, compressedBytes, expandedBytes });
    offset = nameEnd + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(view: DataView): number {
  const last = view.byteLength - 22;
  const first = Math.max(0, last - 0xffff);
  for (let at = last; at >= first; at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  return -1;
}

function corrupt(why: string): AppError {
  return new AppError(
    'IMPORT_MALFORMED',
    `The file cannot be opened as a workbook: ${why}. Open it in the spreadsheet program, save ` +
      'it again, then import the saved copy.',
  );
}

function zip64(): AppError {
  return new AppError(
    'IMPORT_TOO_LARGE',
    'The file uses the ZIP64 layout for very large workbooks, which no host list needs. Save a ' +
      'copy with only the host list, then import that.',
  );
}
