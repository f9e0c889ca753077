import { randomBytes } from 'node:crypto';

import { AppError } from '../../../../shared/api/errors';
import {
  HostFactsSchema,
  type HostFacts,
  type OsFamily,
} from '../../../../shared/domain/host-facts';
import type { Clock } from '../../platform/clock';
import type { RemoteSession } from '../session';

import type { FactsAdapter } from './adapter';
import { debianAdapter } from './debian';
import { detectFamily } from './detect';
import { macosAdapter } from './macos';
import { rhelAdapter } from './rhel';
import { windowsAdapter } from './windows';

/** The adapter for each OS family PatchDeck can scan. */
export const FACTS_ADAPTERS: Readonly<Record<Exclude<OsFamily, 'unknown'>, FactsAdapter>> = {
  debian: debianAdapter,
  rhel: rhelAdapter,
  windows: windowsAdapter,
  macos: macosAdapter,
};

/** Output beyond this is refused rather than parsed: no real host prints that much. */
export const MAX_FACTS_OUTPUT_CHARS = 64 * 1024 * 1024;

/** Options for {@link collectFacts}. */
export type CollectFactsOptions = {
  /**
   * The family when already known (from the inventory): its script runs with no probe first.
   * Should that script fail, the family is detected once and, if the host now runs another one
   * (it was reinstalled), that family's script runs. Without it, one probe comes first.
   */
  family?: OsFamily;
  /** Stamps `collectedAt`. */
  clock: Clock;
  /** Section nonce; fresh random bytes unless a test fixes it. */
  nonce?: string;
};

/**
 * Collects what a host runs: OS, kernel, uptime, disks, reboot flag, packages, listening sockets
 * and containers, with one batched command (plus one probe when the family is not known, or
 * when the known family's script fails).
 *
 * Needs no root: every part reads what an ordinary account may read. Throws `AppError` when the
 * family cannot be told or an essential part (OS identity, package list) is missing.
 */
export async function collectFacts(
  session: RemoteSession,
  options: CollectFactsOptions,
): Promise<HostFacts> {
  const known =
    options.family !== undefined && options.family !== 'unknown' ? options.family : null;
  if (known === null) return collectAs(session, await detectFamily(session), options);
  try {
    return await collectAs(session, known, options);
  } catch (error) {
    // A script that ran but did not give what its family must: the host may run another OS now.
    if (!(error instanceof AppError) || error.code !== 'REMOTE_COMMAND_FAILED' || !session.isOpen) {
      throw error;
    }
    const detected = await detectFamily(session).catch(() => 'unknown' as const);
    if (detected === 'unknown' || detected === known) throw error;
    return collectAs(session, detected, options);
  }
}

async function collectAs(
  session: RemoteSession,
  family: OsFamily,
  options: CollectFactsOptions,
): Promise<HostFacts> {
  const address = session.endpoint.address;
  if (family === 'unknown') {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `PatchDeck could not tell which operating system ${address} runs; it scans Debian/Ubuntu, RHEL-family, Windows and macOS hosts. Set the host's OS family in the inventory if it is one of these.`,
      { address, reason: 'unknown-os-family' },
    );
  }
  const adapter = FACTS_ADAPTERS[family];
  const nonce = options.nonce ?? randomBytes(12).toString('hex');
  const collectedAt = options.clock.now();
  const result = await session.run(adapter.command(nonce), { timeoutMs: adapter.timeoutMs });
  if (result.stdout.length > MAX_FACTS_OUTPUT_CHARS) {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `Collecting facts from ${address} produced more than ${MAX_FACTS_OUTPUT_CHARS / 1024 / 1024} MiB of output, far more than any real host. Check the host, then scan again.`,
      { address, family, outputChars: result.stdout.length },
    );
  }
  const facts = adapter.parse(result, { nonce, collectedAt, address });
  const checked = HostFactsSchema.safeParse(facts);
  if (!checked.success) {
    throw new Error(`facts parser for ${family} produced invalid facts: ${checked.error.message}`);
  }
  return checked.data;
}
