import { AppError } from '../../../../shared/api/errors';

import type { ImportLimits } from './limits';
import { parseNmapXml } from './nmap';
import { parseSpreadsheet } from './spreadsheet';
import type { ImportFormat, ParsedTable } from './table';

/** What the core asks the import worker to parse. */
export type ParseRequest = {
  bytes: Uint8Array;
  format: ImportFormat;
  sheet: string | undefined;
  limits: ImportLimits;
};

/** The prototypes a hostile file could try to extend, read as the names of their own keys. */
function prototypeShape(): string {
  return [Object.prototype, Array.prototype, String.prototype, Function.prototype]
    .map((proto) => Reflect.ownKeys(proto).map(String).sort().join(','))
    .join('|');
}

/**
 * Parses a file in the import worker, and refuses the result if parsing changed any built-in
 * prototype (prototype pollution): the worker is thrown away after one file either way, so a
 * polluted thread never parses anything else and never touches the core.
 */
export function parseIsolated(request: ParseRequest): ParsedTable {
  return guardPrototypes(() =>
    request.format === 'nmap-xml'
      ? parseNmapXml(request.bytes, request.limits)
      : parseSpreadsheet(request.bytes, request.format, request.sheet, request.limits),
  );
}

/** Runs `parse` and throws IMPORT_MALFORMED if a built-in prototype gained or lost a key. */
export function guardPrototypes<T>(parse: () => T): T {
  const before = prototypeShape();
  const result = parse();
  if (prototypeShape() !== before) {
    throw new AppError(
      'IMPORT_MALFORMED',
      'The file contains content crafted to change how PatchDeck works (prototype pollution); ' +
        'it was refused and nothing was imported. Report the file to your security team.',
    );
  }
  return result;
}
