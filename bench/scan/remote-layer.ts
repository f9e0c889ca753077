// The remote layer on its own (no core, no workspace): to see which part of a PatchDeck scan
// costs what. Same hosts, key, host-key checks and concurrency as the other contenders.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { systemClock } from '../../electron/core/platform/clock';
import { sh } from '../../electron/core/remote/command';
import { collectFacts } from '../../electron/core/remote/facts/collect';
import {
  entryMatches,
  parseKnownHosts,
  type HostKeyPolicy,
} from '../../electron/core/remote/host-keys';
import { RunPool } from '../../electron/core/remote/pool';
import { connect, type Target } from '../../electron/core/remote/ssh-connection';

import { parseDpkgQueryW, type BenchHost, type Contender, type PackageLists } from './common';

/** Trusts exactly the keys listed for a host in an OpenSSH known_hosts file. */
export function knownHostsPolicy(knownHostsFile: string): HostKeyPolicy {
  const { entries } = parseKnownHosts(readFileSync(knownHostsFile, 'utf8'));
  const matching = (address: string, port: number) =>
    entries.filter((e) => e.marker === null && entryMatches(e, address, port));
  return {
    check: (key) =>
      matching(key.address, key.port).some((e) => e.fingerprint === key.fingerprint)
        ? { status: 'trusted' }
        : { status: 'unknown' },
    pinnedKeyTypes: (address, port) => matching(address, port).map((e) => e.keyType),
  };
}

/** What each host runs once connected. */
export type RemoteWork = 'facts' | 'facts-known-family' | 'dpkg-query';

const LABELS: Readonly<Record<RemoteWork, string>> = {
  facts: 'remote layer only: connect + `collectFacts` (as the scanner calls it)',
  'facts-known-family': 'remote layer only: connect + `collectFacts` with the family given',
  'dpkg-query': 'remote layer only: connect + `dpkg-query -W`',
};

function targetOf(host: BenchHost, user: string): Target {
  return {
    address: host.address,
    port: host.port,
    username: user,
    auth: { kind: 'key', privateKeyPath: host.keyPath },
    connectTimeoutMs: 15_000,
    keepaliveIntervalMs: 10_000,
  };
}

/**
 * The remote layer's pool and connect (ssh2) with one kind of work per host, in this process:
 * no workspace, no events, no dispatcher.
 */
export function remoteLayer(work: RemoteWork): Contender {
  return {
    label: LABELS[work],
    async run(ctx) {
      const policy = knownHostsPolicy(ctx.knownHostsFile);
      const lists: PackageLists = new Map();
      const t0 = performance.now();
      const pool = new RunPool({
        connect: (target) => connect(target, { hostKeys: policy }),
        concurrency: ctx.concurrency,
      });
      try {
        const outcomes = await pool.forEachHost(ctx.hosts, async (host) => {
          const session = await pool.session(targetOf(host, ctx.user));
          if (work === 'dpkg-query') {
            const result = await session.runChecked(sh`dpkg-query -W`);
            lists.set(host.name, parseDpkgQueryW(result.stdout));
          } else {
            const facts = await collectFacts(session, {
              clock: systemClock,
              ...(work === 'facts-known-family' ? { family: 'debian' as const } : {}),
            });
            lists.set(host.name, new Set(facts.packages.map((p) => `${p.name}=${p.version}`)));
          }
          // Each host's connection ends with its work, as the OpenSSH fan-out's does.
          await session.close();
        });
        const failed = outcomes.filter((o) => o.status === 'rejected');
        if (failed.length > 0) {
          throw new Error(
            `The remote layer failed on ${failed.length} hosts: ${String((failed[0] as PromiseRejectedResult).reason)}`,
          );
        }
      } finally {
        await pool.close();
      }
      const ms = performance.now() - t0;
      return { ms, read: () => Promise.resolve(lists) };
    },
  };
}
