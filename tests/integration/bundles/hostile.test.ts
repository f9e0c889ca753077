import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { stagingRoot, storeRoot } from '../../../electron/core/bundles/content-store';
import { signBody } from '../../../electron/core/bundles/signing';
import type { ApiClient } from '../../../shared/api/client';
import type { ErrorCode } from '../../../shared/api/errors';
import { keyFingerprint } from '../../../shared/domain/bundle-manifest';
import {
  buildTestBundle,
  makePublisher,
  newKey,
  resign,
  rotate,
  tarBundle,
  writeManifest,
  writeRootFile,
  type TestBundle,
  type TestPublisher,
} from '../../helpers/bundle-kit';
import { createTestCore, withAdmin, type TestCore } from '../../helpers/test-core';

/*
 * The hostile-bundle suite: every way a bundle on a stick can lie is refused with its own error
 * code, and each refusal leaves nothing behind: no stored file, no staging folder, no bundle
 * row; the audit log records the refusal.
 */

let t: TestCore;
let admin: ApiClient;
let work: string;

beforeEach(async () => {
  t = await createTestCore();
  admin = await withAdmin(t);
  work = mkdtempSync(join(tmpdir(), 'patchdeck-hostile-'));
});

afterEach(async () => {
  await t.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function trust(p: TestPublisher, version = 1): Promise<void> {
  const root = p.roots.find((r) => r.signed.version === version);
  await admin.call('trust.addPublisher', {
    rootPath: writeRootFile(work, p, version),
    confirmFingerprint: keyFingerprint(root?.signed.roles.root.keyids[0] ?? ''),
  });
}

function storedObjects(): string[] {
  const dir = join(storeRoot(t.dir), 'sha256');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((sub) => readdirSync(join(dir, sub)));
}

/** Imports, expects the code, and checks that nothing at all was left behind. */
async function expectRefused(
  source: string,
  code: ErrorCode,
  before: { bundles: number; objects: number } = { bundles: 0, objects: 0 },
) {
  const error = await admin.call('bundles.import', { source }).then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string; details?: Record<string, unknown> },
  );
  expect(error?.code, error?.message).toBe(code);
  expect(storedObjects()).toHaveLength(before.objects);
  expect(existsSync(stagingRoot(t.dir)) ? readdirSync(stagingRoot(t.dir)) : []).toEqual([]);
  expect(await admin.call('bundles.list', {})).toHaveLength(before.bundles);
  const audit = await admin.call('audit.list', { filter: { op: 'bundles.import' } });
  expect(audit.records[0]).toMatchObject({ outcome: 'error', errorCode: code });
  const attempts = t.core.workspace.all<{ outcome: string; error_code: string }>(
    "SELECT outcome, error_code FROM bundle_import_attempts WHERE outcome = 'refused'",
  );
  expect(attempts.at(-1)).toEqual({ outcome: 'refused', error_code: code });
  return error;
}

describe('signatures and trust', () => {
  it('refuses a bad signature by a trusted key', async () => {
    const p = makePublisher();
    await trust(p);
    const b = await buildTestBundle(work, p);
    const forged = signBody({ ...b.manifest.signed, sequence: 99 }, p.targetsKeys[0]!);
    writeManifest(b, { signed: b.manifest.signed, signatures: [forged] });
    await expectRefused(b.dir, 'BUNDLE_SIGNATURE_INVALID');
  });

  it('refuses a bundle signed only by a key the root does not list', async () => {
    const p = makePublisher();
    await trust(p);
    const b = await buildTestBundle(work, p, { signers: [newKey()] });
    await expectRefused(b.dir, 'BUNDLE_UNTRUSTED_KEY');
  });

  it('does not count a root key as a bundle-signing key (UPD-03)', async () => {
    const p = makePublisher();
    await trust(p);
    const b = await buildTestBundle(work, p, { signers: p.rootKeys });
    const error = await expectRefused(b.dir, 'BUNDLE_UNTRUSTED_KEY');
    expect(JSON.stringify(error?.details)).toContain('root-only');
  });

  it('refuses 1 of 2 required signatures (UPD-01)', async () => {
    const p = makePublisher('two-key-pub', { targetsKeys: 2, targetsThreshold: 2 });
    await trust(p);
    const b = await buildTestBundle(work, p, { signers: [p.targetsKeys[0]!] });
    const error = await expectRefused(b.dir, 'BUNDLE_THRESHOLD_NOT_MET');
    expect(error?.message).toContain('(1/2)');
  });

  it('counts the same signature listed twice once (UPD-02)', async () => {
    const p = makePublisher('two-key-pub', { targetsKeys: 2, targetsThreshold: 2 });
    await trust(p);
    const b = await buildTestBundle(work, p, { signers: [p.targetsKeys[0]!] });
    const sig = b.manifest.signatures[0]!;
    writeManifest(b, { signed: b.manifest.signed, signatures: [sig, sig] });
    await expectRefused(b.dir, 'BUNDLE_SIGNATURE_DUPLICATE');
  });

  it('refuses a bundle from a publisher nobody trusted', async () => {
    const b = await buildTestBundle(work, makePublisher('stranger'));
    await expectRefused(b.dir, 'BUNDLE_PUBLISHER_NOT_TRUSTED');
  });

  it('refuses a revoked key', async () => {
    const p = makePublisher('rev-pub', { targetsKeys: 2, targetsThreshold: 1 });
    await trust(p);
    const [pub] = await admin.call('trust.list', {});
    const keyid = b64KeyId(pub, 1);
    await admin.call('trust.revokeKey', { keyid, reason: 'Laptop stolen' });
    const revokedKey = p.targetsKeys.find((k) => signBody({}, k).keyid === keyid)!;
    const b = await buildTestBundle(work, p, { signers: [revokedKey] });
    const error = await expectRefused(b.dir, 'BUNDLE_UNTRUSTED_KEY');
    expect(JSON.stringify(error?.details)).toContain('revoked');
  });
});

function b64KeyId(
  pub: { keys: { keyid: string; roles: string[] }[] } | undefined,
  nth: number,
): string {
  return pub?.keys.filter((k) => k.roles.includes('targets'))[nth]?.keyid ?? '';
}

describe('payload', () => {
  let p: TestPublisher;
  let b: TestBundle;
  beforeEach(async () => {
    p = makePublisher();
    await trust(p);
    b = await buildTestBundle(work, p, { packages: 3 });
  });

  it('refuses one byte changed (UPD-04)', async () => {
    const file = join(b.dir, b.files[1]!.path);
    const bytes = readFileSync(file);
    const at = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    writeFileSync(file, bytes);
    const error = await expectRefused(b.dir, 'BUNDLE_HASH_MISMATCH');
    expect(error?.details).toMatchObject({ file: b.files[1]!.path });
  });

  it('refuses payload from another bundle (mix-and-match, UPD-10)', async () => {
    const other = await buildTestBundle(work, p, { packages: 3, sequence: 2 });
    const target = join(b.dir, b.files[0]!.path);
    // Same length as the signed file, so only the hash can tell them apart.
    const length = statSync(target).size;
    const foreign = readFileSync(join(other.dir, other.files[0]!.path));
    writeFileSync(target, Buffer.concat([foreign, Buffer.alloc(length)]).subarray(0, length));
    await expectRefused(b.dir, 'BUNDLE_HASH_MISMATCH');
  });

  it('refuses and names an extra file (UPD-06)', async () => {
    writeFileSync(join(b.dir, 'pool', 'surprise.deb'), 'not listed');
    const error = await expectRefused(b.dir, 'BUNDLE_FILE_EXTRA');
    expect(error?.details).toEqual({ files: ['pool/surprise.deb'] });
  });

  it('refuses and lists every missing file (UPD-07)', async () => {
    unlinkSync(join(b.dir, b.files[0]!.path));
    unlinkSync(join(b.dir, b.files[2]!.path));
    const error = await expectRefused(b.dir, 'BUNDLE_FILE_MISSING');
    expect(error?.details).toEqual({ files: [b.files[0]!.path, b.files[2]!.path] });
  });

  it('refuses a file longer than its signed length (UPD-05)', async () => {
    appendFileSync(join(b.dir, b.files[0]!.path), Buffer.alloc(4096, 1));
    await expectRefused(b.dir, 'BUNDLE_FILE_TOO_LARGE');
  });

  it('refuses a payload that is a symlink (ARC-03)', async () => {
    const file = join(b.dir, b.files[0]!.path);
    const elsewhere = join(work, 'elsewhere.deb');
    writeFileSync(elsewhere, readFileSync(file));
    unlinkSync(file);
    symlinkSync(elsewhere, file);
    await expectRefused(b.dir, 'BUNDLE_UNSAFE_ENTRY');
  });

  it('refuses a manifest larger than the metadata limit before parsing it (UPD-16)', async () => {
    writeFileSync(join(b.dir, 'manifest.json'), Buffer.alloc(17 * 1024 * 1024, 0x20));
    await expectRefused(b.dir, 'BUNDLE_METADATA_TOO_LARGE');
  });
});

describe('paths', () => {
  it.each([
    ['../evil.deb', 'dot-segment'],
    ['/etc/cron.d/evil.deb', 'absolute'],
    ['pool\\evil.deb', 'backslash'],
    ['C:/Windows/evil.deb', 'drive-or-stream'],
    ['pool/CON.deb', 'windows-reserved-name'],
  ])('refuses the signed path %s (UPD-17)', async (path, reason) => {
    const p = makePublisher();
    await trust(p);
    const b = await buildTestBundle(work, p, {
      packages: 1,
      editManifest: (m) => {
        const old = m.files[0]!.path;
        m.files[0]!.path = path;
        for (const patch of m.patches) {
          for (const pkg of patch.packages) if (pkg.file === old) pkg.file = path;
        }
      },
    });
    const error = await expectRefused(b.dir, 'BUNDLE_UNSAFE_PATH');
    expect(error?.details).toMatchObject({ path, reason });
  });

  it('refuses names that collide on case-insensitive disks (ARC-08)', async () => {
    const p = makePublisher();
    await trust(p);
    const b = await buildTestBundle(work, p, {
      packages: 2,
      editManifest: (m) => {
        m.files[1]!.path = m.files[0]!.path.toUpperCase();
        m.patches[1]!.packages[0]!.file = m.files[1]!.path;
      },
    });
    const error = await expectRefused(b.dir, 'BUNDLE_UNSAFE_PATH');
    expect(error?.details).toMatchObject({ reason: 'collision' });
  });
});

describe('freshness', () => {
  it('refuses an expired bundle (UPD-11)', async () => {
    const p = makePublisher();
    await trust(p);
    const b = await buildTestBundle(work, p, { expires: '2026-02-28T00:00:00.000Z' });
    const error = await expectRefused(b.dir, 'BUNDLE_EXPIRED');
    expect(error?.details).toMatchObject({ checkedAt: '2026-03-01T08:00:00.000Z' });
  });

  it('refuses sequence 1 after 2 on the same channel (UPD-08)', async () => {
    const p = makePublisher();
    await trust(p);
    const newer = await buildTestBundle(work, p, { sequence: 2 });
    const older = await buildTestBundle(work, p, { sequence: 1 });
    await admin.call('bundles.import', { source: newer.dir });
    const objects = storedObjects().length;
    const error = await expectRefused(older.dir, 'BUNDLE_ROLLBACK', { bundles: 1, objects });
    expect(error?.details).toMatchObject({ offered: 1, highest: 2 });
  });

  it('refuses a newer sequence signed earlier than one already accepted (UPD-12)', async () => {
    const p = makePublisher();
    await trust(p);
    const first = await buildTestBundle(work, p, { sequence: 5, created: '2026-02-20T00:00:00Z' });
    const replay = await buildTestBundle(work, p, { sequence: 6, created: '2026-02-10T00:00:00Z' });
    await admin.call('bundles.import', { source: first.dir });
    const objects = storedObjects().length;
    await expectRefused(replay.dir, 'BUNDLE_TIME_RATCHET', { bundles: 1, objects });
  });
});

describe('tar archives', () => {
  let p: TestPublisher;
  let b: TestBundle;
  beforeEach(async () => {
    p = makePublisher();
    await trust(p);
    b = await buildTestBundle(work, p, { packages: 2, payloadBytes: 200_000 });
  });

  it('refuses a truncated archive', async () => {
    const tar = await tarBundle(b, join(work, 'cut.tar'));
    truncateSync(tar, Math.floor(statSync(tar).size * 0.7));
    await expectRefused(tar, 'BUNDLE_ARCHIVE_CORRUPT');
  });

  it('refuses a symlink entry (ARC-03)', async () => {
    symlinkSync('/etc/passwd', join(b.dir, 'pool', 'link.deb'));
    await expectRefused(
      await tarBundle(b, join(work, 'l.tar'), ['pool/link.deb']),
      'BUNDLE_UNSAFE_ENTRY',
    );
  });

  it('refuses a hardlink entry (ARC-04)', async () => {
    linkSync(join(b.dir, b.files[0]!.path), join(b.dir, 'pool', 'hard.deb'));
    const tar = await tarBundle(b, join(work, 'h.tar'), ['pool/hard.deb']);
    const listing = execFileSync('tar', ['-tvf', tar], { encoding: 'utf8' });
    expect(listing).toMatch(/^h.*pool\/hard\.deb link to/m);
    await expectRefused(tar, 'BUNDLE_UNSAFE_ENTRY');
  });

  it('refuses a device entry (ARC-05)', async () => {
    execFileSync('mknod', [join(b.dir, 'pool', 'null.deb'), 'c', '1', '3']);
    // node-tar does not write device entries; GNU tar appends one as a hostile tool would.
    const tar = await tarBundle(b, join(work, 'd.tar'));
    execFileSync('tar', ['--append', '-f', tar, '-C', b.dir, 'pool/null.deb']);
    expect(execFileSync('tar', ['-tvf', tar], { encoding: 'utf8' })).toMatch(
      /^c.*pool\/null\.deb/m,
    );
    await expectRefused(tar, 'BUNDLE_UNSAFE_ENTRY');
  });

  it('refuses an extra file inside the archive', async () => {
    writeFileSync(join(b.dir, 'pool', 'extra.deb'), 'x');
    await expectRefused(
      await tarBundle(b, join(work, 'e.tar'), ['pool/extra.deb']),
      'BUNDLE_FILE_EXTRA',
    );
  });
});

describe('package control data at import (UPD-19)', () => {
  let p: TestPublisher;
  beforeEach(async () => {
    p = makePublisher();
    await trust(p);
  });

  it('refuses a .deb whose control Version is not the signed one', async () => {
    const b = await buildTestBundle(work, p, {
      packages: 2,
      editManifest: (m) => {
        const pkg = m.patches[1]?.packages[0];
        if (pkg) pkg.version = '9.9.9-1';
      },
    });
    const error = await expectRefused(b.dir, 'BUNDLE_PACKAGE_CONTROL_MISMATCH');
    expect(error?.details).toMatchObject({
      file: b.files[1]!.path,
      expected: { name: 'pd-test-1', version: '9.9.9-1', arch: 'all' },
      actual: { name: 'pd-test-1', version: '1.1.1-1', arch: 'all' },
      fields: ['version'],
    });
  });

  it('refuses a wrong Package and Architecture read from a .tar bundle', async () => {
    const b = await buildTestBundle(work, p, {
      packages: 1,
      editManifest: (m) => {
        const pkg = m.patches[0]?.packages[0];
        if (pkg) Object.assign(pkg, { name: 'openssl', arch: 'amd64' });
      },
    });
    const error = await expectRefused(
      await tarBundle(b, join(work, 'c.tar')),
      'BUNDLE_PACKAGE_CONTROL_MISMATCH',
    );
    expect(error?.details).toMatchObject({ fields: ['name', 'arch'] });
  });

  it('refuses a file declared as a .deb that is not one', async () => {
    const b = await buildTestBundle(work, p, {
      packages: 1,
      randomFiles: [{ path: 'pool/fake_1.0_all.deb', bytes: 4096 }],
      editManifest: (m) => {
        m.patches.push({
          ...m.patches[0]!,
          id: 'DSA-9999-1',
          packages: [
            {
              name: 'fake',
              version: '1.0',
              arch: 'all',
              file: 'pool/fake_1.0_all.deb',
              kind: 'deb',
            },
          ],
        });
      },
    });
    const error = await expectRefused(b.dir, 'BUNDLE_PACKAGE_CONTROL_MISMATCH');
    expect(error?.details).toMatchObject({
      file: 'pool/fake_1.0_all.deb',
      reason: 'not an ar archive',
    });
  });

  it('checks the stored copy when the store already holds the content', async () => {
    const first = await buildTestBundle(work, p, { packages: 1 });
    await admin.call('bundles.import', { source: first.dir });
    const objects = storedObjects().length;
    // A later bundle carries the very same .deb file but signs another version for it.
    const second = await buildTestBundle(work, p, {
      sequence: 2,
      packages: 0,
      randomFiles: [],
      editManifest: (m) => {
        const f = first.manifest.signed.files[0]!;
        m.files.push({ ...f });
        m.limits = { totalBytes: f.length, fileCount: 1 };
        m.patches.push({
          ...first.manifest.signed.patches[0]!,
          id: 'DSA-6000-1',
          packages: [{ ...first.manifest.signed.patches[0]!.packages[0]!, version: '2.0-1' }],
        });
      },
    });
    mkdirSync(join(second.dir, 'pool'), { recursive: true });
    copyFileSync(join(first.dir, first.files[0]!.path), join(second.dir, first.files[0]!.path));
    const error = await expectRefused(second.dir, 'BUNDLE_PACKAGE_CONTROL_MISMATCH', {
      bundles: 1,
      objects,
    });
    expect(error?.details).toMatchObject({ fields: ['version'] });
  });
});

describe('root rotation (UPD-14, UPD-15)', () => {
  it('accepts 1 -> 2 -> 3 carried by a bundle and then trusts root 3', async () => {
    const p1 = makePublisher('rotor');
    await trust(p1);
    const p3 = rotate(rotate(p1));
    const b = await buildTestBundle(work, p3);
    const report = await admin.call('bundles.import', { source: b.dir });
    expect(report.verification.rootsAccepted).toEqual([2, 3]);
    const [pub] = await admin.call('trust.list', {});
    expect(pub?.rootVersion).toBe(3);
    const oldTargets = p1.roots[0]!.signed.roles.targets.keyids[0];
    expect(pub?.keys.find((k) => k.keyid === oldTargets)?.status).toBe('revoked');
    // The old bundle-signing key no longer counts.
    const stale = await buildTestBundle(work, p1, { sequence: 9, roots: p3.roots });
    await expectRefused(stale.dir, 'BUNDLE_UNTRUSTED_KEY', {
      bundles: 1,
      objects: storedObjects().length,
    });
  });

  it('refuses root 3 offered straight after root 1', async () => {
    const p1 = makePublisher('rotor');
    await trust(p1);
    const p3 = rotate(rotate(p1));
    const b = await buildTestBundle(work, p3, { roots: [p3.roots[0]!, p3.roots[2]!] });
    await expectRefused(b.dir, 'BUNDLE_ROOT_ROTATION_INVALID');
    const [pub] = await admin.call('trust.list', {});
    expect(pub?.rootVersion).toBe(1);
  });

  it('refuses root 2 not signed by the old root keys, and keeps root 1', async () => {
    const p1 = makePublisher('rotor');
    await trust(p1);
    const p2 = rotate(p1, 'new-only');
    const b = await buildTestBundle(work, p2);
    await expectRefused(b.dir, 'BUNDLE_ROOT_ROTATION_INVALID');
    expect((await admin.call('trust.list', {}))[0]?.rootVersion).toBe(1);
  });
});

describe('trust store', () => {
  it('refuses a root whose fingerprint the operator did not confirm', async () => {
    const p = makePublisher();
    const other = makePublisher('other');
    await expect(
      admin.call('trust.addPublisher', {
        rootPath: writeRootFile(work, p),
        confirmFingerprint: keyFingerprint(other.roots[0]!.signed.roles.root.keyids[0]!),
      }),
    ).rejects.toMatchObject({ code: 'TRUST_FINGERPRINT_MISMATCH' });
    expect(await admin.call('trust.list', {})).toEqual([]);
    const audit = await admin.call('audit.list', { filter: { op: 'trust.addPublisher' } });
    expect(audit.records[0]).toMatchObject({ errorCode: 'TRUST_FINGERPRINT_MISMATCH' });
  });

  it('re-signing does not make an unknown key trusted', async () => {
    const p = makePublisher();
    await trust(p);
    const b = await buildTestBundle(work, p);
    writeManifest(b, resign(b.manifest, [newKey(), newKey()]));
    await expectRefused(b.dir, 'BUNDLE_UNTRUSTED_KEY');
  });
});
