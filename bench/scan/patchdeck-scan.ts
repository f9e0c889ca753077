// PatchDeck as a user runs it: a core over a fresh workspace, an administrator, a key credential,
// the hosts, their host keys pinned from known_hosts; then `scans.start` until `scans.finished`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

import { createCore, type Core } from '../../electron/core/core';
import { fileLogger } from '../../electron/core/platform/logger';
import { createApiClient, type ApiClient, type Transport } from '../../shared/api/client';
import type { EventPayload } from '../../shared/api/events';

import type { BenchHost, Contender, PackageLists, RunContext } from './common';

/** The administrator's password in the benchmark's throwaway workspace. */
const ADMIN_PASSWORD = 'Granite-Meadow-Lantern-58';

/** How long each host spent in each phase of a run, from the `scans.progress` events. */
export type PhaseTimes = {
  /** Queued until its turn came (waiting for a free slot). */
  queuedMs: number[];
  /** `connecting` until `collecting`: TCP, handshake, host-key check, authentication. */
  connectMs: number[];
  /** `collecting` until `done`: the facts command, parsing, and the workspace transaction. */
  collectMs: number[];
  /**
   * Each workspace transaction during the runs (the results of one or several hosts that finished
   * together, journal fdatasync included).
   */
  transactionMs: number[];
  /** Per run: the event loop's worst delay and its 99th percentile (a blocked loop stalls SSH). */
  loopDelayMaxMs: number[];
  loopDelayP99Ms: number[];
};

/** An empty {@link PhaseTimes}. */
export function emptyPhaseTimes(): PhaseTimes {
  return {
    queuedMs: [],
    connectMs: [],
    collectMs: [],
    transactionMs: [],
    loopDelayMaxMs: [],
    loopDelayP99Ms: [],
  };
}

/** Empties every list of a {@link PhaseTimes} (it is shared with a running contender). */
export function clearPhaseTimes(phases: PhaseTimes): void {
  for (const list of Object.values<number[]>(phases)) list.length = 0;
}

/**
 * Times every workspace transaction of the core while `recording()` says so, by wrapping the
 * workspace's `transaction` method (the call itself is unchanged).
 */
function timeTransactions(core: Core, into: () => number[] | undefined): void {
  const workspace = core.workspace;
  const original = workspace.transaction.bind(workspace);
  workspace.transaction = (fn) => {
    const samples = into();
    if (!samples) return original(fn);
    const t0 = performance.now();
    try {
      return original(fn);
    } finally {
      samples.push(performance.now() - t0);
    }
  };
}

function inProcessTransport(core: Core): Transport {
  return {
    call: (op, input, session) => core.dispatch(op, input, { session }),
    subscribe: (listener) => core.events.subscribe(listener),
  };
}

type Setup = { core: Core; client: ApiClient; dir: string; hostIds: Map<string, string> };

async function setUp(ctx: RunContext, sudo: 'none' | 'nopasswd'): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'patchdeck-bench-core-'));
  const core = await createCore({
    workspaceDir: dir,
    transport: 'in-process',
    log: fileLogger(join(dir, 'core.log'), false),
  });
  const client = createApiClient(inProcessTransport(core));
  const session = await client.call('auth.setupAdmin', {
    username: 'admin',
    displayName: 'Site Administrator',
    password: ADMIN_PASSWORD,
  });
  client.setSession(session.token);
  const keyPath = ctx.hosts[0]?.keyPath;
  if (keyPath === undefined || ctx.hosts.some((h) => h.keyPath !== keyPath)) {
    throw new Error('The PatchDeck run expects one key for every host.');
  }
  const credential = await client.call('credentials.create', {
    name: `${ctx.user} (lab key)`,
    kind: 'key',
    keyPath,
    sudo,
  });
  const hostIds = new Map<string, string>();
  for (const host of ctx.hosts) {
    const created = await client.call('hosts.create', {
      name: host.name,
      address: host.address,
      port: host.port,
      username: ctx.user,
      credentialId: credential.id,
    });
    hostIds.set(host.name, created.id);
  }
  const imported = await client.call('hostKeys.importKnownHosts', {
    source: { path: ctx.knownHostsFile },
  });
  if (imported.pinned < ctx.hosts.length) {
    throw new Error(`Only ${imported.pinned} host keys were pinned for ${ctx.hosts.length} hosts.`);
  }
  return { core, client, dir, hostIds };
}

/**
 * PatchDeck's scan through the core. `sudo: 'nopasswd'` is the credential's default: each scan
 * then also proves `sudo -n true` works (one more command per host); `none` skips that check.
 */
export function patchDeckScan(options: {
  sudo: 'none' | 'nopasswd';
  phases?: PhaseTimes;
}): Contender {
  let setup: Setup | undefined;
  let recording = false;
  return {
    label:
      options.sudo === 'none'
        ? 'PatchDeck `scans.start` (credential without sudo)'
        : 'PatchDeck `scans.start` (credential with sudo check, the default)',
    async run(ctx) {
      if (!setup) {
        setup = await setUp(ctx, options.sudo);
        const phases = options.phases;
        if (phases)
          timeTransactions(setup.core, () => (recording ? phases.transactionMs : undefined));
      }
      const { client, hostIds } = setup;
      const ids = ctx.hosts.map((h) => hostIds.get(h.name)!);
      const finished = new Map<string, EventPayload<'scans.finished'>>();
      const waiters = new Map<string, () => void>();
      const marks = new Map<string, Map<string, number>>();
      const stopFinished = client.on('scans.finished', (event) => {
        finished.set(event.runId, event);
        waiters.get(event.runId)?.();
      });
      const stopProgress = client.on('scans.progress', (event) => {
        const perHost = marks.get(event.hostId) ?? new Map<string, number>();
        perHost.set(event.state, performance.now());
        marks.set(event.hostId, perHost);
      });
      const loop = monitorEventLoopDelay({ resolution: 5 });
      try {
        recording = options.phases !== undefined;
        loop.enable();
        const t0 = performance.now();
        const { runId } = await client.call('scans.start', {
          hostIds: ids,
          concurrency: ctx.concurrency,
        });
        const result =
          finished.get(runId) ??
          (await new Promise<EventPayload<'scans.finished'>>((resolve) => {
            waiters.set(runId, () => resolve(finished.get(runId)!));
          }));
        const ms = performance.now() - t0;
        loop.disable();
        recording = false;
        if (result.failed > 0 || result.ok !== ids.length) {
          const run = await client.call('scans.get', { runId });
          const failures = run.hosts
            .filter((h) => h.outcome?.status === 'failed')
            .map((h) => `${h.hostName}: ${h.outcome?.message ?? ''}`);
          throw new Error(
            `PatchDeck failed to scan ${result.failed} hosts:\n${failures.join('\n')}`,
          );
        }
        if (options.phases) {
          for (const perHost of marks.values()) {
            const connecting = perHost.get('connecting');
            const collecting = perHost.get('collecting');
            const done = perHost.get('done');
            if (connecting === undefined || collecting === undefined || done === undefined)
              continue;
            options.phases.queuedMs.push(connecting - t0);
            options.phases.connectMs.push(collecting - connecting);
            options.phases.collectMs.push(done - collecting);
          }
          options.phases.loopDelayMaxMs.push(loop.max / 1e6);
          options.phases.loopDelayP99Ms.push(loop.percentile(99) / 1e6);
        }
        return { ms, read: () => readPackages(client, ctx.hosts, hostIds) };
      } finally {
        loop.disable();
        recording = false;
        stopFinished();
        stopProgress();
      }
    },
    async close() {
      if (!setup) return;
      await setup.core.close();
      rmSync(setup.dir, { recursive: true, force: true });
    },
  };
}

async function readPackages(
  client: ApiClient,
  hosts: readonly BenchHost[],
  hostIds: ReadonlyMap<string, string>,
): Promise<PackageLists> {
  const lists: PackageLists = new Map();
  for (const host of hosts) {
    const page = await client.call('hosts.packages', {
      hostId: hostIds.get(host.name)!,
      limit: 5000,
    });
    if (page.total > page.packages.length) {
      throw new Error(`${host.name} has more than ${page.packages.length} packages.`);
    }
    lists.set(host.name, new Set(page.packages.map((p) => `${p.name}=${p.version}`)));
  }
  return lists;
}
