import { AppError } from '../../../../shared/api/errors';
import type { ImportMapping } from '../../../../shared/domain/assets';
import type { Clock } from '../../platform/clock';

import type { ParsedTable } from './table';

/** A file read and waiting in the core's memory for its mapping, reconciliation and apply. */
export type StagedImport = {
  id: string;
  operatorId: string;
  fileName: string;
  sourceName: string;
  table: ParsedTable;
  /** The mapping of the latest reconciliation; apply uses it. */
  mapping: ImportMapping | null;
  /** When the import expires, in ms since the epoch; every use pushes it back. */
  expiresAt: number;
};

/** How long a staged import waits without being used. */
export const STAGED_IMPORT_TTL_MS = 30 * 60_000;

/** How many imports may wait at once; the least recently used goes first. */
export const MAX_STAGED_IMPORTS = 8;

/**
 * Imports waiting between preview and apply, held in memory only (a file is never written to the
 * workspace). Each belongs to the operator who opened it and expires after 30 minutes unused.
 */
export class ImportStaging {
  private readonly imports = new Map<string, StagedImport>();

  constructor(private readonly clock: Clock) {}

  /** Keeps a new import; evicts expired ones and, over the cap, the least recently used. */
  add(entry: Omit<StagedImport, 'expiresAt' | 'mapping'>): StagedImport {
    this.sweep();
    while (this.imports.size >= MAX_STAGED_IMPORTS) {
      const oldest = this.imports.keys().next().value;
      if (oldest === undefined) break;
      this.imports.delete(oldest);
    }
    const staged: StagedImport = {
      ...entry,
      mapping: null,
      expiresAt: this.clock.now().getTime() + STAGED_IMPORT_TTL_MS,
    };
    this.imports.set(staged.id, staged);
    return staged;
  }

  /** The operator's import, touched; IMPORT_NOT_FOUND when it expired, was applied or is theirs. */
  get(id: string, operatorId: string): StagedImport {
    this.sweep();
    const staged = this.imports.get(id);
    if (!staged || staged.operatorId !== operatorId) {
      throw new AppError(
        'IMPORT_NOT_FOUND',
        `Import ${id} is not open: it expired (imports wait ${STAGED_IMPORT_TTL_MS / 60_000} ` +
          'minutes), was already applied, or was opened by another operator. Choose the file again.',
        { importId: id },
      );
    }
    this.imports.delete(id);
    staged.expiresAt = this.clock.now().getTime() + STAGED_IMPORT_TTL_MS;
    this.imports.set(id, staged);
    return staged;
  }

  /** Forgets an import (after it was applied). */
  remove(id: string): void {
    this.imports.delete(id);
  }

  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [id, staged] of this.imports) if (staged.expiresAt <= now) this.imports.delete(id);
  }
}
