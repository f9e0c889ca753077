import { AppError } from '../../../../shared/api/errors';
import type { ImportMapping } from '../../../../shared/domain/assets';
import type { ReadDb, Workspace } from '../../db/workspace';
import type { Clock } from '../../platform/clock';
import type { EventBus } from '../../platform/events';
import type { AreaHandlers, HandlerContext } from '../../platform/handlers';
import type { IdGenerator } from '../../platform/ids';

import { applyDecisions } from './apply';
import {
  linkSourceHosts,
  readInventoryView,
  readRememberedMapping,
  rememberSource,
} from './imports.repository';
import { IMPORT_LIMITS, type ImportLimits } from './limits';
import {
  applicableMapping,
  checkMapping,
  guessMapping,
  NMAP_MAPPING,
  sourceNameOf,
} from './mapping';
import { loadSource, parseInWorker } from './parse-file';
import { reconcile } from './reconcile';
import { toCandidates } from './rows';
import { ImportStaging, type StagedImport } from './staging';

/** Rows a preview shows. */
const SAMPLE_ROWS = 20;

/** What the import handlers need from the core. */
export type ImportDeps = {
  workspace: Workspace;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  /** Limits on import files; tests lower them. */
  limits?: ImportLimits;
};

function operatorOf(ctx: HandlerContext): string {
  if (!ctx.actor) throw new Error('imports need a logged-in operator');
  return ctx.actor.operatorId;
}

/**
 * Handlers of importing hosts from CMDB spreadsheets and Nmap scans: preview (read the file in a
 * worker, offer a mapping), reconcile (compare with the inventory) and apply (the operator's
 * decisions, in one transaction).
 */
export function importHandlers(
  deps: ImportDeps,
): AreaHandlers<'imports.preview' | 'imports.reconcile' | 'imports.apply'> {
  const staging = new ImportStaging(deps.clock);
  const limits = deps.limits ?? IMPORT_LIMITS;

  const plan = (db: ReadDb, staged: StagedImport, mapping: ImportMapping) => {
    checkMapping(mapping, staged.table.columns);
    const candidates = toCandidates(staged.table, mapping);
    return reconcile(
      candidates,
      readInventoryView(db, staged.sourceName),
      staged.table.format,
      mapping,
    );
  };

  return {
    'imports.preview': async (input, ctx) => {
      const operatorId = operatorOf(ctx);
      const file = await loadSource(input.source, limits);
      const table = await parseInWorker(file, input.format, input.sheet, limits);
      const sourceName = sourceNameOf(table);
      const remembered = readRememberedMapping(deps.workspace, sourceName);
      const mapping = remembered
        ? applicableMapping(remembered, table.columns)
        : table.format === 'nmap-xml'
          ? NMAP_MAPPING
          : guessMapping(table.columns);
      const staged = staging.add({
        id: deps.ids.next('import'),
        operatorId,
        fileName: file.fileName,
        sourceName,
        table,
      });
      ctx.describe(
        `Read ${file.fileName} for import (${input.format}, ${table.rows.length} rows)`,
        {
          fileName: file.fileName,
          format: input.format,
          sheet: table.sheet,
          rowCount: table.rows.length,
          sourceName,
          mappingRemembered: remembered !== undefined,
        },
      );
      return {
        importId: staged.id,
        sourceName,
        sheets: table.sheets,
        columns: table.columns,
        sampleRows: table.rows.slice(0, SAMPLE_ROWS),
        rowCount: table.rows.length,
        mapping,
        mappingRemembered: remembered !== undefined,
      };
    },

    'imports.reconcile': (input, ctx) => {
      const staged = staging.get(input.importId, operatorOf(ctx));
      const result = plan(deps.workspace, staged, input.mapping).reconciliation;
      staged.mapping = input.mapping;
      const counts = {
        rowCount: staged.table.rows.length,
        newHosts: result.newHosts.length,
        mismatches: result.mismatches.length,
        neverReached: result.neverReached.length,
        notInSource: result.notInSource.length,
        unchanged: result.unchanged,
      };
      ctx.describe(
        `Reconciled ${staged.fileName} with the inventory: ${counts.newHosts} new, ` +
          `${counts.mismatches} differences, ${counts.neverReached} never reached, ` +
          `${counts.notInSource} not in the source`,
        { fileName: staged.fileName, format: staged.table.format, ...counts },
      );
      return Promise.resolve({
        importId: staged.id,
        sourceName: staged.sourceName,
        rowCount: staged.table.rows.length,
        ...result,
      });
    },

    'imports.apply': (input, ctx) => {
      const operatorId = operatorOf(ctx);
      const staged = staging.get(input.importId, operatorId);
      const mapping = staged.mapping;
      if (!mapping) {
        throw new AppError(
          'IMPORT_MAPPING_INVALID',
          'This import has not been reconciled yet. Confirm the column mapping and review the ' +
            'reconciliation, then apply your decisions.',
          { importId: staged.id },
        );
      }
      const at = ctx.now.toISOString();
      const decided = {
        add: 0,
        skip: 0,
        takeSource: 0,
        keepInventory: 0,
        keep: 0,
        remove: 0,
        later: 0,
      };
      for (const d of input.decisions) {
        if (d.decision === 'take-source') decided.takeSource += 1;
        else if (d.decision === 'keep-inventory') decided.keepInventory += 1;
        else decided[d.decision] += 1;
      }
      const counts = ctx.commit((tx) => {
        const result = applyDecisions(tx, plan(tx, staged, mapping), input.decisions, {
          format: staged.table.format,
          at,
          ids: deps.ids,
        });
        linkSourceHosts(tx, staged.sourceName, result.described, at);
        rememberSource(tx, {
          sourceName: staged.sourceName,
          format: staged.table.format,
          columns: staged.table.columns,
          mapping,
          fileName: staged.fileName,
          importedBy: ctx.actor?.username ?? operatorId,
          at,
        });
        const { added, updated, removed, deferred } = result;
        ctx.describe(
          `Imported ${staged.fileName}: ${added} hosts added, ${updated} updated, ${removed} ` +
            `removed, ${deferred} decisions deferred`,
          {
            fileName: staged.fileName,
            format: staged.table.format,
            sourceName: staged.sourceName,
            rowCount: staged.table.rows.length,
            added,
            updated,
            removed,
            deferred,
            decisions: decided,
          },
        );
        return { added, updated, removed, deferred };
      });
      staging.remove(staged.id);
      deps.events.emit('hosts.changed', { hostIds: 'all' });
      return Promise.resolve(counts);
    },
  };
}
