import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../../../electron/core/db/migrations/index';
import { openWorkspace, type DurableWorkspace } from '../../../electron/core/db/open-workspace';
import {
  createInventory,
  type Inventory,
} from '../../../electron/core/inventory/inventory.handlers';
import { systemClock } from '../../../electron/core/platform/clock';
import { createEventBus } from '../../../electron/core/platform/events';
import type { HandlerContext } from '../../../electron/core/platform/handlers';
import { countingIds } from '../../../electron/core/platform/ids';
import { memoryLogger } from '../../../electron/core/platform/logger';
import { DETECT_COMMAND } from '../../../electron/core/remote/facts/detect';
import type { RemoteSession } from '../../../electron/core/remote/session';
import { connect } from '../../../electron/core/remote/ssh-connection';
import { operations, type OpName, type OpOutput } from '../../../shared/api/contract';
import type { ScanRun } from '../../../shared/domain/assets';
import { makeTempDir, removeTempDirs } from '../../helpers/db-test-kit';
import { startLab, type Lab } from '../../lab/lab';

/*
 * Scans real lab hosts and watches what the scanner writes and sends: results of hosts that
 * finish together share one workspace transaction, a host counts as done only once its result is
 * on disk, a host scanned before gets no OS probe, and a host whose OS changed is re-detected.
 */

const BATCH = 3;

describe('scanning: batched results, no probe for known hosts', () => {
  let lab: Lab;
  let ws: DurableWorkspace;
  let inventory: Inventory;
  const events: { event: string; payload: Record<string, unknown> }[] = [];
  /** Commands each host was sent, by address. */
  const sent = new Map<string, string[]>();
  /** Workspace transactions, counted while a scan runs. */
  let transactions = 0;
  const ids: string[] = [];
  let rpmHostId = '';

  const ctx = (): HandlerContext => ({
    actor: {
      operatorId: 'op_admin',
      username: 'admin',
      displayName: 'Administrator',
      roles: ['administrator'],
      approverTeams: [],
    },
    session: undefined,
    now: new Date(),
    commit: (fn) => ws.transaction(fn),
    describe: () => undefined,
    identify: () => undefined,
  });

  async function call<N extends OpName>(op: N, input: unknown): Promise<OpOutput<N>> {
    const parsed = operations[op].input.parse(input) as never;
    const handler = (inventory.handlers as Record<string, unknown>)[op] as (
      i: never,
      c: HandlerContext,
    ) => Promise<OpOutput<N>>;
    return handler(parsed, ctx());
  }

  /** Scans every host; returns the run, the transactions it took after starting, and events. */
  async function scanAll(): Promise<{ run: ScanRun; transactions: number; from: number }> {
    sent.clear();
    const from = events.length;
    const { runId } = await call('scans.start', { hostIds: ids, concurrency: ids.length });
    transactions = 0;
    await inventory.scanner.whenFinished(runId);
    return { run: await call('scans.get', { runId }), transactions, from };
  }

  function recordingSession(session: RemoteSession): RemoteSession {
    const log = sent.get(session.endpoint.address) ?? [];
    sent.set(session.endpoint.address, log);
    return {
      get endpoint() {
        return session.endpoint;
      },
      get isOpen() {
        return session.isOpen;
      },
      run: (command, options) => {
        log.push(command.text);
        return session.run(command, options);
      },
      runChecked: (command, options) => {
        log.push(command.text);
        return session.runChecked(command, options);
      },
      close: () => session.close(),
    };
  }

  beforeAll(async () => {
    lab = await startLab({ hosts: [{}, {}, {}, {}, {}, {}, {}, { rpm: true }] });
    const dir = makeTempDir();
    ws = await openWorkspace({
      dir,
      clock: systemClock,
      log: memoryLogger(),
      migrations: MIGRATIONS,
    });
    const transaction = ws.transaction.bind(ws);
    ws.transaction = (fn) => {
      transactions += 1;
      return transaction(fn);
    };
    const bus = createEventBus(memoryLogger());
    bus.subscribe((event, payload) => {
      const entry = { event, payload: payload as Record<string, unknown> };
      // A host counts as done only once its result is in the workspace.
      if (event === 'scans.progress' && entry.payload['state'] === 'done') {
        const host = ws.get('SELECT last_scan_status FROM hosts WHERE id = ?', [
          String(entry.payload['hostId']),
        ]);
        const run = inventory.scanner.get(String(entry.payload['runId']));
        entry.payload = {
          ...entry.payload,
          storedStatus: host?.['last_scan_status'] ?? null,
          runStillGoing: run?.finishedAt === null,
        };
      }
      events.push(entry);
    });
    inventory = createInventory({
      workspace: ws,
      clock: systemClock,
      ids: countingIds(),
      events: bus,
      log: memoryLogger(),
      scryptParams: { N: 2 ** 10, r: 8, p: 1 },
      // A long window: every flush here comes from the size limit or the end of the run.
      scanner: { batchWindowMs: 60_000, batchMaxHosts: BATCH },
      connect: async (target, deps) => recordingSession(await connect(target, deps)),
    });
    const credential = await call('credentials.create', {
      name: 'patchsvc key',
      kind: 'key',
      keyPath: lab.hosts[0]!.userKeyPath,
      sudo: 'none',
    });
    for (const host of lab.hosts) {
      const created = await call('hosts.create', {
        name: host.name,
        address: host.address,
        port: host.port,
        username: 'patchsvc',
        credentialId: credential.id,
      });
      ids.push(created.id);
    }
    rpmHostId = ids[ids.length - 1]!;
    const imported = await call('hostKeys.importKnownHosts', {
      source: { path: lab.knownHostsFile() },
    });
    expect(imported.pinned).toBeGreaterThanOrEqual(lab.hosts.length);
  }, 600_000);

  afterAll(async () => {
    await inventory?.close();
    await ws?.close();
    await lab?.stop();
    removeTempDirs();
  }, 300_000);

  it('writes the results of 8 hosts in 3 transactions, each host done once it is stored', async () => {
    const { run, transactions: used, from } = await scanAll();
    expect(run.hosts.map((h) => h.outcome?.status)).toEqual(ids.map(() => 'ok'));
    // 8 results, at most 3 per transaction: 3 + 3, then 2 with the end of the run.
    expect(used).toBe(Math.ceil(ids.length / BATCH));
    const during = events.slice(from);
    const done = during.filter(
      (e) => e.event === 'scans.progress' && e.payload['state'] === 'done',
    );
    expect(done).toHaveLength(ids.length);
    expect(done.every((e) => e.payload['storedStatus'] === 'ok')).toBe(true);
    // Two batches were reported while the run went on; the last one with the end of the run.
    expect(done.map((e) => e.payload['runStillGoing'])).toEqual([
      ...Array<boolean>(2 * BATCH).fill(true),
      ...Array<boolean>(ids.length - 2 * BATCH).fill(false),
    ]);
    expect(run.finishedAt).not.toBeNull();
    // Hosts never scanned were probed for their OS first.
    for (const host of lab.hosts) expect(sent.get(host.address)?.[0]).toBe(DETECT_COMMAND.text);
    expect((await call('hosts.get', { hostId: rpmHostId })).osFamily).toBe('rhel');
  }, 300_000);

  it('sends no OS probe to hosts scanned before', async () => {
    const { run } = await scanAll();
    expect(run.hosts.every((h) => h.outcome?.status === 'ok')).toBe(true);
    for (const host of lab.hosts) {
      expect(sent.get(host.address)).toHaveLength(1);
      expect(sent.get(host.address)?.[0]).not.toBe(DETECT_COMMAND.text);
    }
  }, 300_000);

  it('re-detects a host whose OS changed since its last scan', async () => {
    // The inventory believes the RPM host runs Debian (as if it was reinstalled since).
    ws.transaction((tx) =>
      tx.run(`UPDATE hosts SET os_family = 'debian' WHERE id = ?`, [rpmHostId]),
    );
    const { run } = await scanAll();
    expect(run.hosts.every((h) => h.outcome?.status === 'ok')).toBe(true);
    const rpmHost = lab.hosts[lab.hosts.length - 1]!;
    const commands = sent.get(rpmHost.address) ?? [];
    expect(commands).toHaveLength(3);
    expect(commands[0]).toContain('dpkg-query');
    expect(commands[1]).toBe(DETECT_COMMAND.text);
    expect(commands[2]).toContain('rpm -qa');
    expect((await call('hosts.get', { hostId: rpmHostId })).osFamily).toBe('rhel');
  }, 300_000);
});
