import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';

import { AppError } from '../../../shared/api/errors';
import type { ReadDb, WriteTx } from '../db/workspace';

/** scrypt cost of the vault key; stored with the vault so it can be raised later. */
export type VaultKdfParams = { N: number; r: number; p: number };

/** The production cost: N = 2^17, r = 8, p = 1 (128 MiB, about 0.5 s on a 2-core machine). */
export const DEFAULT_VAULT_KDF: VaultKdfParams = { N: 2 ** 17, r: 8, p: 1 };

/** Vault passphrases shorter than this are refused at setup. */
export const MIN_VAULT_PASSPHRASE_LENGTH = 10;

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'v1';
const VERIFIER_TEXT = 'patchdeck-vault-verifier';
const VERIFIER_SLOT = 'vault:verifier';

/** Whether a vault exists in the workspace and whether its key is in memory now. */
export type VaultStatus = { initialized: boolean; unlocked: boolean };

function deriveKey(passphrase: string, salt: Buffer, params: VaultKdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase.normalize('NFC'),
      salt,
      KEY_BYTES,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/**
 * Encrypts with AES-256-GCM; the slot (credential id and field) is bound as additional data, so
 * a ciphertext copied into another credential or field does not decrypt.
 */
function seal(key: Buffer, slot: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(slot, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [FORMAT, iv.toString('base64'), tag.toString('base64'), body.toString('base64')].join('.');
}

function open(key: Buffer, slot: string, sealed: string): string | undefined {
  const [format, iv, tag, body] = sealed.split('.');
  if (format !== FORMAT || iv === undefined || tag === undefined || body === undefined) {
    return undefined;
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(slot, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}

type VaultRow = { salt: Buffer; params: VaultKdfParams; verifier: string };

function readVault(db: ReadDb): VaultRow | undefined {
  const row = db.get('SELECT salt, params, verifier FROM vault WHERE id = 1');
  if (!row) return undefined;
  return {
    salt: Buffer.from(String(row['salt']), 'base64'),
    params: JSON.parse(String(row['params'])) as VaultKdfParams,
    verifier: String(row['verifier']),
  };
}

/**
 * The credentials vault: secrets are sealed with AES-256-GCM under a key derived with scrypt from
 * the vault passphrase. The workspace holds only the salt, the KDF parameters and a verifier; the
 * key itself lives in this object's memory while unlocked and is wiped by {@link Vault.lock}.
 */
export class Vault {
  #key: Buffer | undefined;
  /** The key of a vault being set up, until its row is on disk. */
  #pendingKey: Buffer | undefined;

  constructor(
    private readonly db: ReadDb,
    private readonly kdf: VaultKdfParams = DEFAULT_VAULT_KDF,
  ) {}

  /** Whether a vault exists and whether it is unlocked. */
  status(): VaultStatus {
    return { initialized: readVault(this.db) !== undefined, unlocked: this.#key !== undefined };
  }

  /** True while the key is in memory. */
  get isUnlocked(): boolean {
    return this.#key !== undefined;
  }

  /**
   * Derives the key for a new vault and returns what to store; the caller writes it with
   * {@link Vault.store} inside its transaction, then the vault is unlocked with the new key.
   */
  async prepare(passphrase: string): Promise<{ salt: string; params: string; verifier: string }> {
    if (readVault(this.db)) {
      throw new AppError(
        'VAULT_ALREADY_INITIALIZED',
        'The credentials vault is already set up. Unlock it with its passphrase instead.',
      );
    }
    if (passphrase.length < MIN_VAULT_PASSPHRASE_LENGTH) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Use a vault passphrase of at least ${MIN_VAULT_PASSPHRASE_LENGTH} characters; it protects every stored password.`,
        { issues: [`passphrase: at least ${MIN_VAULT_PASSPHRASE_LENGTH} characters`] },
      );
    }
    const salt = randomBytes(16);
    const key = await deriveKey(passphrase, salt, this.kdf);
    this.#pendingKey = key;
    return {
      salt: salt.toString('base64'),
      params: JSON.stringify(this.kdf),
      verifier: seal(key, VERIFIER_SLOT, VERIFIER_TEXT),
    };
  }

  /** Writes the prepared vault; after the transaction commits, call {@link Vault.activate}. */
  store(
    tx: WriteTx,
    prepared: { salt: string; params: string; verifier: string },
    at: string,
  ): void {
    if (tx.get('SELECT 1 AS x FROM vault WHERE id = 1')) {
      throw new AppError('VAULT_ALREADY_INITIALIZED', 'The credentials vault is already set up.');
    }
    tx.run(
      `INSERT INTO vault (id, kdf, salt, params, verifier, created_at) VALUES (1, 'scrypt', ?, ?, ?, ?)`,
      [prepared.salt, prepared.params, prepared.verifier, at],
    );
  }

  /** Keeps the key derived by {@link Vault.prepare} once the vault row is on disk. */
  activate(): void {
    const key = this.#pendingKey;
    if (!key) return;
    this.#pendingKey = undefined;
    this.#key?.fill(0);
    this.#key = key;
  }

  /** Derives the key from the passphrase and keeps it if it opens the verifier. */
  async unlock(passphrase: string): Promise<void> {
    const vault = readVault(this.db);
    if (!vault) {
      throw new AppError(
        'VAULT_NOT_INITIALIZED',
        'No credentials vault has been set up yet. Set one up with a passphrase first.',
      );
    }
    const key = await deriveKey(passphrase, vault.salt, vault.params);
    const opened = open(key, VERIFIER_SLOT, vault.verifier);
    const expected = Buffer.from(VERIFIER_TEXT, 'utf8');
    const got = Buffer.from(opened ?? '', 'utf8');
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
      key.fill(0);
      throw new AppError(
        'VAULT_PASSPHRASE_WRONG',
        'That is not the vault passphrase. Check Caps Lock and the keyboard layout, then try again.',
      );
    }
    this.lock();
    this.#key = key;
  }

  /** Wipes the key from memory; secrets cannot be read or stored until the next unlock. */
  lock(): void {
    this.#key?.fill(0);
    this.#key = undefined;
    this.#pendingKey?.fill(0);
    this.#pendingKey = undefined;
  }

  #requireKey(): Buffer {
    if (this.#key) return this.#key;
    if (!readVault(this.db)) {
      throw new AppError(
        'VAULT_NOT_INITIALIZED',
        'Secrets are stored only in the credentials vault, which is not set up yet. Set it up with a passphrase first.',
      );
    }
    throw new AppError(
      'VAULT_LOCKED',
      'The credentials vault is locked. Unlock it with its passphrase, then try again.',
    );
  }

  /** Seals a secret for one slot (for example `cred_1:password`). */
  encrypt(slot: string, plaintext: string): string {
    return seal(this.#requireKey(), slot, plaintext);
  }

  /** Opens a sealed secret of one slot; a damaged or misplaced ciphertext is a bug. */
  decrypt(slot: string, sealed: string): string {
    const text = open(this.#requireKey(), slot, sealed);
    if (text === undefined) throw new Error(`The stored secret ${slot} does not decrypt.`);
    return text;
  }
}
