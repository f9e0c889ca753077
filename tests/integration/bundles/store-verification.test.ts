import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { contentStorePath } from '../../../electron/core/bundles/content-store';
import { STORE_CHECK_AUDIT_OP } from '../../../electron/core/bundles/store-verification';
import type { ApiClient } from '../../../shared/api/client';
import { keyFingerprint } from '../../../shared/domain/bundle-manifest';
import {
  buildTestBundle,
  makePublisher,
  whenStoreChecked,
  writeRootFile,
  type TestBundle,
  type TestPublisher,
} from '../../helpers/bundle-kit';
import { createTestCore, withAdmin, type TestCore } from '../../helpers/test-core';

/*
 * REL-07 for real: after an import commits, every stored file of the bundle is read again from
 * the disk (O_DIRECT on Linux) in the background. A copy that does not read back as signed
 * quarantines the bundle. The destinations here are real: the workspace store on this machine's
 * disk, and an ext4 image on a loop device whose bytes change under the file system (needs root).
 */

const REPO = resolve(import.meta.dirname, '../../..');
const MiB = 1024 * 1024;

let t: TestCore | undefined;
let admin: ApiClient;
let work: string;
let publisher: TestPublisher;
const mounted: string[] = [];

function core(): TestCore {
  if (!t) throw new Error('No test core.');
  return t;
}

async function start(dir?: string): Promise<void> {
  t = await createTestCore(dir === undefined ? {} : { dir });
  admin = await withAdmin(t);
  await admin.call('trust.addPublisher', {
    rootPath: writeRootFile(work, publisher),
    confirmFingerprint: rootFingerprint(),
  });
}

function rootFingerprint(): string {
  return keyFingerprint(publisher.roots[0]?.signed.roles.root.keyids[0] ?? '');
}

/** Flips one byte of a stored file through the file system (a change after the write). */
function flipByteInStore(path: string, offset: number): void {
  chmodSync(path, 0o644);
  const fd = openSync(path, 'r+');
  try {
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, offset);
    one[0] = (one[0] ?? 0) ^ 0x5a;
    writeSync(fd, one, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

/** Calls `fn` synchronously when the import of the bundle commits (its `done` progress event). */
function onCommit(fn: () => void): () => void {
  return core().core.events.subscribe((event, payload) => {
    if (event === 'bundles.importProgress' && (payload as { phase: string }).phase === 'done') {
      fn();
    }
  });
}

function auditOfStoreChecks() {
  return core().core.workspace.all<{ outcome: string; error_code: string | null; details: string }>(
    'SELECT outcome, error_code, details FROM audit_log WHERE op = ? ORDER BY seq',
    [STORE_CHECK_AUDIT_OP],
  );
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'patchdeck-store-check-'));
  publisher = makePublisher();
});

afterEach(async () => {
  await t?.dispose();
  t = undefined;
  for (const mnt of mounted.splice(0).reverse()) execFileSync('umount', [mnt]);
  rmSync(work, { recursive: true, force: true });
});

describe('the store copy is checked again after the commit', () => {
  it('verifies a good copy in the background and records it in the audit log', async () => {
    await start();
    const bundle = await buildTestBundle(work, publisher, {
      packages: 2,
      randomFiles: [{ path: 'data/big.bin', bytes: 6 * MiB }],
    });
    const id = bundle.manifest.signed.bundleId;
    const checked = whenStoreChecked(core().core.events, id);
    const report = await admin.call('bundles.import', { source: bundle.dir });
    expect(report.bundle.storeStatus).toBe('verifying');
    const finished = await checked;
    expect(finished).toMatchObject({
      storeStatus: 'verified',
      corruptFiles: [],
      alsoQuarantined: [],
      bytes: report.verification.bytes,
      // This machine's store is on ext4: the check read the disk, not the page cache.
      readFromDisk: true,
    });
    const detail = await admin.call('bundles.get', { bundleId: id });
    expect(detail.storeStatus).toBe('verified');
    expect(auditOfStoreChecks()).toEqual([
      expect.objectContaining({ outcome: 'ok', error_code: null }),
    ]);
  });

  it('quarantines a bundle whose stored copy changed after the commit, with every bundle sharing the file; importing it again repairs it', async () => {
    await start();
    const first = await buildTestBundle(work, publisher, { packages: 1 });
    const firstId = first.manifest.signed.bundleId;
    const firstChecked = whenStoreChecked(core().core.events, firstId);
    await admin.call('bundles.import', { source: first.dir });
    expect((await firstChecked).storeStatus).toBe('verified');

    // A later bundle carries the very same .deb (same content in the store) and one of its own.
    const shared = first.manifest.signed.files[0]!;
    const second = await buildTestBundle(work, publisher, {
      sequence: 2,
      packages: 1,
      editManifest: (m) => {
        m.files.push({ ...shared });
        m.limits = {
          totalBytes: m.files.reduce((s, f) => s + f.length, 0),
          fileCount: m.files.length,
        };
      },
    });
    mkdirSync(join(second.dir, 'pool'), { recursive: true });
    copyFileSync(join(first.dir, shared.path), join(second.dir, shared.path));
    const secondId = second.manifest.signed.bundleId;
    const stored = contentStorePath(core().dir, shared.sha256);
    const original = readFileSync(stored);
    // The moment the import commits, before its store check reads anything: bit rot.
    const middle = Math.floor(shared.length / 2);
    const stop = onCommit(() => flipByteInStore(stored, middle));
    const checked = whenStoreChecked(core().core.events, secondId);
    const report = await admin.call('bundles.import', { source: second.dir });
    stop();
    expect(report.outcome).toBe('imported');
    const finished = await checked;
    expect(finished.storeStatus).toBe('corrupt');
    expect(finished.alsoQuarantined).toEqual([firstId]);
    expect(finished.corruptFiles).toHaveLength(1);
    const flipped = Buffer.from(original);
    flipped[middle] = (flipped[middle] ?? 0) ^ 0x5a;
    expect(finished.corruptFiles[0]).toEqual({
      path: shared.path,
      sha256: shared.sha256,
      length: shared.length,
      actualSha256: createHash('sha256').update(flipped).digest('hex'),
      actualLength: shared.length,
      error: null,
    });
    // Quarantined: the bad copy is gone from the store, both bundles say so, the audit has it.
    expect(existsSync(stored)).toBe(false);
    const list = await admin.call('bundles.list', {});
    expect(Object.fromEntries(list.map((b) => [b.bundleId, b.storeStatus]))).toEqual({
      [firstId]: 'corrupt',
      [secondId]: 'corrupt',
    });
    const audit = auditOfStoreChecks();
    expect(audit.at(-1)).toMatchObject({ outcome: 'error', error_code: 'BUNDLE_STORE_CORRUPT' });
    expect(JSON.parse(audit.at(-1)?.details ?? '{}')).toMatchObject({
      bundleId: secondId,
      corruptFiles: [
        {
          path: shared.path,
          sha256: shared.sha256,
          actualSha256: finished.corruptFiles[0]?.actualSha256,
        },
      ],
      removedFromStore: [shared.sha256],
      alsoQuarantined: [firstId],
    });

    // The media is still there: importing again copies the missing file and checks it again.
    const again = whenStoreChecked(core().core.events, secondId);
    const repaired = await admin.call('bundles.import', { source: second.dir });
    expect(repaired.outcome).toBe('repaired');
    expect(repaired.bytesStored).toBe(shared.length);
    expect((await again).storeStatus).toBe('verified');
    expect(readFileSync(stored).equals(original)).toBe(true);
    const firstAgain = whenStoreChecked(core().core.events, firstId);
    expect((await admin.call('bundles.import', { source: first.dir })).outcome).toBe('repaired');
    expect((await firstAgain).storeStatus).toBe('verified');
    expect((await admin.call('bundles.list', {})).map((b) => b.storeStatus)).toEqual([
      'verified',
      'verified',
    ]);
  });

  it('reads the disk, not the page cache: a device returning other bytes than were written is caught (loop device)', async () => {
    // The workspace lives on an ext4 image on a loop device: a small, real, flaky destination.
    const image = join(work, 'store.img');
    execFileSync('truncate', ['-s', '96M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', image]);
    const mnt = join(work, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-o', 'loop', image, mnt]);
    mounted.push(mnt);
    await start(join(mnt, 'workspace'));
    const bundle: TestBundle = await buildTestBundle(work, publisher, {
      packages: 1,
      randomFiles: [{ path: 'data/blob.bin', bytes: 3 * MiB }],
    });
    const blob = bundle.manifest.signed.files.find((f) => f.path === 'data/blob.bin')!;
    const source = readFileSync(join(bundle.dir, blob.path));
    const stored = contentStorePath(core().dir, blob.sha256);
    let cachedReadWasGood = false;
    const stop = onCommit(() => {
      // The copy was written past the page cache (O_DIRECT); an ordinary read puts it there.
      expect(readFileSync(stored).equals(source)).toBe(true);
      // Under the file system: change the bytes on the device itself (the image file) ...
      const disk = readFileSync(image);
      const at = disk.indexOf(source.subarray(4096, 4096 + 256));
      expect(at).toBeGreaterThan(0);
      expect(disk.indexOf(source.subarray(4096, 4096 + 256), at + 1)).toBe(-1);
      const fd = openSync(image, 'r+');
      writeSync(fd, Buffer.from([(disk[at + 10] ?? 0) ^ 0xff]), 0, 1, at + 10);
      closeSync(fd);
      // ... while the page cache still holds what was written: an ordinary read sees no change.
      cachedReadWasGood = readFileSync(stored).equals(source);
    });
    const checked = whenStoreChecked(core().core.events, bundle.manifest.signed.bundleId);
    await admin.call('bundles.import', { source: bundle.dir });
    stop();
    expect(cachedReadWasGood).toBe(true);
    const finished = await checked;
    expect(finished.readFromDisk).toBe(true);
    expect(finished.storeStatus).toBe('corrupt');
    expect(finished.corruptFiles.map((f) => f.path)).toEqual(['data/blob.bin']);
    expect(finished.corruptFiles[0]?.actualLength).toBe(blob.length);
    expect(finished.corruptFiles[0]?.actualSha256).not.toBe(blob.sha256);
    expect(existsSync(stored)).toBe(false);
    expect((await admin.call('bundles.list', {}))[0]?.storeStatus).toBe('corrupt');
  });

  it('checks again at the next start when a crash (SIGKILL) cut the check short', async () => {
    const dir = join(work, 'workspace');
    const bundle = await buildTestBundle(work, publisher, {
      packages: 1,
      randomFiles: [0, 1, 2, 3].map((i) => ({ path: `data/blob-${i}.bin`, bytes: 12 * MiB })),
    });
    const child = spawn(
      process.execPath,
      [
        '--import',
        './build/register-sql.mjs',
        '--import',
        'tsx',
        join(import.meta.dirname, 'store-check-crash.child.ts'),
        dir,
        bundle.dir,
        writeRootFile(work, publisher),
        rootFingerprint(),
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    const signal = await new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_code, s) => done(s)),
    );
    expect(signal, err).toBe('SIGKILL');
    expect(out).toContain('imported acme-security-stable-1 verifying');
    expect(out).toContain('killed-mid-check');
    expect(out).not.toContain('check-finished');

    // The next start finds the bundle still `verifying` and checks it again, to the end.
    t = await createTestCore({ dir });
    const status = () =>
      core().core.workspace.get<{ store_status: string }>(
        'SELECT store_status FROM bundles WHERE bundle_id = ?',
        ['acme-security-stable-1'],
      )?.store_status;
    const deadline = Date.now() + 60_000;
    while (status() === 'verifying' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status()).toBe('verified');
    expect(auditOfStoreChecks()).toEqual([expect.objectContaining({ outcome: 'ok' })]);
    expect(
      JSON.parse(auditOfStoreChecks()[0]?.details ?? '{}') as Record<string, unknown>,
    ).toMatchObject({ bundleId: 'acme-security-stable-1', files: 5, readFromDisk: true });
  });
});
