import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  entryMatches,
  fingerprintOf,
  keyTypeOf,
  parseKnownHosts,
} from '../../../../../electron/core/remote/host-keys';

const dir = mkdtempSync(join(tmpdir(), 'patchdeck-hostkeys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type RealKey = { type: string; base64: string; fingerprint: string };
const keys: Record<string, RealKey> = {};

/** Makes a real key with ssh-keygen and records what `ssh-keygen -lf` prints for it. */
function makeKey(name: string, type: string, bits?: number): RealKey {
  const path = join(dir, name);
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    type,
    ...(bits ? ['-b', String(bits)] : []),
    '-N',
    '',
    '-f',
    path,
  ]);
  const [keyType, base64] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
  const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], {
    encoding: 'utf8',
  });
  return { type: keyType!, base64: base64!, fingerprint: printed.split(' ')[1]! };
}

beforeAll(() => {
  keys['ed'] = makeKey('ed', 'ed25519');
  keys['ec'] = makeKey('ec', 'ecdsa', 256);
  keys['rsa'] = makeKey('rsa', 'rsa', 2048);
  keys['ed2'] = makeKey('ed2', 'ed25519');
});

describe('fingerprints and key types', () => {
  it.each(['ed', 'ec', 'rsa'])('match ssh-keygen -lf exactly for a real %s key', (name) => {
    const key = keys[name]!;
    const blob = Buffer.from(key.base64, 'base64');
    expect(fingerprintOf(blob)).toBe(key.fingerprint);
    expect(fingerprintOf(blob)).not.toContain('=');
    expect(keyTypeOf(blob)).toBe(key.type);
  });

  it('reads no key type from garbage', () => {
    expect(keyTypeOf(Buffer.from('not a key'))).toBeUndefined();
    expect(keyTypeOf(Buffer.alloc(2))).toBeUndefined();
  });
});

describe('parseKnownHosts on files made by OpenSSH', () => {
  it('reads plain, [host]:port, comma lists and ssh-keygen -H hashed entries, and matches them', () => {
    const { ed, ec, rsa } = keys;
    const plain = [
      `web01,10.0.0.5 ${ed!.type} ${ed!.base64}`,
      `[10.0.0.6]:2222 ${ec!.type} ${ec!.base64} comment here`,
      `db.example ${rsa!.type} ${rsa!.base64}`,
    ].join('\n');
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `${plain}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const hashed = readFileSync(file, 'utf8');
    expect(hashed).toContain('|1|');

    for (const text of [plain, hashed]) {
      const parsed = parseKnownHosts(text);
      expect(parsed.malformed).toEqual([]);
      expect(parsed.unsupported).toEqual([]);
      const byFingerprint = (f: string) => parsed.entries.filter((e) => e.fingerprint === f);
      const edEntry = byFingerprint(ed!.fingerprint);
      expect(edEntry.length).toBeGreaterThan(0);
      expect(edEntry.some((e) => entryMatches(e, 'web01', 22))).toBe(true);
      expect(edEntry.some((e) => entryMatches(e, '10.0.0.5', 22))).toBe(true);
      expect(edEntry.some((e) => entryMatches(e, '10.0.0.5', 2222))).toBe(false);
      const ecEntry = byFingerprint(ec!.fingerprint);
      expect(ecEntry.some((e) => entryMatches(e, '10.0.0.6', 2222))).toBe(true);
      expect(ecEntry.some((e) => entryMatches(e, '10.0.0.6', 22))).toBe(false);
      expect(byFingerprint(rsa!.fingerprint)[0]?.keyType).toBe('ssh-rsa');
      expect(parsed.entries.some((e) => entryMatches(e, 'other', 22))).toBe(false);
    }
    // ssh-keygen -H writes one hashed line per name of a comma list.
    expect(parseKnownHosts(hashed).entries).toHaveLength(4);
  });

  it('finds hosts in the hashed file exactly as ssh-keygen -F does', () => {
    const file = join(dir, 'known_hosts');
    const found = execFileSync('ssh-keygen', ['-F', '[10.0.0.6]:2222', '-f', file], {
      encoding: 'utf8',
    });
    const parsed = parseKnownHosts(readFileSync(file, 'utf8'));
    const ours = parsed.entries.filter((e) => entryMatches(e, '10.0.0.6', 2222));
    expect(ours.map((e) => e.publicKeyBase64)).toEqual([keys['ec']!.base64]);
    expect(found).toContain(keys['ec']!.base64);
  });
});

describe('parseKnownHosts on hand-written and hostile lines', () => {
  it('reports every malformed line with its number and never drops one silently', () => {
    const { ed, ed2, ec } = keys;
    const text = [
      '# a comment',
      '',
      `good ${ed!.type} ${ed!.base64}`,
      `@revoked * ${ed2!.type} ${ed2!.base64}`,
      `@cert-authority *.example ${ec!.type} ${ec!.base64}`,
      `@bogus host ${ed!.type} ${ed!.base64}`,
      'onlyhost',
      `host ssh-ed25519 !!!notbase64!!!`,
      `host ssh-rsa ${ed!.base64}`,
      `host;id ${ed!.type} ${ed!.base64}`,
      `-oProxyCommand=x ${ed!.type} ${ed!.base64}`,
      `|1|short|hash ${ed!.type} ${ed!.base64}`,
      `[host]:99999 ${ed!.type} ${ed!.base64}`,
      `!neg ${ed!.type} ${ed!.base64}`,
      `*.lab,!bad.lab ${ec!.type} ${ec!.base64}`,
      `   indented ${ec!.type} ${ec!.base64}   \r`,
      `host $(id) ${ed!.base64}`,
    ].join('\n');
    const parsed = parseKnownHosts(text);
    expect(parsed.entries.map((e) => e.line)).toEqual([3, 4, 15, 16]);
    expect(parsed.entries.find((e) => e.line === 4)?.marker).toBe('revoked');
    expect(parsed.unsupported.map((u) => u.line)).toEqual([5]);
    expect(parsed.unsupported[0]?.reason).toMatch(/cert-authority/);
    expect(parsed.malformed.map((m) => m.line)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 17]);
    expect(parsed.malformed.find((m) => m.line === 9)?.reason).toMatch(/does not match/);
    // Every non-blank, non-comment line is accounted for exactly once.
    const accounted = [
      ...parsed.entries.map((e) => e.line),
      ...parsed.malformed.map((m) => m.line),
      ...parsed.unsupported.map((m) => m.line),
    ].sort((a, b) => a - b);
    expect(accounted).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  });

  it('applies wildcards and negation as OpenSSH does', () => {
    const { ec } = keys;
    const [entry] = parseKnownHosts(`*.lab,!bad.lab ${ec!.type} ${ec!.base64}`).entries;
    expect(entryMatches(entry!, 'web.lab', 22)).toBe(true);
    expect(entryMatches(entry!, 'WEB.LAB', 22)).toBe(true);
    expect(entryMatches(entry!, 'bad.lab', 22)).toBe(false);
    expect(entryMatches(entry!, 'web.lab.evil', 22)).toBe(false);
    expect(entryMatches(entry!, 'web.lab', 2222)).toBe(false);
  });
});
