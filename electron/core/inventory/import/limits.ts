/**
 * Limits on a file handed to an import, checked before parsing wherever the file allows it.
 *
 * A workbook is a zip of XML parts, so a small file can expand into gigabytes: the expanded size
 * declared by the zip directory is checked before any part is inflated, the parse runs in a worker
 * with a memory ceiling and a time limit, and the result is checked against the row, column and
 * cell limits.
 */
export type ImportLimits = {
  /** Bytes of the file itself. */
  maxFileBytes: number;
  /** Bytes of all parts of a zip container (xlsx, ods) once expanded. */
  maxExpandedBytes: number;
  /** Parts of a zip container. */
  maxZipEntries: number;
  /** Data rows below the header (spreadsheets) or hosts (Nmap). */
  maxRows: number;
  /** Columns of the header row. */
  maxColumns: number;
  /** Characters of one cell's text. */
  maxCellChars: number;
  /** Milliseconds the parse may take before the worker is stopped. */
  timeoutMs: number;
  /** Heap ceiling of the parse worker, in MiB. */
  workerHeapMb: number;
};

/** The limits PatchDeck uses; Excel itself stops at 1,048,576 rows and 16,384 columns. */
export const IMPORT_LIMITS: Readonly<ImportLimits> = {
  maxFileBytes: 32 * 1024 * 1024,
  maxExpandedBytes: 256 * 1024 * 1024,
  maxZipEntries: 2_000,
  maxRows: 100_000,
  maxColumns: 200,
  maxCellChars: 10_000,
  timeoutMs: 30_000,
  workerHeapMb: 1_024,
};

/** Formats a byte count for a message: "32 MiB", "812 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
