import { randomBytes, randomUUID } from 'node:crypto';

/** Where services get new identifiers; tests pass a counting generator. */
export interface IdGenerator {
  /** A new unique id, optionally prefixed (`op_…`). */
  next(prefix?: string): string;
}

/** Random UUIDs from the OS's CSPRNG. */
export const randomIds: IdGenerator = {
  next: (prefix) => (prefix ? `${prefix}_${randomUUID()}` : randomUUID()),
};

/** Ids `prefix_1`, `prefix_2`, … for deterministic tests. */
export function countingIds(): IdGenerator {
  let n = 0;
  return { next: (prefix = 'id') => `${prefix}_${++n}` };
}

/** A hex string of `bytes` random bytes, for tokens and salts. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
