import { rmSync } from 'node:fs';

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { CatalogPage } from '../../../../../renderer/features/catalog/catalog-page';
import { PatchDetailPage } from '../../../../../renderer/features/catalog/patch-detail-page';
import type { TestCore } from '../../../../helpers/test-core';
import { openAs, renderAt } from '../bundles/real-core';
import {
  prepareWorkspaceInChildProcess,
  type PreparedWorkspace,
} from '../bundles/workspace-with-bundle';

let prepared: PreparedWorkspace;
let t: TestCore | undefined;

// happy-dom lays nothing out; give elements a window-sized box so the virtualised table renders
// the rows a screen would show.
const box = { clientHeight: 600, clientWidth: 1200 } as const;
const saved = Object.fromEntries(
  Object.keys(box).map((k) => [k, Object.getOwnPropertyDescriptor(HTMLElement.prototype, k)]),
);

beforeAll(() => {
  for (const [key, value] of Object.entries(box)) {
    Object.defineProperty(HTMLElement.prototype, key, { configurable: true, get: () => value });
  }
  prepared = prepareWorkspaceInChildProcess();
}, 120_000);

afterEach(async () => {
  await t?.close();
  t = undefined;
});

afterAll(() => {
  for (const [key, descriptor] of Object.entries(saved)) {
    if (descriptor) Object.defineProperty(HTMLElement.prototype, key, descriptor);
  }
  rmSync(prepared.dir, { recursive: true, force: true });
  rmSync(prepared.work, { recursive: true, force: true });
});

function patchIds(): string[] {
  const table = screen.getByRole('table', { name: 'Patches' });
  return within(table)
    .getAllByRole('rowheader')
    .map((h) => h.textContent ?? '');
}

describe('CatalogPage over the real core', () => {
  it('says first how old the catalog data is, by the core’s clock, and lists every patch', async () => {
    t = await openAs(prepared.dir, 'audrey');
    renderAt('/patches', { '/patches': <CatalogPage /> });

    const freshness = await screen.findByTestId('catalog-freshness');
    // The bundle was signed 2026-02-04T00:00Z; the test core's clock reads 2026-03-01T08:00Z.
    expect(freshness.textContent).toContain('Catalog data is 25 days old');
    expect(freshness.textContent).toContain('bring in a newer bundle');
    expect(freshness.className).toContain('freshness-warn');
    expect(freshness.textContent).toContain('Host counts cover 0 scanned hosts');
    await screen.findByRole('table', { name: 'Patches' });
    await waitFor(() =>
      expect(patchIds().sort()).toEqual(['DSA-5040-1', 'DSA-5041-1', 'DSA-5042-1']),
    );
    expect(screen.getByText(/3 of 3 patches/)).toBeTruthy();
  });

  it('narrows the table through the core’s filter, and widens it again', async () => {
    t = await openAs(prepared.dir, 'audrey');
    renderAt('/patches', { '/patches': <CatalogPage /> });
    await screen.findByRole('table', { name: 'Patches' });

    const user = userEvent.setup();
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'DSA-5041');
    await waitFor(() => expect(patchIds()).toEqual(['DSA-5041-1']), { timeout: 3000 });
    expect(screen.getByText(/1 of 3 patches match/)).toBeTruthy();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Severity' }), 'Low');
    expect(await screen.findByText('No patches match these filters')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Show all patches' }));
    await waitFor(() => expect(patchIds()).toHaveLength(3));
  });

  it('shows where a patch came from and that no scanned host has a verdict yet', async () => {
    t = await openAs(prepared.dir, 'audrey');
    renderAt('/patches/DSA-5041-1', { '/patches/:patchId': <PatchDetailPage /> });

    expect(await screen.findByRole('heading', { name: 'DSA-5041-1' })).toBeTruthy();
    expect(screen.getByRole('link', { name: prepared.bundleId }).getAttribute('href')).toBe(
      `/bundles/${prepared.bundleId}`,
    );
    const packages = screen.getByRole('table', { name: 'Packages' });
    expect(packages.textContent).toContain('pd-test-1');
    expect(packages.textContent).toContain('1.4.1-1');
    expect(screen.getByText(/No scanned host has a verdict yet/)).toBeTruthy();
  });
});
