import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildManifest, writeBundleDirectory } from '../../electron/core/bundles/bundle-builder';
import { keyFingerprint, type PatchInput } from '../../shared/domain/bundle-manifest';
import { makeDeb, makePublisher, patchFor, writeRootFile } from '../helpers/bundle-kit';

import { expect, test } from './fixtures';
import { FirstRunPage, LoginPage } from './pages/auth-pages';
import { BundlesPage, CatalogPage, TrustSettingsPage } from './pages/bundles-page';
import { SettingsPage } from './pages/settings-page';
import { Shell } from './pages/shell';

test.use({ workspaceName: 'bundles' });

const ADMIN = {
  username: 'ada',
  displayName: 'Ada Admin',
  password: 'copper kettle rides lunar tram',
};
const TECHNICIAN = {
  username: 'tess',
  displayName: 'Tess Technician',
  password: 'granite owl sketches blue harbour',
  roles: ['Technician'],
};

const DAY = 86_400_000;
/** Big enough (incompressible, stored uncompressed) that the import takes a visible moment. */
const FIRMWARE_BYTES = 192 * 1024 * 1024;
const BUNDLE_ID = 'acme-security-stable-7';
const FIRMWARE_FILE = 'pool/pd-firmware_2.1.0-1_all.deb';

type Fixture = {
  work: string;
  rootPath: string;
  fingerprint: string;
  bundleDir: string;
  tamperedDir: string;
};

/** A real .deb whose payload is random bytes, stored without compression. */
function makeBigDeb(dir: string, name: string, version: string, bytes: number): string {
  const tree = mkdtempSync(join(tmpdir(), 'patchdeck-bigdeb-'));
  try {
    mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
    execFileSync('sh', [
      '-c',
      `printf 'Package: ${name}\\nVersion: ${version}\\nArchitecture: all\\nMaintainer: PatchDeck Tests <tests@example.invalid>\\nDescription: firmware blob\\n' > "$1"`,
      'sh',
      join(tree, 'DEBIAN', 'control'),
    ]);
    const blobDir = join(tree, 'usr', 'lib', 'firmware', name);
    mkdirSync(blobDir, { recursive: true });
    const fd = openSync(join(blobDir, 'blob.bin'), 'w');
    const chunk = 8 * 1024 * 1024;
    for (let written = 0; written < bytes; written += chunk) {
      writeSync(fd, randomBytes(Math.min(chunk, bytes - written)));
    }
    closeSync(fd);
    const out = join(dir, `${name}_${version}_all.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Znone', '--build', tree, out], {
      stdio: 'pipe',
    });
    return out;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** Inverts the middle byte of a file in place, keeping its length. */
function flipOneByte(path: string): void {
  const offset = Math.floor(statSync(path).size / 2);
  const fd = openSync(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, offset);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    writeSync(fd, byte, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

async function buildFixture(): Promise<Fixture> {
  const work = mkdtempSync(join(tmpdir(), 'patchdeck-e2e-bundles-'));
  const publisher = makePublisher('acme-security');
  const rootPath = writeRootFile(work, publisher, 1);
  const rootKeyid = publisher.roots[0]?.signed.roles.root.keyids[0] ?? '';

  const debs = join(work, 'debs');
  const pkgs = [
    { name: 'pd-openssl', version: '3.0.14-1' },
    { name: 'pd-openssl', version: '3.0.15-1' },
    { name: 'pd-libxml2', version: '2.9.14+dfsg-1.3' },
  ].map((p) => ({ ...p, source: makeDeb(debs, p), path: `pool/${p.name}_${p.version}_all.deb` }));
  const firmware = makeBigDeb(debs, 'pd-firmware', '2.1.0-1', FIRMWARE_BYTES);
  const files = [
    ...pkgs.map((p) => ({ path: p.path, source: p.source })),
    { path: FIRMWARE_FILE, source: firmware },
  ];
  const [oldSsl, newSsl, xml] = pkgs;
  if (!oldSsl || !newSsl || !xml) throw new Error('packages not built');
  const patches: PatchInput[] = [
    patchFor(
      'DSA-5790-1',
      { file: oldSsl.path, name: oldSsl.name, version: oldSsl.version },
      {
        title: 'openssl security update (superseded)',
        severity: 'high',
        cves: ['CVE-2026-10001'],
        releasedAt: '2026-09-02',
      },
    ),
    patchFor(
      'DSA-5801-1',
      { file: newSsl.path, name: newSsl.name, version: newSsl.version },
      {
        title: 'openssl security update',
        severity: 'critical',
        cves: ['CVE-2026-10001', 'CVE-2026-10077'],
        supersedes: ['DSA-5790-1'],
        releasedAt: '2026-10-30',
      },
    ),
    patchFor(
      'DSA-5802-1',
      { file: xml.path, name: xml.name, version: xml.version },
      {
        title: 'libxml2 security update',
        severity: 'medium',
        cves: ['CVE-2026-20202'],
        cvss: [
          { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N', score: 5.4 },
        ],
        releasedAt: '2026-11-10',
      },
    ),
    patchFor(
      'DSA-5803-1',
      { file: FIRMWARE_FILE, name: 'pd-firmware', version: '2.1.0-1' },
      {
        title: 'Firmware update for storage controllers',
        vendor: 'Acme',
        severity: 'high',
        cves: ['CVE-2026-30303'],
        rebootRequired: true,
        releasedAt: '2026-11-12',
      },
    ),
  ];
  const now = Date.now();
  const manifest = await buildManifest({
    bundleId: BUNDLE_ID,
    channel: 'stable',
    sequence: 7,
    created: new Date(now - 3 * DAY).toISOString(),
    expires: new Date(now + 90 * DAY).toISOString(),
    roots: publisher.roots,
    files,
    patches,
    keys: publisher.targetsKeys,
  });
  const bundleDir = join(work, 'usb', BUNDLE_ID);
  await writeBundleDirectory(bundleDir, manifest, publisher.roots, files);

  // The same bundle with one byte of one package changed: same length, different hash.
  const tamperedDir = join(work, 'usb-copy', BUNDLE_ID);
  cpSync(bundleDir, tamperedDir, { recursive: true });
  flipOneByte(join(tamperedDir, ...pkgs[2]!.path.split('/')));

  return { work, rootPath, fingerprint: keyFingerprint(rootKeyid), bundleDir, tamperedDir };
}

let fx: Fixture;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  fx = await buildFixture();
});

test.afterAll(() => {
  if (fx) rmSync(fx.work, { recursive: true, force: true });
});

test('an administrator trusts a publisher by fingerprint; a technician imports its signed bundle, is refused a tampered copy, and finds the patches in the catalog', async ({
  page,
  app,
  screens,
}) => {
  test.setTimeout(240_000);
  const shell = new Shell(page);
  const settings = new SettingsPage(page);
  const trust = new TrustSettingsPage(page);
  const bundles = new BundlesPage(page);
  const catalog = new CatalogPage(page);

  await page.goto(app.url);
  await new FirstRunPage(page).createAdministrator(ADMIN);
  await expect(shell.operatorName).toHaveText(ADMIN.displayName);

  await settings.open();
  await settings.createOperator(TECHNICIAN);
  await expect(settings.dialog).toBeHidden();

  // The administrator adds the publisher: the fingerprint shown must be typed back.
  await trust.open();
  await expect(trust.heading).toBeVisible();
  await expect(page.getByText('No trusted publishers yet')).toBeVisible();
  await trust.readRootFile(fx.rootPath);
  await expect(trust.shownFingerprints).toHaveText([fx.fingerprint]);
  const wrong =
    `${fx.fingerprint.slice(0, -4)}0000` === fx.fingerprint
      ? `${fx.fingerprint.slice(0, -4)}1111`
      : `${fx.fingerprint.slice(0, -4)}0000`;
  await trust.confirmFingerprint(wrong, 'acme-security');
  await expect(trust.dialog).toContainText('does not match any root key');
  await screens.take(page, 'bundles-trust-add-mismatch');
  // Typed the way a fingerprint is read out on the phone: lower case, no spaces.
  await trust.confirmFingerprint(fx.fingerprint.replace(/ /g, '').toLowerCase(), 'acme-security');
  await expect(trust.dialog).toBeHidden();
  const card = trust.publisher('acme-security');
  await expect(card).toContainText('Trusted, root v1');
  await expect(card.getByRole('row')).toHaveCount(3); // header, root key, bundle key
  await expect(card).toContainText(fx.fingerprint);
  await screens.take(page, 'bundles-trust-store');

  await shell.logOut();
  await new LoginPage(page).logIn(TECHNICIAN.username, TECHNICIAN.password);
  await expect(shell.operatorName).toHaveText(TECHNICIAN.displayName);

  // A technician sees the trust store but is told why they cannot change it.
  await trust.open();
  await expect(trust.adminOnlyNotice).toBeVisible();
  await expect(trust.addButton).toHaveCount(0);
  await expect(card.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  await screens.take(page, 'bundles-trust-store-technician');

  await bundles.open();
  await expect(bundles.emptyState).toBeVisible();
  await screens.take(page, 'bundles-empty');

  // The tampered copy: who signed it is shown first, then the import refuses it.
  await bundles.importButton.click();
  await expect(bundles.mediaRefresh).toBeEnabled();
  await screens.take(page, 'bundles-import-source');
  await bundles.inspect(fx.tamperedDir);
  await expect(bundles.inspection).toContainText('acme-security');
  await expect(bundles.inspection).toContainText('Trusted, root v1');
  await expect(bundles.inspection).toContainText('Trusted bundle key');
  await expect(bundles.inspection).toContainText('4 patches, 4 files');
  await screens.take(page, 'bundles-import-inspection');
  await bundles.startImport.click();
  await expect(bundles.refusal).toContainText(
    'Refused: Every file matches its signed length and SHA-256 failed',
  );
  await expect(bundles.refusal).toContainText(
    'Hash mismatch for pool/pd-libxml2_2.9.14+dfsg-1.3_all.deb',
  );
  await expect(bundles.refusal).toContainText('Treat this media as suspect');
  await screens.take(page, 'bundles-import-refused');

  // The genuine bundle, with a live progress bar.
  await bundles.chooseAnother.click();
  await bundles.inspect(fx.bundleDir);
  await expect(bundles.inspection).toContainText('first bundle on this channel');
  await page.evaluate(() => {
    const seen: { value: string | null; file: string | null }[] = [];
    (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[role="progressbar"]');
      if (bar) {
        seen.push({
          value: bar.getAttribute('aria-valuenow'),
          file: document.querySelector('.progress-file code')?.textContent ?? null,
        });
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await bundles.startImport.click();
  await expect(bundles.progressBar).toBeVisible();
  // For the picture only: a moment with a rate on screen, if the import is still running.
  await bundles.progress
    .getByText(/MB\/s/)
    .waitFor({ timeout: 5000 })
    .catch(() => undefined);
  await screens.take(page, 'bundles-import-progress');
  await expect(bundles.report).toBeVisible({ timeout: 120_000 });
  const seen = await page.evaluate(
    () =>
      (window as unknown as { progressSeen: { value: string | null; file: string | null }[] })
        .progressSeen,
  );
  const partial = seen.filter((s) => Number(s.value) > 0 && Number(s.value) < 100);
  expect(partial.length).toBeGreaterThan(0);
  expect(seen.some((s) => s.file === FIRMWARE_FILE)).toBe(true);

  await expect(
    bundles.dialog.getByRole('heading', { name: 'Bundle imported and verified' }),
  ).toBeVisible();
  // The import ended at the commit; the store copy is read again from the disk meanwhile.
  await expect(bundles.storeCopy).toHaveText('Store copy: verified', { timeout: 60_000 });
  await expect(bundles.check('Signatures and threshold')).toContainText(
    '1 valid of the 1 required signature',
  );
  await expect(bundles.check('Signatures and threshold')).toContainText('Valid, trusted key');
  await expect(bundles.check('No extra or missing files')).toContainText('Exactly the 4 files');
  await expect(bundles.check('Safe paths only')).toBeVisible();
  await expect(bundles.check('Sequence against the last one seen')).toContainText(
    'Sequence 7 on channel stable; the first bundle seen on this channel',
  );
  await expect(bundles.check('Expiry')).toBeVisible();
  await bundles.showHashes.click();
  const manifest = JSON.parse(await readFile(join(fx.bundleDir, 'manifest.json'), 'utf8')) as {
    signed: { files: { path: string; sha256: string }[] };
  };
  for (const f of manifest.signed.files) {
    await expect(
      bundles.fileTable.getByRole('row', { name: new RegExp(f.path.replace(/[.+]/g, '\\$&')) }),
    ).toContainText(f.sha256);
  }
  await screens.take(page, 'bundles-import-report');
  await bundles.done.click();

  await expect(bundles.row(BUNDLE_ID)).toContainText('acme-security');
  await expect(bundles.row(BUNDLE_ID)).toContainText('3 days');
  await expect(bundles.row(BUNDLE_ID).locator('.key-chip')).toHaveCount(1);
  await expect(bundles.storeStatus(BUNDLE_ID)).toHaveText('Store copy: verified');
  await screens.take(page, 'bundles-list');

  await bundles.openBundle(BUNDLE_ID);
  await expect(page.getByRole('heading', { name: BUNDLE_ID })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Verification report' })).toBeVisible();
  await screens.take(page, 'bundles-detail');
  await bundles.tab('Patches').click();
  await expect(
    page.getByRole('table', { name: 'Patches in this bundle' }).getByRole('row'),
  ).toHaveCount(5);
  await screens.take(page, 'bundles-detail-patches');

  // The catalog: every patch, its age said plainly, the superseded one marked.
  await catalog.open();
  await expect(catalog.freshness).toContainText('Catalog data is 3 days old');
  await expect(catalog.rows).toHaveCount(4);
  await expect(catalog.row('DSA-5790-1')).toContainText('Superseded');
  await expect(catalog.row('DSA-5790-1')).toContainText('by DSA-5801-1');
  await expect(catalog.row('DSA-5801-1')).toContainText('Critical');
  await expect(catalog.row('DSA-5801-1')).toContainText('Current');
  await screens.take(page, 'catalog');
  await catalog.cve.fill('CVE-2026-20202');
  await expect(catalog.rows).toHaveCount(1);
  await expect(catalog.row('DSA-5802-1')).toBeVisible();
  await catalog.cve.fill('');
  await catalog.severity.selectOption({ label: 'Critical or high' });
  await expect(catalog.rows).toHaveCount(3);
  await catalog.openPatch('DSA-5790-1');
  await expect(page.getByRole('heading', { name: 'DSA-5790-1' })).toBeVisible();
  await expect(page.getByText('Superseded by')).toBeVisible();
  await expect(page.getByRole('link', { name: BUNDLE_ID })).toBeVisible();
  await screens.take(page, 'catalog-patch');
});
