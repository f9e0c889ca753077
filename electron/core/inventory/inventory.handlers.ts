import { AppError } from '../../../shared/api/errors';
import type { Workspace } from '../db/workspace';
import type { Clock } from '../platform/clock';
import type { EventBus } from '../platform/events';
import type { AreaHandlers } from '../platform/handlers';
import type { IdGenerator } from '../platform/ids';
import type { Logger } from '../platform/logger';

import { EOL_SOON_DAYS, shippedEolDataset } from './eol';
import { hostHandlers, type HostOps } from './hosts.handlers';
import { countHostsByEol, getHostRows, listHostIds } from './hosts.repository';
import { requireActor, type InventoryContext } from './inventory.context';
import { Scanner, type PlannedRun, type ScannerOptions, type SshConnect } from './scanner';
import { sshConfigImportHandlers } from './ssh-config-import';
import { trustHandlers, type TrustOps } from './trust.handlers';
import { Vault } from './vault';

/** The operations the inventory serves (imports are served by their own handlers). */
export type InventoryOps =
  | HostOps
  | TrustOps
  | 'hosts.importSshConfig'
  | 'scans.start'
  | 'scans.get'
  | 'scans.active'
  | 'eol.info';

/** What the inventory needs from the core. */
export type InventoryDeps = {
  workspace: Workspace;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  log: Logger;
  /**
   * The cost of operator password hashes; the vault key is derived at twice that memory cost
   * (tests lower both).
   */
  scryptParams: { N: number; r: number; p: number };
  /** Scan timing and connection settings; the defaults suit production. */
  scanner?: Partial<ScannerOptions>;
  /** How scans open SSH sessions; the remote layer's `connect` unless a test says otherwise. */
  connect?: SshConnect;
};

/** The running inventory: its handlers, its vault and scanner, and how to stop it. */
export type Inventory = {
  handlers: AreaHandlers<InventoryOps>;
  vault: Vault;
  scanner: Scanner;
  /** Stops running scans and locks the vault; call before the workspace closes. */
  close(): Promise<void>;
};

function scanHandlers(
  ctx: InventoryContext,
): AreaHandlers<'scans.start' | 'scans.get' | 'scans.active' | 'eol.info'> {
  const { workspace, scanner, ids } = ctx;
  return {
    'scans.start': (input, call) => {
      const actor = requireActor(call.actor);
      const wanted = input.hostIds ? [...new Set(input.hostIds)] : listHostIds(workspace);
      const hosts = getHostRows(workspace, wanted);
      if (hosts.length !== wanted.length) {
        const known = new Set(hosts.map((h) => h.id));
        const missing = wanted.filter((id) => !known.has(id));
        throw new AppError(
          'HOST_NOT_FOUND',
          `${missing.length} of the chosen hosts are not in the inventory (any more). Reload the host list and try again.`,
          { hostIds: missing.slice(0, 100) },
        );
      }
      if (hosts.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'There are no hosts to scan. Add hosts first.', {
          issues: [{ path: 'hostIds', message: 'No hosts to scan.' }],
        });
      }
      const plan: PlannedRun = {
        id: ids.next('scanrun'),
        startedAt: call.now.toISOString(),
        startedBy: actor.username,
        concurrency: input.concurrency,
        hosts: hosts.map((h) => ({ scanId: ids.next('scan'), hostId: h.id, hostName: h.name })),
      };
      const first = hosts[0]!;
      call.describe(
        hosts.length === 1
          ? `Started a scan of ${first.name} (${first.address}:${first.port})`
          : `Started a scan of ${hosts.length} hosts`,
        {
          runId: plan.id,
          hostIds: hosts.length <= 1000 ? hosts.map((h) => h.id) : undefined,
          count: hosts.length,
          concurrency: input.concurrency,
        },
      );
      call.commit((tx) => scanner.record(tx, plan));
      scanner.launch(plan);
      return Promise.resolve({ runId: plan.id, total: hosts.length });
    },

    'scans.get': (input) => {
      const run = scanner.get(input.runId);
      if (!run) {
        throw new AppError('SCAN_NOT_FOUND', 'That scan run is not known.', { runId: input.runId });
      }
      return Promise.resolve(run);
    },

    'scans.active': () => Promise.resolve(scanner.activeRuns()),

    'eol.info': (_input, call) => {
      const dataset = shippedEolDataset();
      return Promise.resolve({
        capturedAt: dataset.capturedAt,
        source: dataset.source,
        products: dataset.products.map((p) => ({
          product: p.product,
          cycles: p.cycles.map((c) => ({ cycle: c.cycle, eolDate: c.eolDate })),
        })),
        soonDays: EOL_SOON_DAYS,
        hosts: countHostsByEol(workspace, call.now),
      });
    },
  };
}

/**
 * Starts the inventory: the vault (locked), the scanner (closing runs a previous core left
 * unfinished) and the handlers of hosts, scans, host keys, credentials, vault and EOL.
 */
export function createInventory(deps: InventoryDeps): Inventory {
  const vault = new Vault(deps.workspace, {
    N: deps.scryptParams.N * 2,
    r: deps.scryptParams.r,
    p: deps.scryptParams.p,
  });
  const scanner = new Scanner({
    workspace: deps.workspace,
    clock: deps.clock,
    ids: deps.ids,
    events: deps.events,
    log: deps.log,
    vault,
    ...(deps.scanner ? { options: deps.scanner } : {}),
    ...(deps.connect ? { connect: deps.connect } : {}),
  });
  scanner.recoverUnfinishedRuns();
  const ctx: InventoryContext = { ...deps, vault, scanner };
  return {
    handlers: {
      ...hostHandlers(ctx),
      ...sshConfigImportHandlers(ctx),
      ...trustHandlers(ctx),
      ...scanHandlers(ctx),
    },
    vault,
    scanner,
    async close() {
      try {
        await scanner.close();
      } finally {
        vault.lock();
      }
    },
  };
}
