import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters, stored next to each hash so they can be raised later. */
export type ScryptParams = { N: number; r: number; p: number; keylen: number };

/**
 * The production cost: N = 2^16, r = 8, p = 1 (64 MiB, about 0.3 s on a 2-core machine).
 *
 * Hashing runs on libuv's thread pool, so the core keeps answering meanwhile.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 16, r: 8, p: 1, keylen: 64 };

/** A stored password: hash, salt and the parameters that made it. */
export type PasswordRecord = { hash: string; salt: string; params: ScryptParams };

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      params.keylen,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** Hashes a new password with a fresh 16-byte salt. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<PasswordRecord> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return { hash: key.toString('hex'), salt: salt.toString('hex'), params };
}

/** True when the password matches the record; the comparison takes constant time. */
export async function verifyPassword(password: string, record: PasswordRecord): Promise<boolean> {
  const expected = Buffer.from(record.hash, 'hex');
  const key = await derive(password, Buffer.from(record.salt, 'hex'), record.params);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
