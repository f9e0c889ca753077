import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

import type { PublicKey, Signature } from '../../../shared/domain/bundle-manifest';
import { canonicalJson } from '../platform/canonical-json';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('Not an Ed25519 key.');
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(ED25519_SPKI_PREFIX.length);
}

/** A key object from the raw 32 bytes (base64) of a root's key entry. */
export function publicKeyFromRaw(base64: string): KeyObject {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new Error('An Ed25519 public key is 32 bytes.');
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

/** The key id: lowercase hex SHA-256 of the raw public key. */
export function keyIdOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** A root's key entry for a public key. */
export function publicKeyEntry(key: KeyObject): { keyid: string; entry: PublicKey } {
  const raw = rawPublicKey(key);
  return {
    keyid: keyIdOf(raw),
    entry: { keytype: 'ed25519', scheme: 'ed25519', public: raw.toString('base64') },
  };
}

/** The bytes every signature is over: the canonical JSON of the `signed` body. */
export function signingBytes(signed: unknown): Buffer {
  return Buffer.from(canonicalJson(signed), 'utf8');
}

/** Signs a metadata body with one private key. */
export function signBody(signed: unknown, privateKey: KeyObject): Signature {
  const { keyid } = publicKeyEntry(createPublicKey(privateKey));
  return { keyid, sig: sign(null, signingBytes(signed), privateKey).toString('base64') };
}

/** True when `sig` is a valid Ed25519 signature of `bytes` by the key. */
export function verifySignature(bytes: Buffer, sig: string, key: PublicKey): boolean {
  try {
    return verify(null, bytes, publicKeyFromRaw(key.public), Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** Reads a private key from PEM, decrypting it with the passphrase when it is encrypted. */
export function loadPrivateKey(pem: string | Buffer, passphrase?: string): KeyObject {
  const key =
    passphrase === undefined
      ? createPrivateKey(pem)
      : createPrivateKey({ key: pem, format: 'pem', passphrase });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('The key is not an Ed25519 key.');
  return key;
}
