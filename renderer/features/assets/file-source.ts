import type { IMPORT_FORMATS } from '../../../shared/domain/assets';

/** One file format an import reads. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The largest file the browser reads for an import (the core accepts 48 MiB of base64). */
export const MAX_IMPORT_BYTES = 35 * 1024 * 1024;

/** The format a file's name suggests, or undefined when the name says nothing useful. */
export function formatFromName(fileName: string): ImportFormat | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  switch (ext) {
    case 'csv':
    case 'txt':
      return 'csv';
    case 'xlsx':
      return 'xlsx';
    case 'xls':
      return 'xls';
    case 'ods':
      return 'ods';
    case 'xml':
      return 'nmap-xml';
    case undefined:
    default:
      return undefined;
  }
}

/** Human names of the formats. */
export const FORMAT_LABELS: Readonly<Record<ImportFormat, string>> = {
  csv: 'CSV (comma-separated)',
  xlsx: 'Excel workbook (.xlsx)',
  xls: 'Excel 97–2003 workbook (.xls)',
  ods: 'OpenDocument spreadsheet (.ods)',
  'nmap-xml': 'Nmap XML output (nmap -oX)',
};

/** Reads a file chosen in the page as base64, for the core to parse; nothing else touches it. */
export async function readFileAsBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const CHUNK = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}
