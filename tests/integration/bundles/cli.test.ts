import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { keyFingerprint } from '../../../shared/domain/bundle-manifest';
import { makeDeb } from '../../helpers/bundle-kit';
import { referenceData } from '../../helpers/reference-data';
import { createTestCore, withAdmin } from '../../helpers/test-core';
import { buildCli, type BuiltCli } from '../cli/cli-kit';

const OSV_DSA = referenceData('osv-records-osvdev', 'DSA-3029-1.json');
/** CISA's KEV catalog 2025.08.25, read in place. */
const KEV = referenceData('cisa-kev', 'known_exploited_vulnerabilities.json');

let cli: BuiltCli;
let work: string;
const saved = process.env['PATCHDECK_KEY_PASSPHRASE'];

beforeAll(async () => {
  cli = await buildCli('bundles');
  work = mkdtempSync(join(tmpdir(), 'patchdeck-bundle-cli-'));
  process.env['PATCHDECK_KEY_PASSPHRASE'] = 'correct horse battery staple';
}, 180_000);

afterAll(() => {
  cli.remove();
  rmSync(work, { recursive: true, force: true });
  if (saved === undefined) delete process.env['PATCHDECK_KEY_PASSPHRASE'];
  else process.env['PATCHDECK_KEY_PASSPHRASE'] = saved;
});

describe('patchdeck keys and bundle', () => {
  let rootFile: string;
  let targetsKey: string;

  it('generates an encrypted Ed25519 key, mode 0600, and prints its id and fingerprint', () => {
    const r = cli.run('keys', 'generate', '--out', join(work, 'root'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { keyid: string; fingerprint: string; privateKey: string };
    expect(info.keyid).toMatch(/^[0-9a-f]{64}$/);
    expect(info.fingerprint).toBe(keyFingerprint(info.keyid));
    expect(statSync(info.privateKey).mode & 0o777).toBe(0o600);
    expect(readFileSync(info.privateKey, 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    const t = cli.run('keys', 'generate', '--out', join(work, 'targets'));
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain('Fingerprint:');
    targetsKey = join(work, 'targets.key');
  });

  it('refuses a key it cannot decrypt', () => {
    const bad = join(work, 'bad-pass');
    writeFileSync(bad, 'not the passphrase at all');
    const r = cli.run(
      'keys',
      'root',
      'init',
      '--publisher',
      'x',
      '--root-key',
      join(work, 'root.pub'),
      '--targets-key',
      join(work, 'targets.pub'),
      '--sign-key',
      join(work, 'root.key'),
      '--out',
      join(work, 'never.root.json'),
      '--passphrase-file',
      bad,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('wrong passphrase');
  });

  it('creates root 1 and a bundle from real .deb files and an OSV record, and verifies it', () => {
    rootFile = join(work, '1.root.json');
    const init = cli.run(
      'keys',
      'root',
      'init',
      '--publisher',
      'acme-security',
      '--root-key',
      join(work, 'root.pub'),
      '--targets-key',
      join(work, 'targets.pub'),
      '--sign-key',
      join(work, 'root.key'),
      '--out',
      rootFile,
    );
    expect(init.code, init.stderr).toBe(0);

    const debs = join(work, 'debs');
    mkdirSync(debs);
    // The OSV record DSA-3029-1 fixes nginx in 1.2.1-2.2+wheezy3; a package of that version.
    makeDeb(debs, { name: 'nginx', version: '1.2.1-2.2+wheezy3' });
    const own = makeDeb(debs, { name: 'pd-agent', version: '2.0-1', arch: 'amd64' });
    const advisories = join(work, 'advisories.json');
    writeFileSync(
      advisories,
      JSON.stringify({
        format: 'patchdeck-advisories/1',
        patches: [
          {
            id: 'PD-2026-001',
            title: 'pd-agent 2.0',
            vendor: 'Acme',
            severity: 'high',
            releasedAt: '2026-01-20',
            // CVE-2025-48384 is on the KEV list; CVE-2014-3616 (nginx, DSA-3029-1) is not.
            cves: ['CVE-2026-1000', 'CVE-2025-48384'],
            os: { family: 'debian', releases: ['12'] },
            packages: [
              { name: 'pd-agent', version: '2.0-1', arch: 'amd64', file: own.split('/').pop() },
            ],
            preSteps: [{ step: 'check-disk-space', args: { megabytes: '200' } }],
          },
        ],
      }),
    );
    const osv = join(work, 'DSA-3029-1.json');
    copyFileSync(OSV_DSA, osv);
    const create = cli.run(
      'bundle',
      'create',
      '--from',
      debs,
      '--advisories',
      advisories,
      '--advisories',
      osv,
      '--channel',
      'stable',
      '--sequence',
      '1',
      '--expires',
      '2099-01-01',
      '--key',
      targetsKey,
      '--root',
      rootFile,
      '--out',
      join(work, 'bundle.tar'),
      '--kev',
      KEV,
    );
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain('2 patch(es), 2 file(s)');
    expect(create.stdout).toMatch(
      /KEV catalog 2025\.08\.25 \(\d{4} CVEs\): 1 of 2 patch\(es\) fix a known exploited/,
    );

    const ok = cli.run('bundle', 'verify', join(work, 'bundle.tar'), '--trust', rootFile, '--json');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      signatures: '1/1',
      trust: 'pinned',
      patches: 2,
    });
  });

  it('says exit 1 with the reason for a tampered bundle', () => {
    const dir = join(work, 'bundle-dir');
    const create = cli.run(
      'bundle',
      'create',
      '--from',
      join(work, 'debs'),
      '--advisories',
      join(work, 'advisories.json'),
      '--channel',
      'stable',
      '--sequence',
      '2',
      '--expires',
      '2099-01-01',
      '--key',
      targetsKey,
      '--root',
      rootFile,
      '--out',
      dir,
    );
    expect(create.code, create.stderr).toBe(0);
    expect(cli.run('bundle', 'verify', dir, '--trust', rootFile).code).toBe(0);
    const deb = join(dir, 'pd-agent_2.0-1_amd64.deb');
    const bytes = readFileSync(deb);
    bytes.writeUInt8(bytes.readUInt8(100) ^ 1, 100);
    writeFileSync(deb, bytes);
    const bad = cli.run('bundle', 'verify', dir, '--trust', rootFile);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('BUNDLE_HASH_MISMATCH');
  });

  it('refuses to build from a .deb whose control data disagrees with the metadata (UPD-19)', () => {
    const wrong = join(work, 'wrong.json');
    const meta = JSON.parse(readFileSync(join(work, 'advisories.json'), 'utf8')) as {
      patches: { packages: { version: string }[] }[];
    };
    meta.patches[0]!.packages[0]!.version = '9.9-9';
    writeFileSync(wrong, JSON.stringify(meta));
    const r = cli.run(
      'bundle',
      'create',
      '--from',
      join(work, 'debs'),
      '--advisories',
      wrong,
      '--channel',
      'stable',
      '--sequence',
      '3',
      '--expires',
      '2099-01-01',
      '--key',
      targetsKey,
      '--root',
      rootFile,
      '--out',
      join(work, 'never'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('BUNDLE_PACKAGE_MISMATCH');
  });

  it('produces a bundle the core imports after the root is trusted by fingerprint', async () => {
    const t = await createTestCore();
    try {
      const admin = await withAdmin(t);
      const inspected = await admin.call('bundles.inspect', { source: rootFile });
      expect(inspected.kind).toBe('root');
      const rootKey = inspected.rootKeys.find((k) => k.roles.includes('root'));
      await admin.call('trust.addPublisher', {
        rootPath: rootFile,
        confirmFingerprint: rootKey?.fingerprint ?? '',
      });
      const report = await admin.call('bundles.import', { source: join(work, 'bundle.tar') });
      expect(report.outcome).toBe('imported');
      const patches = await admin.call('bundles.listPatches', {});
      const nginx = patches.find((p) => p.patchId === 'DSA-3029-1');
      expect(nginx).toMatchObject({
        cves: ['CVE-2014-3616'],
        advisories: [{ id: 'DSA-3029-1', kind: 'DSA' }],
        os: { family: 'debian', releases: ['7'] },
      });
      expect(nginx?.packages[0]).toMatchObject({ name: 'nginx', version: '1.2.1-2.2+wheezy3' });
      expect(nginx?.knownExploited).toBe(false);
      expect(patches.find((p) => p.patchId === 'PD-2026-001')?.knownExploited).toBe(true);
      // The catalog's KEV filter, end to end from the KEV feed to the query.
      const exploited = await admin.call('catalog.list', { filter: { knownExploited: true } });
      expect(exploited.patches.map((p) => [p.patchId, p.knownExploited])).toEqual([
        ['PD-2026-001', true],
      ]);
      const others = await admin.call('catalog.list', { filter: { knownExploited: false } });
      expect(others.patches.map((p) => [p.patchId, p.knownExploited])).toEqual([
        ['DSA-3029-1', false],
      ]);
    } finally {
      await t.dispose();
    }
  });
});
