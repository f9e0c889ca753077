import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { listPatches } from '../../../electron/core/bundles/bundles.repository';
import { contentStorePath, stagingRoot } from '../../../electron/core/bundles/content-store';
import type { ApiClient } from '../../../shared/api/client';
import { keyFingerprint } from '../../../shared/domain/bundle-manifest';
import {
  buildTestBundle,
  makePublisher,
  tarBundle,
  whenStoreChecked,
  writeRootFile,
  type TestPublisher,
} from '../../helpers/bundle-kit';
import { createTestCore, withAdmin, withOperator, type TestCore } from '../../helpers/test-core';

let t: TestCore;
let admin: ApiClient;
let work: string;
let publisher: TestPublisher;

async function trust(client: ApiClient, p: TestPublisher, version = 1): Promise<void> {
  const rootPath = writeRootFile(work, p, version);
  const root = p.roots.find((r) => r.signed.version === version);
  const keyid = root?.signed.roles.root.keyids[0] ?? '';
  await client.call('trust.addPublisher', { rootPath, confirmFingerprint: keyFingerprint(keyid) });
}

beforeEach(async () => {
  t = await createTestCore();
  admin = await withAdmin(t);
  work = mkdtempSync(join(tmpdir(), 'patchdeck-bundles-'));
  publisher = makePublisher();
});

afterEach(async () => {
  await t.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('bundle import from a folder of real .deb packages', () => {
  it('verifies, stores every file by its hash, records bundle and patches, and reports progress', async () => {
    await trust(admin, publisher);
    const bundle = await buildTestBundle(work, publisher, { packages: 3, payloadBytes: 300_000 });
    const progress: { phase: string; bytesDone: number; bytesTotal: number }[] = [];
    const stop = t.core.events.subscribe((event, payload) => {
      if (event === 'bundles.importProgress') progress.push(payload as (typeof progress)[number]);
    });
    const report = await admin.call('bundles.import', { source: bundle.dir, taskId: 'imp1' });
    stop();

    expect(report.outcome).toBe('imported');
    expect(report.bundle.bundleId).toBe('acme-security-stable-1');
    expect(report.verification.validSignatures).toBe(1);
    const total = bundle.manifest.signed.files.reduce((s, f) => s + f.length, 0);
    expect(report.bytesRead).toBe(total);
    for (const f of bundle.manifest.signed.files) {
      const stored = readFileSync(contentStorePath(t.dir, f.sha256));
      expect(createHash('sha256').update(stored).digest('hex')).toBe(f.sha256);
      expect(stored.equals(readFileSync(join(bundle.dir, f.path)))).toBe(true);
    }
    expect(readdirSync(stagingRoot(t.dir))).toEqual([]);
    expect(progress.at(-1)?.phase).toBe('done');
    expect(progress.some((p) => p.phase === 'copying')).toBe(true);

    const patches = listPatches(t.core.workspace);
    expect(patches.map((p) => p.patchId)).toEqual(['DSA-5010-1', 'DSA-5011-1', 'DSA-5012-1']);
    expect(patches[0]?.packages[0]?.sha256).toBe(bundle.manifest.signed.files[0]?.sha256);
    expect(await admin.call('bundles.listPatches', {})).toEqual(patches);

    const again = await admin.call('bundles.import', { source: bundle.dir });
    expect(again.outcome).toBe('already-imported');
    expect(await admin.call('bundles.list', {})).toHaveLength(1);
    const detail = await admin.call('bundles.get', { bundleId: 'acme-security-stable-1' });
    expect(detail.fileList).toHaveLength(3);
    const [pub] = await admin.call('trust.list', {});
    expect(pub?.keys.find((k) => k.roles.includes('targets'))?.bundlesVerified).toBe(1);
  });

  it.each(['folder', 'tar'] as const)(
    'reports progress over the bundle size until the commit, then the store check on its own (%s)',
    async (kind) => {
      await trust(admin, publisher);
      const bundle = await buildTestBundle(work, publisher, {
        packages: 1,
        randomFiles: [0, 1, 2, 3].map((i) => ({ path: `data/blob-${i}.bin`, bytes: 12 << 20 })),
      });
      const source = kind === 'tar' ? await tarBundle(bundle, join(work, 'p.tar')) : bundle.dir;
      const total = bundle.manifest.signed.files.reduce((s, f) => s + f.length, 0);
      const events: { phase: string; bytesDone: number; bytesTotal: number }[] = [];
      const checks: { bytesDone: number; bytesTotal: number }[] = [];
      const stop = t.core.events.subscribe((event, payload) => {
        if (event === 'bundles.importProgress') events.push(payload as (typeof events)[number]);
        if (event === 'bundles.storeVerificationProgress') {
          checks.push(payload as (typeof checks)[number]);
        }
      });
      const checked = whenStoreChecked(t.core.events, bundle.manifest.signed.bundleId);
      const report = await admin.call('bundles.import', { source });
      expect(report.bytesRead).toBe(total);
      expect(report.bundle.storeStatus).toBe('verifying');
      const copying = events.filter((e) => e.phase === 'copying');
      expect(copying.length).toBeGreaterThan(0);
      // The bundle's bytes, once.
      for (const e of copying) expect(e.bytesTotal).toBe(total);
      for (const e of copying) expect(e.bytesDone).toBeLessThanOrEqual(e.bytesTotal);
      const phases = events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
      expect(phases).toEqual(['verifying-metadata', 'copying', 'recording', 'done']);
      const bytes = copying.map((e) => e.bytesDone);
      expect(bytes).toEqual([...bytes].sort((a, b) => a - b));

      // After the commit: the store copy is read again, with its own progress and end.
      const finished = await checked;
      stop();
      expect(finished).toMatchObject({ storeStatus: 'verified', bytes: total, corruptFiles: [] });
      expect(checks.length).toBeGreaterThan(1);
      for (const c of checks) expect(c.bytesTotal).toBe(total);
      expect(checks.at(-1)?.bytesDone).toBe(total);
      const [listed] = await admin.call('bundles.list', {});
      expect(listed?.storeStatus).toBe('verified');
      expect(listed?.storeCheckedAt).toBe('2026-03-01T08:00:00.000Z');
    },
  );

  it('keeps the KEV flag as the bundle states it: yes, no, or not said', async () => {
    await trust(admin, publisher);
    const bundle = await buildTestBundle(work, publisher, {
      packages: 3,
      editManifest: (m) => {
        const [a, b] = m.patches;
        if (a) a.knownExploited = true;
        if (b) b.knownExploited = false;
      },
    });
    await admin.call('bundles.import', { source: bundle.dir });
    const patches = await admin.call('bundles.listPatches', {});
    expect(patches.map((p) => [p.patchId, p.knownExploited])).toEqual([
      ['DSA-5010-1', true],
      ['DSA-5011-1', false],
      ['DSA-5012-1', null],
    ]);
    expect(
      t.core.workspace.all<{ patch_id: string; known_exploited: number | null }>(
        'SELECT patch_id, known_exploited FROM bundle_patches ORDER BY patch_id',
      ),
    ).toEqual([
      { patch_id: 'DSA-5010-1', known_exploited: 1 },
      { patch_id: 'DSA-5011-1', known_exploited: 0 },
      { patch_id: 'DSA-5012-1', known_exploited: null },
    ]);
    const ids = async (knownExploited?: boolean) =>
      (
        await admin.call('catalog.list', {
          filter: knownExploited === undefined ? {} : { knownExploited },
        })
      ).patches
        .map((p) => `${p.patchId}:${String(p.knownExploited)}`)
        .sort();
    expect(await ids(true)).toEqual(['DSA-5010-1:true']);
    // "Not on the list" includes patches whose bundle does not say; the entry still shows null.
    expect(await ids(false)).toEqual(['DSA-5011-1:false', 'DSA-5012-1:null']);
    expect(await ids()).toHaveLength(3);
  });

  it('imports the same bundle packed as a .tar, reading the archive once', async () => {
    await trust(admin, publisher);
    const bundle = await buildTestBundle(work, publisher, { packages: 2 });
    const tar = await tarBundle(bundle, join(work, 'b.tar'));
    const report = await admin.call('bundles.import', { source: tar });
    expect(report.outcome).toBe('imported');
    for (const f of bundle.manifest.signed.files) {
      expect(existsSync(contentStorePath(t.dir, f.sha256))).toBe(true);
    }
  });

  it('lets a technician import but not override expiry', async () => {
    await trust(admin, publisher);
    const tech = await withOperator(t, admin, 'tech1', ['technician']);
    const bundle = await buildTestBundle(work, publisher, { expires: '2026-02-15T00:00:00.000Z' });
    await expect(tech.call('bundles.import', { source: bundle.dir })).rejects.toMatchObject({
      code: 'BUNDLE_EXPIRED',
    });
    await expect(
      tech.call('bundles.import', { source: bundle.dir, allowExpired: true }),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const report = await admin.call('bundles.import', { source: bundle.dir, allowExpired: true });
    expect(report.verification.expiryOverridden).toBe(true);
    const audit = await admin.call('audit.list', { filter: { op: 'bundles.import' } });
    const ok = audit.records.find((r) => r.outcome === 'ok');
    expect(ok?.details).toMatchObject({
      expiryOverridden: true,
      clock: '2026-03-01T08:00:00.000Z',
    });
  });
});
