import { AppError } from '../../../shared/api/errors';
import type { Workspace } from '../db/workspace';
import type { Clock } from '../platform/clock';
import type { AreaHandlers } from '../platform/handlers';

import { verifyAuditChain } from './audit-chain';
import { findAuditRecord, listAuditRecords } from './audit.repository';

/** Gives the event loop back between batches of a long walk. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Handlers of reading and verifying the audit log. */
export function auditHandlers(deps: {
  workspace: Workspace;
  clock: Clock;
}): AreaHandlers<'audit.list' | 'audit.get' | 'audit.verify'> {
  return {
    'audit.list': (input) =>
      Promise.resolve(
        listAuditRecords(deps.workspace, input.filter, {
          beforeSeq: input.beforeSeq,
          limit: input.limit,
        }),
      ),
    'audit.get': (input) => {
      const record = findAuditRecord(deps.workspace, input.seq);
      if (!record) {
        throw new AppError('AUDIT_RECORD_NOT_FOUND', `There is no audit record #${input.seq}.`);
      }
      return Promise.resolve(record);
    },
    'audit.verify': async () => {
      const result = await verifyAuditChain(deps.workspace, { yieldEvery: breathe });
      return { ...result, verifiedAt: deps.clock.now().toISOString() };
    },
  };
}
