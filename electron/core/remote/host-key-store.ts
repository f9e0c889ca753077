import { AppError } from '../../../shared/api/errors';
import type { ReadDb, Row, WriteTx } from '../db/workspace';

import { checkHostname } from './command';
import {
  ACCEPTED_HOST_KEY_TYPES,
  entryMatches,
  parsePublicKey,
  type HostKeyDecision,
  type HostKeyPolicy,
  type KnownHostsEntry,
  type KnownHostsProblem,
  type ParsedKnownHosts,
  type PresentedHostKey,
} from './host-keys';

/** Where a pin came from. */
export type HostKeySource = 'accepted' | 'known_hosts' | 'repinned';

/** One row of `host_keys`. */
export type PinnedHostKey = {
  address: string;
  port: number;
  keyType: string;
  publicKeyBase64: string;
  fingerprint: string;
  status: 'pinned' | 'revoked';
  source: HostKeySource;
  /** The operator who pinned, re-pinned or imported it. */
  pinnedBy: string;
  pinnedAt: string;
};

/** The address and port of a revocation that names no single host. */
export const ANY_HOST = { address: '*', port: 0 } as const;

const COLUMNS =
  'address, port, key_type, public_key, fingerprint, status, source, pinned_by, pinned_at';

function fromRow(row: Row): PinnedHostKey {
  return {
    address: String(row['address']),
    port: Number(row['port']),
    keyType: String(row['key_type']),
    publicKeyBase64: String(row['public_key']),
    fingerprint: String(row['fingerprint']),
    status: row['status'] === 'revoked' ? 'revoked' : 'pinned',
    source: String(row['source']) as HostKeySource,
    pinnedBy: String(row['pinned_by']),
    pinnedAt: String(row['pinned_at']),
  };
}

/** Every key pinned or revoked for one host (revocations for any host not included). */
export function listHostKeys(db: ReadDb, address: string, port: number): PinnedHostKey[] {
  return db
    .all(
      `SELECT ${COLUMNS} FROM host_keys WHERE address = ? AND port = ? ORDER BY key_type, fingerprint`,
      [address, port],
    )
    .map(fromRow);
}

/** Every row of `host_keys`, for listings and exports. */
export function listAllHostKeys(db: ReadDb): PinnedHostKey[] {
  return db
    .all(`SELECT ${COLUMNS} FROM host_keys ORDER BY address, port, key_type, fingerprint`)
    .map(fromRow);
}

function isRevoked(db: ReadDb, fingerprint: string): boolean {
  return (
    db.get(`SELECT 1 AS x FROM host_keys WHERE fingerprint = ? AND status = 'revoked' LIMIT 1`, [
      fingerprint,
    ]) !== undefined
  );
}

function pinnedFor(db: ReadDb, address: string, port: number): PinnedHostKey[] {
  return listHostKeys(db, address, port).filter((k) => k.status === 'pinned');
}

/**
 * The trust decision for a presented key: revoked anywhere → `revoked`; pinned for this address
 * and port → `trusted`; other keys pinned for the host → `changed` (naming the pinned key of the
 * same type when there is one); nothing pinned → `unknown`.
 */
export function checkHostKey(db: ReadDb, key: PresentedHostKey): HostKeyDecision {
  if (isRevoked(db, key.fingerprint)) return { status: 'revoked' };
  const pinned = pinnedFor(db, key.address, key.port);
  if (pinned.some((k) => k.fingerprint === key.fingerprint)) return { status: 'trusted' };
  const reference = pinned.find((k) => k.keyType === key.keyType) ?? pinned[0];
  if (reference === undefined) return { status: 'unknown' };
  return {
    status: 'changed',
    pinnedFingerprint: reference.fingerprint,
    pinnedType: reference.keyType,
  };
}

/** The workspace's pinned keys as the policy every SSH handshake consults. */
export function hostKeyPolicy(db: ReadDb): HostKeyPolicy {
  return {
    check: (key) => checkHostKey(db, key),
    pinnedKeyTypes: (address, port) => [
      ...new Set(pinnedFor(db, address, port).map((k) => k.keyType)),
    ],
  };
}

/** A key to pin for a host, as presented in a `HOST_KEY_UNKNOWN` or `HOST_KEY_CHANGED` error. */
export type PinInput = {
  address: string;
  port: number;
  keyType: string;
  publicKeyBase64: string;
  /** When given, must equal the fingerprint of the key: what the operator confirmed. */
  fingerprint?: string;
  operatorId: string;
  at: string;
};

function validatedKey(input: PinInput): {
  keyType: string;
  publicKeyBase64: string;
  fingerprint: string;
} {
  checkHostname(input.address, 'address');
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
    throw new AppError('VALIDATION_FAILED', `Port ${input.port} is not a TCP port (1 to 65535).`, {
      field: 'port',
    });
  }
  if (!(ACCEPTED_HOST_KEY_TYPES as readonly string[]).includes(input.keyType)) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Host keys of type ${input.keyType} are not accepted. Give the host an Ed25519, ECDSA or RSA key.`,
      { field: 'keyType' },
    );
  }
  const key = parsePublicKey(input.keyType, input.publicKeyBase64);
  if ('error' in key) {
    throw new AppError('VALIDATION_FAILED', `The host key was not accepted: ${key.error}.`, {
      field: 'publicKeyBase64',
    });
  }
  if (input.fingerprint !== undefined && input.fingerprint !== key.fingerprint) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The confirmed fingerprint ${input.fingerprint} is not the fingerprint of this key (${key.fingerprint}). Nothing was pinned.`,
      { field: 'fingerprint' },
    );
  }
  return key;
}

function refuseRevoked(address: string, port: number, fingerprint: string): never {
  throw new AppError(
    'HOST_KEY_REVOKED',
    `The key ${fingerprint} of ${address}:${port} is revoked and cannot be pinned. Have the host owner replace the host key.`,
    { address, port, fingerprint },
  );
}

function insertKey(tx: WriteTx, key: PinnedHostKey): void {
  tx.run(`INSERT INTO host_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    key.address,
    key.port,
    key.keyType,
    key.publicKeyBase64,
    key.fingerprint,
    key.status,
    key.source,
    key.pinnedBy,
    key.pinnedAt,
  ]);
}

/**
 * Pins a host key on first contact (the operator accepted its fingerprint). Pinning the same key
 * again changes nothing. A different key of the same type already pinned for the host is a
 * change: this refuses with `HOST_KEY_CHANGED`, and only {@link repinHostKey} may replace it.
 */
export function pinHostKey(tx: WriteTx, input: PinInput): PinnedHostKey {
  const key = validatedKey(input);
  if (isRevoked(tx, key.fingerprint)) refuseRevoked(input.address, input.port, key.fingerprint);
  const pinned = pinnedFor(tx, input.address, input.port);
  const same = pinned.find((k) => k.fingerprint === key.fingerprint);
  if (same) return same;
  const conflict = pinned.find((k) => k.keyType === key.keyType);
  if (conflict) {
    throw new AppError(
      'HOST_KEY_CHANGED',
      `${input.address}:${input.port} already has a different ${conflict.keyType} key pinned (${conflict.fingerprint}). Only an administrator can re-pin it.`,
      {
        address: input.address,
        port: input.port,
        keyType: key.keyType,
        fingerprint: key.fingerprint,
        pinnedFingerprint: conflict.fingerprint,
      },
    );
  }
  const row: PinnedHostKey = {
    address: input.address,
    port: input.port,
    ...key,
    status: 'pinned',
    source: 'accepted',
    pinnedBy: input.operatorId,
    pinnedAt: input.at,
  };
  insertKey(tx, row);
  return row;
}

/**
 * Replaces every key pinned for a host with one new key, after a confirmed change of host key.
 * Returns the keys it removed, for the audit record. The caller checks that the operator may
 * re-pin (administrators only) and records the audit entry in the same transaction.
 */
export function repinHostKey(
  tx: WriteTx,
  input: PinInput,
): { pinned: PinnedHostKey; replaced: PinnedHostKey[] } {
  const key = validatedKey(input);
  if (isRevoked(tx, key.fingerprint)) refuseRevoked(input.address, input.port, key.fingerprint);
  const replaced = pinnedFor(tx, input.address, input.port);
  tx.run(`DELETE FROM host_keys WHERE address = ? AND port = ? AND status = 'pinned'`, [
    input.address,
    input.port,
  ]);
  const row: PinnedHostKey = {
    address: input.address,
    port: input.port,
    ...key,
    status: 'pinned',
    source: 'repinned',
    pinnedBy: input.operatorId,
    pinnedAt: input.at,
  };
  insertKey(tx, row);
  return { pinned: row, replaced };
}

/** A host whose address is not written in the file (hashed or wildcard patterns) but may match. */
export type ImportCandidate = { address: string; port: number };

/** What an import did, line by line. */
export type KnownHostsImportResult = {
  /** Keys newly pinned. */
  pinned: PinnedHostKey[];
  /** Keys newly marked revoked. */
  revoked: PinnedHostKey[];
  /** Valid lines that pinned nothing, with the reason (already pinned, conflicts, no match). */
  skipped: KnownHostsProblem[];
  /** Lines that are not valid known_hosts syntax, and valid ones PatchDeck does not support. */
  malformed: KnownHostsProblem[];
};

/**
 * Imports a parsed known_hosts file. Plain host names and addresses are pinned as written;
 * hashed and wildcard patterns are pinned for each `candidates` host they match (a hashed name
 * cannot be read back). `@revoked` keys are refused for every host from then on. A key whose type
 * is already pinned for the host with another fingerprint is skipped, not replaced: that needs a
 * re-pin.
 */
export function importKnownHosts(
  tx: WriteTx,
  parsed: ParsedKnownHosts,
  options: { operatorId: string; at: string; candidates?: readonly ImportCandidate[] },
): KnownHostsImportResult {
  const result: KnownHostsImportResult = {
    pinned: [],
    revoked: [],
    skipped: [],
    malformed: [...parsed.malformed, ...parsed.unsupported].sort((a, b) => a.line - b.line),
  };
  const stamp = { pinnedBy: options.operatorId, pinnedAt: options.at };
  for (const entry of parsed.entries.filter((e) => e.marker === 'revoked')) {
    result.revoked.push(...revokeEntry(tx, entry, stamp));
  }
  for (const entry of parsed.entries.filter((e) => e.marker === null)) {
    const skip = (reason: string) => result.skipped.push({ line: entry.line, reason });
    if (!(ACCEPTED_HOST_KEY_TYPES as readonly string[]).includes(entry.keyType)) {
      skip(`${entry.keyType} host keys are not accepted`);
      continue;
    }
    if (isRevoked(tx, entry.fingerprint)) {
      skip(`the key ${entry.fingerprint} is revoked`);
      continue;
    }
    const hosts = hostsOf(entry, options.candidates ?? []);
    if (hosts.length === 0) {
      skip(
        entry.patterns.some((p) => p.kind === 'hashed')
          ? 'the hashed host name matches none of the known hosts'
          : 'the host pattern matches none of the known hosts',
      );
      continue;
    }
    for (const host of hosts) {
      const outcome = pinFromFile(tx, entry, host, stamp);
      if (typeof outcome === 'string') skip(`${host.address}:${host.port}: ${outcome}`);
      else result.pinned.push(outcome);
    }
  }
  return result;
}

function hostsOf(
  entry: KnownHostsEntry,
  candidates: readonly ImportCandidate[],
): ImportCandidate[] {
  const hosts = new Map<string, ImportCandidate>();
  for (const pattern of entry.patterns) {
    if (pattern.kind === 'plain' && !pattern.negated && !pattern.wildcard) {
      hosts.set(`${pattern.host.toLowerCase()}:${pattern.port}`, {
        address: pattern.host,
        port: pattern.port,
      });
    }
  }
  for (const candidate of candidates) {
    if (entryMatches(entry, candidate.address, candidate.port)) {
      hosts.set(`${candidate.address.toLowerCase()}:${candidate.port}`, candidate);
    }
  }
  // A negated pattern excludes a host even when another pattern names it.
  return [...hosts.values()].filter((h) => entryMatches(entry, h.address, h.port));
}

function pinFromFile(
  tx: WriteTx,
  entry: KnownHostsEntry,
  host: ImportCandidate,
  stamp: { pinnedBy: string; pinnedAt: string },
): PinnedHostKey | string {
  try {
    checkHostname(host.address, 'address');
  } catch {
    return 'the host name is not valid';
  }
  const pinned = pinnedFor(tx, host.address, host.port);
  if (pinned.some((k) => k.fingerprint === entry.fingerprint)) return 'already pinned';
  const conflict = pinned.find((k) => k.keyType === entry.keyType);
  if (conflict) {
    return `a different ${conflict.keyType} key (${conflict.fingerprint}) is pinned; re-pin to replace it`;
  }
  const row: PinnedHostKey = {
    address: host.address,
    port: host.port,
    keyType: entry.keyType,
    publicKeyBase64: entry.publicKeyBase64,
    fingerprint: entry.fingerprint,
    status: 'pinned',
    source: 'known_hosts',
    ...stamp,
  };
  insertKey(tx, row);
  return row;
}

function revokeEntry(
  tx: WriteTx,
  entry: KnownHostsEntry,
  stamp: { pinnedBy: string; pinnedAt: string },
): PinnedHostKey[] {
  const literal = entry.patterns.flatMap((p) =>
    p.kind === 'plain' && !p.negated && !p.wildcard ? [{ address: p.host, port: p.port }] : [],
  );
  const targets = literal.length > 0 ? literal : [ANY_HOST];
  const done: PinnedHostKey[] = [];
  for (const target of targets) {
    const existing = tx.get(
      `SELECT status FROM host_keys WHERE address = ? AND port = ? AND fingerprint = ?`,
      [target.address, target.port, entry.fingerprint],
    );
    if (existing?.['status'] === 'revoked') continue;
    if (existing) {
      tx.run(`DELETE FROM host_keys WHERE address = ? AND port = ? AND fingerprint = ?`, [
        target.address,
        target.port,
        entry.fingerprint,
      ]);
    }
    const row: PinnedHostKey = {
      ...target,
      keyType: entry.keyType,
      publicKeyBase64: entry.publicKeyBase64,
      fingerprint: entry.fingerprint,
      status: 'revoked',
      source: 'known_hosts',
      ...stamp,
    };
    insertKey(tx, row);
    done.push(row);
  }
  return done;
}
