import { rmSync } from 'node:fs';

import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { BundleDetailPage } from '../../../../../renderer/features/bundles/bundle-detail-page';
import { BundlesPage } from '../../../../../renderer/features/bundles/bundles-page';
import type { TestCore } from '../../../../helpers/test-core';

import { openAs, renderAt } from './real-core';
import { prepareWorkspaceInChildProcess, type PreparedWorkspace } from './workspace-with-bundle';

let prepared: PreparedWorkspace;
let t: TestCore | undefined;

beforeAll(() => {
  prepared = prepareWorkspaceInChildProcess();
}, 120_000);

afterEach(async () => {
  await t?.close();
  t = undefined;
});

afterAll(() => {
  rmSync(prepared.dir, { recursive: true, force: true });
  rmSync(prepared.work, { recursive: true, force: true });
});

describe('BundlesPage over the real core', () => {
  it('lists the imported bundle with its channel, sequence, patches and the key that signed it', async () => {
    t = await openAs(prepared.dir, 'tech1');
    renderAt('/bundles', { '/bundles': <BundlesPage /> });

    const table = await screen.findByRole('table', { name: 'Imported bundles' });
    const row = within(table)
      .getAllByRole('row')
      .find((r) => within(r).queryByRole('rowheader', { name: prepared.bundleId }));
    expect(row).toBeDefined();
    const cells = within(row!)
      .getAllByRole('cell')
      .map((c) => c.textContent);
    expect(cells.slice(0, 3)).toEqual(['acme-security', 'stable', '4']);
    expect(cells).toContain('3');
    expect(cells).toContain('Store copy: verified');
    // The signing key is looked up per bundle after the list arrives.
    const chip = await within(row!).findByTitle(prepared.signerFingerprint);
    expect(chip.textContent).toBe(`${prepared.signerFingerprint.slice(0, 9)}…`);
    expect(screen.getByRole('button', { name: 'Import bundle' })).toBeTruthy();
  });

  it('does not offer an import to an auditor, whose role cannot import', async () => {
    t = await openAs(prepared.dir, 'audrey');
    renderAt('/bundles', { '/bundles': <BundlesPage /> });
    await screen.findByRole('rowheader', { name: prepared.bundleId });
    expect(screen.queryByRole('button', { name: 'Import bundle' })).toBeNull();
  });

  it('shows each stored file with the SHA-256 the publisher signed, and the signature that counted', async () => {
    t = await openAs(prepared.dir, 'audrey');
    renderAt(`/bundles/${prepared.bundleId}`, { '/bundles/:bundleId': <BundleDetailPage /> });

    const report = await screen.findByRole('region', { name: 'Verification report' });
    expect(report.textContent).toContain('1 valid of the 1 required signature');
    expect(screen.getByTestId('store-status').textContent).toBe('Store copy: verified');
    expect(screen.getByText(/Every stored file was read again/)).toBeTruthy();
    const signatures = within(report).getByRole('table', { name: 'Signatures' });
    expect(signatures.textContent).toContain(prepared.signerFingerprint);
    expect(signatures.textContent).toContain('Valid, trusted key');

    await userEvent.setup().click(within(report).getByText('Show each file and its hash'));
    const files = within(report).getByRole('table', { name: 'Files and hashes' });
    const rows = within(files).getAllByRole('row').slice(1);
    expect(
      rows.map((r) => [
        within(r).getByRole('rowheader').textContent,
        within(r).getAllByRole('cell')[1]?.textContent,
      ]),
    ).toEqual(prepared.files.map((f) => [f.path, f.sha256]));

    await userEvent.setup().click(screen.getByRole('tab', { name: /^Patches/ }));
    const patches = screen.getByRole('table', { name: 'Patches in this bundle' });
    expect(
      within(patches)
        .getAllByRole('rowheader')
        .map((h) => h.textContent),
    ).toEqual(['DSA-5040-1', 'DSA-5041-1', 'DSA-5042-1']);
  });

  it('says so when the bundle is not in the workspace', async () => {
    t = await openAs(prepared.dir, 'audrey');
    renderAt('/bundles/no-such-bundle', { '/bundles/:bundleId': <BundleDetailPage /> });
    expect(await screen.findByText('This bundle could not be opened')).toBeTruthy();
  });
});
