import { createHash, createHmac } from 'node:crypto';

/** Host key types PatchDeck accepts, in order of preference. */
export const ACCEPTED_HOST_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;

/**
 * The OpenSSH fingerprint of a public key blob: `SHA256:` and the base64 of its SHA-256 digest,
 * without `=` padding (exactly what `ssh-keygen -lf` prints).
 */
export function fingerprintOf(blob: Buffer): string {
  const digest = createHash('sha256').update(blob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/**
 * The key type named at the start of a public key blob (`ssh-ed25519`, `ssh-rsa`, ...), or
 * undefined when the blob is not an SSH public key.
 */
export function keyTypeOf(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  const type = blob.subarray(4, 4 + length).toString('latin1');
  return /^[a-z0-9@.-]+$/.test(type) ? type : undefined;
}

/** A parsed public key: its type, its base64 blob and its fingerprint. */
export type PublicKeyInfo = { keyType: string; publicKeyBase64: string; fingerprint: string };

/** Reads a base64 public key blob; undefined when it is not one or its type disagrees. */
export function parsePublicKey(
  declaredType: string,
  base64: string,
): PublicKeyInfo | { error: string } {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    return { error: 'the key is not valid base64' };
  }
  const blob = Buffer.from(base64, 'base64');
  const inner = keyTypeOf(blob);
  if (inner === undefined) return { error: 'the key data is not an SSH public key' };
  if (inner !== declaredType) {
    return { error: `the key type "${declaredType}" does not match the key data ("${inner}")` };
  }
  return {
    keyType: inner,
    publicKeyBase64: blob.toString('base64'),
    fingerprint: fingerprintOf(blob),
  };
}

// ---------------------------------------------------------------------------------------------
// known_hosts

/** One host pattern of a known_hosts line. */
export type HostPattern =
  | {
      kind: 'plain';
      /** The host name or address, or a wildcard pattern (`*`, `?`). */
      host: string;
      /** 22 unless written as `[host]:port`. */
      port: number;
      /** `!pattern`: a match excludes the host from this line. */
      negated: boolean;
      /** True when the pattern contains `*` or `?`. */
      wildcard: boolean;
    }
  | {
      kind: 'hashed';
      /** The HMAC-SHA1 key, base64. */
      salt: string;
      /** HMAC-SHA1(salt, host or `[host]:port`), base64. */
      hash: string;
    };

/** One usable known_hosts line. */
export type KnownHostsEntry = PublicKeyInfo & {
  /** 1-based line number in the file. */
  line: number;
  /** `revoked` for `@revoked` lines. */
  marker: 'revoked' | null;
  patterns: HostPattern[];
  /** The comment after the key, if any. */
  comment: string;
};

/** A line that was not turned into an entry, and why. */
export type KnownHostsProblem = { line: number; reason: string };

/** A whole known_hosts file: entries, plus every line that was not used, with its reason. */
export type ParsedKnownHosts = {
  entries: KnownHostsEntry[];
  /** Lines that are not valid known_hosts syntax. */
  malformed: KnownHostsProblem[];
  /** Valid lines PatchDeck does not act on (for example `@cert-authority`). */
  unsupported: KnownHostsProblem[];
};

const HOST_PATTERN_TEXT = /^[A-Za-z0-9.:_*?%-]+$/;

/**
 * Parses an OpenSSH known_hosts file: plain and hashed (`|1|salt|hash`) host patterns,
 * `[host]:port`, comma lists, negation, `@revoked` and `@cert-authority` markers, comments and
 * blank lines. No line is dropped silently: each one is an entry, a comment or blank line, or a
 * problem with its line number.
 */
export function parseKnownHosts(text: string): ParsedKnownHosts {
  const result: ParsedKnownHosts = { entries: [], malformed: [], unsupported: [] };
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/\r$/, '').trim();
    if (content === '' || content.startsWith('#')) return;
    const parsed = parseLine(content, line);
    if ('entry' in parsed) result.entries.push(parsed.entry);
    else if (parsed.unsupported) result.unsupported.push({ line, reason: parsed.reason });
    else result.malformed.push({ line, reason: parsed.reason });
  });
  return result;
}

type LineResult = { entry: KnownHostsEntry } | { reason: string; unsupported?: true };

function parseLine(content: string, line: number): LineResult {
  const fields = content.split(/[ \t]+/);
  let marker: 'revoked' | null = null;
  if (fields[0]?.startsWith('@')) {
    const word = fields.shift();
    if (word === '@revoked') marker = 'revoked';
    else if (word === '@cert-authority') {
      return {
        reason:
          '@cert-authority lines (host certificates) are not supported; pin the host keys instead',
        unsupported: true,
      };
    } else return { reason: `unknown marker "${printable(word ?? '')}"` };
  }
  const [hostField, keyType, keyData, ...rest] = fields;
  if (hostField === undefined || keyType === undefined || keyData === undefined) {
    return { reason: 'expected host patterns, a key type and the key' };
  }
  const patterns: HostPattern[] = [];
  for (const text of hostField.split(',')) {
    const pattern = parsePattern(text);
    if ('reason' in pattern) return pattern;
    patterns.push(pattern);
  }
  if (patterns.every((p) => p.kind === 'plain' && p.negated)) {
    return { reason: 'the line only has negated host patterns' };
  }
  if (!/^[a-z0-9@.-]+$/.test(keyType)) {
    return { reason: `"${printable(keyType)}" is not a key type` };
  }
  const key = parsePublicKey(keyType, keyData);
  if ('error' in key) return { reason: key.error };
  return { entry: { ...key, line, marker, patterns, comment: rest.join(' ') } };
}

function parsePattern(text: string): HostPattern | { reason: string } {
  if (text.startsWith('|')) {
    const match = /^\|1\|([A-Za-z0-9+/]+={0,2})\|([A-Za-z0-9+/]+={0,2})$/.exec(text);
    const salt = match?.[1];
    const hash = match?.[2];
    if (!salt || !hash) return { reason: `"${printable(text)}" is not a valid hashed host name` };
    if (Buffer.from(salt, 'base64').length !== 20 || Buffer.from(hash, 'base64').length !== 20) {
      return { reason: 'a hashed host name must have a 20-byte salt and a 20-byte HMAC-SHA1' };
    }
    return { kind: 'hashed', salt, hash };
  }
  const negated = text.startsWith('!');
  const body = negated ? text.slice(1) : text;
  let host = body;
  let port = 22;
  if (body.startsWith('[')) {
    const match = /^\[([^\]]+)\]:([0-9]{1,5})$/.exec(body);
    const inner = match?.[1];
    const portText = match?.[2];
    if (!inner || !portText || Number(portText) < 1 || Number(portText) > 65535) {
      return { reason: `"${printable(text)}" is not a valid [host]:port pattern` };
    }
    host = inner;
    port = Number(portText);
  }
  if (host === '' || !HOST_PATTERN_TEXT.test(host) || host.startsWith('-')) {
    return { reason: `"${printable(text)}" is not a valid host pattern` };
  }
  return { kind: 'plain', host, port, negated, wildcard: /[*?]/.test(host) };
}

function printable(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return shown.replace(/[^\x20-\x7e]/g, '?');
}

/** The name OpenSSH hashes and matches for a host: `host` on port 22, else `[host]:port`. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** True when one pattern matches the host (ignoring negation). */
export function patternMatches(pattern: HostPattern, address: string, port: number): boolean {
  if (pattern.kind === 'hashed') {
    const name = knownHostsName(address, port);
    const mac = createHmac('sha1', Buffer.from(pattern.salt, 'base64')).update(name).digest();
    return mac.equals(Buffer.from(pattern.hash, 'base64'));
  }
  if (pattern.port !== port) return false;
  return pattern.wildcard
    ? globToRegExp(pattern.host).test(address)
    : pattern.host.toLowerCase() === address.toLowerCase();
}

/**
 * True when a known_hosts line applies to the host, as OpenSSH decides it: some pattern matches
 * and no negated pattern does.
 */
export function entryMatches(entry: KnownHostsEntry, address: string, port: number): boolean {
  let matched = false;
  for (const pattern of entry.patterns) {
    if (!patternMatches(pattern, address, port)) continue;
    if (pattern.kind === 'plain' && pattern.negated) return false;
    matched = true;
  }
  return matched;
}

// ---------------------------------------------------------------------------------------------
// Trust decisions

/** The key a host presented during the SSH handshake. */
export type PresentedHostKey = {
  address: string;
  port: number;
  keyType: string;
  fingerprint: string;
  publicKeyBase64: string;
};

/** What the pinned keys say about a presented key. */
export type HostKeyDecision =
  | { status: 'trusted' }
  | { status: 'unknown' }
  | { status: 'changed'; pinnedFingerprint: string; pinnedType: string }
  | { status: 'revoked' };

/** Decides whether a presented host key is trusted; consulted during every handshake. */
export interface HostKeyPolicy {
  /** The decision for one presented key. */
  check(key: PresentedHostKey): HostKeyDecision;
  /**
   * The key types pinned for the host, so the client asks for one of those first (as OpenSSH
   * does) and a host with only an RSA key pinned is not reported as changed for showing Ed25519.
   */
  pinnedKeyTypes?(address: string, port: number): string[];
}
