import type { HostFacts, OsFamily } from '../../../../shared/domain/host-facts';
import type { RemoteCommand } from '../command';
import type { RunResult } from '../session';

/** What a parser needs besides the output. */
export type ScanContext = {
  /** The section nonce the script was built with. */
  nonce: string;
  /** When the scan ran, by PatchDeck's clock. */
  collectedAt: Date;
  /** The host's address, for messages. */
  address: string;
};

/** Collects facts from one OS family with one batched command. */
export interface FactsAdapter {
  /** The family this adapter understands. */
  readonly family: Exclude<OsFamily, 'unknown'>;
  /** Longest the script may run before the scan is abandoned. */
  readonly timeoutMs: number;
  /** The one command that prints everything the parser needs. */
  command(nonce: string): RemoteCommand;
  /** Turns the command's output into facts; throws `AppError` when an essential part is missing. */
  parse(result: RunResult, context: ScanContext): HostFacts;
}
