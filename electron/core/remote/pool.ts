import pLimit from 'p-limit';

import type { RemoteSession } from './session';
import type { Target } from './ssh-connection';

/** Opens one session; {@link connect} bound to its dependencies, or a stand-in in tests. */
export type Connector = (target: Target) => Promise<RemoteSession>;

/** The identity of a connection: the same user, host, port and route share one. */
export function connectionKey(target: Target): string {
  const self = `${target.username}@${target.address}:${target.port}`;
  return target.jump ? `${self} via ${connectionKey(target.jump)}` : self;
}

/**
 * The connections of one run (a scan, a deployment): at most one per host, opened on first use,
 * reused by every later command, and all closed by {@link RunPool.close} at the end of the run.
 * `forEachHost` fans work out over hosts with at most `concurrency` in flight.
 */
export class RunPool {
  readonly #connect: Connector;
  readonly #sessions = new Map<string, Promise<RemoteSession>>();
  readonly #limit: ReturnType<typeof pLimit>;
  #opened = 0;
  #closed = false;

  constructor(options: { connect: Connector; concurrency: number }) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(
        `RunPool: concurrency must be a positive integer, got ${options.concurrency}`,
      );
    }
    this.#connect = options.connect;
    this.#limit = pLimit(options.concurrency);
  }

  /** How many connections this run has opened so far. */
  get openedCount(): number {
    return this.#opened;
  }

  /**
   * The run's session to a host, opened on first use. Callers asking at the same time share one
   * connection attempt; a failed attempt is forgotten, so a later call tries again; a session the
   * host closed is replaced.
   */
  async session(target: Target): Promise<RemoteSession> {
    if (this.#closed) throw new Error('RunPool: the run is over; its connections are closed');
    const key = connectionKey(target);
    const existing = this.#sessions.get(key);
    if (existing) {
      const session = await existing.catch(() => undefined);
      if (session?.isOpen) return session;
      if (this.#sessions.get(key) !== existing) return this.session(target);
      this.#sessions.delete(key);
    }
    const opening = this.#connect(target);
    this.#opened += 1;
    this.#sessions.set(key, opening);
    opening.catch(() => {
      if (this.#sessions.get(key) === opening) this.#sessions.delete(key);
    });
    return opening;
  }

  /**
   * Runs `work` for each item with at most `concurrency` in flight, and returns every outcome in
   * input order (one host failing does not stop the others).
   */
  forEachHost<T, R>(
    items: readonly T[],
    work: (item: T, index: number) => Promise<R>,
  ): Promise<PromiseSettledResult<R>[]> {
    return Promise.allSettled(items.map((item, index) => this.#limit(() => work(item, index))));
  }

  /** Closes every connection of the run. */
  async close(): Promise<void> {
    this.#closed = true;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(
      sessions.map(async (opening) => {
        const session = await opening.catch(() => undefined);
        await session?.close();
      }),
    );
  }
}
