import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ApiError, type ApiClient } from '../../../shared/api/client';
import type { HostDetail } from '../../../shared/domain/assets';
import { createTestCore, withAdmin, type TestCore } from '../../helpers/test-core';

/*
 * Imports hosts and jump hosts from real ssh_config text through a real core: patterns applied as
 * OpenSSH applies them, a bastion, a ProxyJump chain, hops that are inventory hosts, refusals that
 * name their line and leave the workspace untouched, and a second import that changes nothing.
 */

const SITE_CONFIG = [
  '# Plant network, maintained by the OT team', // 1
  'Host bastion', // 2
  '  HostName 10.60.0.1', // 3
  '  User ops', // 4
  '', // 5
  'Host web1 web1-alt', // 6
  '  HostName 10.60.1.1', // 7
  '  ProxyJump bastion', // 8
  '', // 9
  'Host db1', // 10
  '  HostName 10.60.2.1', // 11
  '  Port 2222', // 12
  '  ProxyJump bastion,inner', // 13
  '', // 14
  'Host inner', // 15
  '  HostName 10.60.0.2', // 16
  '', // 17
  'Host *.cell', // 18
  '  HostName %h.plant.example', // 19
  '  ProxyJump ops@bastion', // 20
  '', // 21
  'Host press.cell', // 22
  '', // 23
  'Host *', // 24
  '  User patchsvc', // 25
  '  IdentityFile ~/.ssh/id_plant', // 26
  '',
].join('\n');

function source(text: string, fileName = 'config') {
  return { fileName, contentBase64: Buffer.from(text).toString('base64') };
}

async function hostsByName(client: ApiClient): Promise<Map<string, HostDetail>> {
  const page = await client.call('hosts.list', { limit: 2000 });
  const out = new Map<string, HostDetail>();
  for (const host of page.hosts) {
    out.set(host.name, await client.call('hosts.get', { hostId: host.id }));
  }
  return out;
}

function need(hosts: Map<string, HostDetail>, name: string): HostDetail {
  const host = hosts.get(name);
  if (!host) throw new Error(`${name} is not in the inventory`);
  return host;
}

async function errorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

let t: TestCore;
let admin: ApiClient;
let keyDir = '';
let keyPath = '';

beforeAll(() => {
  keyDir = mkdtempSync(join(tmpdir(), 'patchdeck-sshcfg-'));
  keyPath = join(keyDir, 'id_plant_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
});
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

beforeEach(async () => {
  t = await createTestCore();
  admin = await withAdmin(t);
});
afterEach(async () => {
  await t.dispose();
});

describe('hosts.importSshConfig', () => {
  it('adds the concrete Hosts with pattern defaults, the bastion and the chain; a second import changes nothing', async () => {
    const changed: { hostIds: string[] | 'all' }[] = [];
    const off = t.core.events.subscribe((event, payload) => {
      if (event === 'hosts.changed') changed.push(payload as { hostIds: string[] | 'all' });
    });
    const result = await admin.call('hosts.importSshConfig', { source: source(SITE_CONFIG) });
    off();
    expect(result).toMatchObject({ added: 5, updated: 0, unchanged: 0 });
    expect(result.skipped).toEqual([
      {
        host: 'web1-alt',
        line: 6,
        reason: 'It is another name for web1 (same address and port), imported as web1.',
      },
    ]);
    // No key credential uses the identity file yet: the report names it for every host.
    expect(result.identityFiles).toEqual([
      {
        path: join(homedir(), '.ssh', 'id_plant'),
        hosts: ['bastion', 'web1', 'db1', 'inner', 'press.cell'],
        credentialId: null,
        credentialName: null,
      },
    ]);

    const hosts = await hostsByName(admin);
    expect([...hosts.keys()].sort()).toEqual(['bastion', 'db1', 'inner', 'press.cell', 'web1']);
    expect(new Set([...hosts.values()].map((h) => h.source))).toEqual(new Set(['ssh_config']));
    const bastion = need(hosts, 'bastion');
    const inner = need(hosts, 'inner');
    // The bastion's own User comes first and wins over "Host *" (first value obtained wins).
    expect(bastion.connection).toEqual({
      address: '10.60.0.1',
      port: 22,
      username: 'ops',
      credentialId: null,
      jumpHostId: null,
    });
    expect(need(hosts, 'web1').connection).toMatchObject({
      address: '10.60.1.1',
      username: 'patchsvc',
      jumpHostId: bastion.id,
    });
    // ProxyJump bastion,inner: db1 is reached through inner, and inner through bastion.
    expect(need(hosts, 'db1').connection).toMatchObject({
      address: '10.60.2.1',
      port: 2222,
      jumpHostId: inner.id,
    });
    expect(inner.connection.jumpHostId).toBe(bastion.id);
    // A pattern's HostName with %h, and a hop naming the bastion's own user.
    expect(need(hosts, 'press.cell').connection).toMatchObject({
      address: 'press.cell.plant.example',
      username: 'patchsvc',
      jumpHostId: bastion.id,
    });
    expect(changed).toHaveLength(1);
    const changedIds = changed[0]?.hostIds;
    expect(Array.isArray(changedIds) ? [...changedIds].sort() : changedIds).toEqual(
      [...hosts.values()].map((h) => h.id).sort(),
    );

    const audit = await admin.call('audit.list', { filter: { op: 'hosts.importSshConfig' } });
    expect(audit.records[0]?.summary).toBe(
      'Imported ssh_config config: 5 added, 0 updated, 0 unchanged, 1 skipped',
    );

    const again = await admin.call('hosts.importSshConfig', { source: source(SITE_CONFIG) });
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 5 });
    expect((await admin.call('hosts.list', {})).total).toBe(5);
    expect(await hostsByName(admin)).toEqual(hosts);
  });

  it('gives each host the key credential whose key file is its IdentityFile, and updates hosts it already has', async () => {
    const credential = await admin.call('credentials.create', {
      name: 'plant key',
      kind: 'key',
      keyPath,
    });
    // Known from an earlier known_hosts import: named by its address, reached with the agent.
    const known = await admin.call('hosts.create', {
      name: '10.60.3.1',
      address: '10.60.3.1',
      username: 'root',
    });
    const file = join(keyDir, 'ssh_config');
    writeFileSync(
      file,
      [
        'Host hmi',
        '  HostName 10.60.3.1',
        '  User patchsvc',
        '  IdentityFile /nonexistent/first_choice',
        `  IdentityFile ${keyPath}`,
        'Host historian',
        '  HostName 10.60.3.2',
        '  User patchsvc',
        '  IdentityFile ~/.ssh/id_other',
        '',
      ].join('\n'),
    );

    const result = await admin.call('hosts.importSshConfig', { source: { path: file } });
    expect(result).toMatchObject({ added: 1, updated: 1, unchanged: 0, skipped: [] });
    expect(result.identityFiles).toEqual([
      {
        path: keyPath,
        hosts: ['hmi'],
        credentialId: credential.id,
        credentialName: 'plant key',
      },
      {
        path: join(homedir(), '.ssh', 'id_other'),
        hosts: ['historian'],
        credentialId: null,
        credentialName: null,
      },
    ]);
    const hmi = await admin.call('hosts.get', { hostId: known.id });
    expect(hmi.name).toBe('hmi');
    expect(hmi.connection).toMatchObject({ username: 'patchsvc', credentialId: credential.id });
    expect(need(await hostsByName(admin), 'historian').connection.credentialId).toBeNull();

    // A credential given for the import goes to every host of the file.
    const everywhere = await admin.call('hosts.importSshConfig', {
      source: { path: file },
      credentialId: credential.id,
    });
    expect(everywhere).toMatchObject({ added: 0, updated: 1, unchanged: 1, identityFiles: [] });
    const after = await hostsByName(admin);
    expect(need(after, 'historian').connection.credentialId).toBe(credential.id);
  });

  it('reaches hops that are inventory hosts by address or by name, and skips what it cannot route', async () => {
    const jump = await admin.call('hosts.create', {
      name: 'dmz-jump',
      address: '10.70.0.1',
      username: 'ops',
    });
    await admin.call('hosts.create', { name: 'historian', address: '10.70.0.5', username: 'ops' });
    const text = [
      'Host by-address', // 1
      '  HostName 10.70.1.1', // 2
      '  User patchsvc', // 3
      '  ProxyJump 10.70.0.1', // 4
      'Host by-name', // 5
      '  HostName 10.70.1.2', // 6
      '  User patchsvc', // 7
      '  ProxyJump dmz-jump', // 8
      'Host nowhere', // 9
      '  HostName 10.70.1.3', // 10
      '  User patchsvc', // 11
      '  ProxyJump unknown-bastion', // 12
      'Host behind-nowhere', // 13
      '  HostName 10.70.1.4', // 14
      '  User patchsvc', // 15
      '  ProxyJump nowhere', // 16
      'Host loop-a', // 17
      '  HostName 10.70.2.1', // 18
      '  User patchsvc', // 19
      '  ProxyJump loop-b', // 20
      'Host loop-b', // 21
      '  HostName 10.70.2.2', // 22
      '  User patchsvc', // 23
      '  ProxyJump loop-a', // 24
      'Host no-user', // 25
      '  HostName 10.70.3.1', // 26
      'Host wrong-user', // 27
      '  HostName 10.70.3.2', // 28
      '  User patchsvc', // 29
      '  ProxyJump admin@dmz-jump', // 30
      'Host historian', // 31
      '  HostName 10.70.9.9', // 32
      '  User ops', // 33
      '',
    ].join('\n');

    const result = await admin.call('hosts.importSshConfig', { source: source(text) });
    expect(result).toMatchObject({ added: 2, updated: 0, unchanged: 0 });
    const reasons = new Map(result.skipped.map((s) => [s.host, s]));
    expect([...reasons.keys()]).toEqual([
      'nowhere',
      'behind-nowhere',
      'loop-a',
      'loop-b',
      'no-user',
      'wrong-user',
      'historian',
    ]);
    expect(reasons.get('nowhere')).toMatchObject({ line: 9 });
    expect(reasons.get('nowhere')?.reason).toMatch(
      /ProxyJump names unknown-bastion, which is neither a Host in this file nor a host in the inventory/,
    );
    expect(reasons.get('behind-nowhere')?.reason).toMatch(/jump host nowhere is not imported/);
    expect(reasons.get('loop-a')?.reason).toMatch(/lead back to loop-a/);
    expect(reasons.get('no-user')?.reason).toMatch(/No User is set/);
    // The file's historian is elsewhere than the inventory's host of that name.
    expect(reasons.get('historian')).toMatchObject({ line: 31 });
    expect(reasons.get('historian')?.reason).toMatch(
      /inventory has a host named historian at 10\.70\.0\.5:22, but this file reaches historian at 10\.70\.9\.9:22/,
    );
    expect(reasons.get('wrong-user')?.reason).toMatch(
      /logs in to dmz-jump as admin, but PatchDeck logs in to a jump host as that host's own user \(ops\)/,
    );

    const hosts = await hostsByName(admin);
    expect(need(hosts, 'by-address').connection.jumpHostId).toBe(jump.id);
    expect(need(hosts, 'by-name').connection.jumpHostId).toBe(jump.id);
    expect([...hosts.keys()].sort()).toEqual(['by-address', 'by-name', 'dmz-jump', 'historian']);
    expect(need(hosts, 'historian').connection.address).toBe('10.70.0.5');
  });

  it('gives an inventory hop of a chain its route, and refuses a chain that contradicts a route', async () => {
    const outer = await admin.call('hosts.create', {
      name: 'outer',
      address: '10.80.0.1',
      username: 'ops',
    });
    const innerHop = await admin.call('hosts.create', {
      name: 'inner-hop',
      address: '10.80.0.2',
      username: 'ops',
    });
    const chain = 'Host deep\n  HostName 10.80.1.1\n  User patchsvc\n  ProxyJump outer,inner-hop\n';
    const result = await admin.call('hosts.importSshConfig', { source: source(chain) });
    expect(result).toMatchObject({ added: 1, updated: 1, unchanged: 0, skipped: [] });
    const hosts = await hostsByName(admin);
    expect(need(hosts, 'deep').connection.jumpHostId).toBe(innerHop.id);
    expect(need(hosts, 'inner-hop').connection.jumpHostId).toBe(outer.id);

    // inner-hop is now reached through outer; a chain through another bastion contradicts it.
    await admin.call('hosts.create', { name: 'other', address: '10.80.0.3', username: 'ops' });
    const contradicting =
      'Host deeper\n  HostName 10.80.1.2\n  User patchsvc\n  ProxyJump other,inner-hop\n';
    const refused = await admin.call('hosts.importSshConfig', { source: source(contradicting) });
    expect(refused).toMatchObject({ added: 0, updated: 0 });
    expect(refused.skipped).toHaveLength(1);
    expect(refused.skipped[0]?.reason).toMatch(
      /reaches inner-hop through other, but inner-hop is reached through outer/,
    );
    expect((await admin.call('hosts.get', { hostId: innerHop.id })).connection.jumpHostId).toBe(
      outer.id,
    );
  });

  it.each([
    ['ProxyCommand', '  ProxyCommand nc -X connect -x proxy:3128 %h %p', /sets ProxyCommand/],
    ['Match exec', 'Match exec "test -f /etc/plant"', /uses "Match exec"/],
    ['Include', 'Include ~/.ssh/config.d/*', /uses Include/],
    ['CanonicalizeHostName', '  CanonicalizeHostName yes', /would look host names up in DNS/],
  ])('refuses a file with %s, naming its line, and writes nothing', async (_name, line, what) => {
    const text = [
      'Host bastion', // 1
      '  HostName 10.60.0.1', // 2
      '  User ops', // 3
      'Host web1', // 4
      '  HostName 10.60.1.1', // 5
      '  User patchsvc', // 6
      line, // 7
      '',
    ].join('\n');
    const before = await admin.call('audit.list', {});
    const error = await errorOf(
      admin.call('hosts.importSshConfig', { source: source(text, 'plant_config') }),
    );
    expect(error.code).toBe('SSH_CONFIG_UNSUPPORTED');
    expect(error.message).toMatch(/^Line 7 of plant_config /);
    expect(error.message).toMatch(what);
    expect(error.message).toMatch(/nothing was imported/);
    expect(error.details).toMatchObject({ line: 7 });
    expect((await admin.call('hosts.list', {})).total).toBe(0);
    // The refusal is in the audit log, as an error, and nothing else happened.
    const after = await admin.call('audit.list', {});
    expect(after.total).toBe(before.total + 1);
    expect(after.records[0]).toMatchObject({
      op: 'hosts.importSshConfig',
      outcome: 'error',
      errorCode: 'SSH_CONFIG_UNSUPPORTED',
    });
  });

  it('accepts "ProxyCommand none" and refuses files that are not text or too large', async () => {
    const text = 'Host a\n  HostName 10.90.0.1\n  User u\n  ProxyCommand none\n';
    expect(await admin.call('hosts.importSshConfig', { source: source(text) })).toMatchObject({
      added: 1,
    });
    const binary = {
      fileName: 'id_ed25519.png',
      contentBase64: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]).toString('base64'),
    };
    expect((await errorOf(admin.call('hosts.importSshConfig', { source: binary }))).code).toBe(
      'IMPORT_FILE_UNREADABLE',
    );
    const huge = source(`# ${'x'.repeat(1024 * 1024)}\n`);
    expect((await errorOf(admin.call('hosts.importSshConfig', { source: huge }))).code).toBe(
      'IMPORT_TOO_LARGE',
    );
    const missing = { path: join(keyDir, 'no-such-config') };
    expect((await errorOf(admin.call('hosts.importSshConfig', { source: missing }))).code).toBe(
      'IMPORT_FILE_UNREADABLE',
    );
  });
});
