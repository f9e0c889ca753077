import { rmSync } from 'node:fs';

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { TrustSettings } from '../../../../../renderer/features/settings/trust-settings';
import { keyFingerprint } from '../../../../../shared/domain/bundle-manifest';
import { makePublisher, writeRootFile } from '../../../../helpers/bundle-kit';
import { STRONG_PASSWORD, type TestCore } from '../../../../helpers/test-core';

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

async function trustedPublishers(core: TestCore['core']): Promise<string[]> {
  const login = await core.dispatch(
    'auth.login',
    { username: 'admin', password: STRONG_PASSWORD },
    { session: undefined },
  );
  if (!login.ok) throw new Error('login failed');
  const list = await core.dispatch(
    'trust.list',
    {},
    {
      session: (login.value as { token: string }).token,
    },
  );
  if (!list.ok) throw new Error('trust.list failed');
  return (list.value as { publisher: string }[]).map((p) => p.publisher);
}

describe('TrustSettings over the real core', () => {
  it('adds a publisher only once the typed fingerprint matches a root key the file names', async () => {
    t = await openAs(prepared.dir, 'admin');
    const globex = makePublisher('globex-updates');
    const rootPath = writeRootFile(prepared.work, globex, 1);
    const fingerprint = keyFingerprint(globex.roots[0]?.signed.roles.root.keyids[0] ?? '');
    renderAt('/settings/trust', { '/settings/trust': <TrustSettings /> });
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Add publisher' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText("Path to the publisher's root file"), rootPath);
    await user.click(within(dialog).getByRole('button', { name: 'Read root file' }));
    const shown = await within(dialog).findAllByTestId('root-fingerprint');
    expect(shown.map((s) => s.textContent)).toEqual([fingerprint]);

    // The bundle-signing key is not a root key: its fingerprint must not be accepted.
    const targetsKeyFingerprint = prepared.signerFingerprint;
    const typed = within(dialog).getByLabelText('Fingerprint received from the publisher');
    await user.type(typed, targetsKeyFingerprint);
    await user.click(within(dialog).getByRole('button', { name: 'Trust globex-updates' }));
    expect(within(dialog).getByText(/does not match any root key shown above/)).toBeTruthy();
    expect(await trustedPublishers(t.core)).toEqual(['acme-security']);

    await user.clear(typed);
    await user.type(typed, fingerprint.replace(/ /g, ':').toLowerCase());
    await user.click(within(dialog).getByRole('button', { name: 'Trust globex-updates' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect((await trustedPublishers(t.core)).sort()).toEqual(['acme-security', 'globex-updates']);
    const card = await screen.findByRole('region', { name: 'globex-updates' });
    expect(card.textContent).toContain('Trusted, root v1');
  });

  it('tells a technician why they cannot change the trust store, and offers nothing to change it', async () => {
    t = await openAs(prepared.dir, 'tech1');
    renderAt('/settings/trust', { '/settings/trust': <TrustSettings /> });
    const card = await screen.findByRole('region', { name: 'acme-security' });
    expect(screen.getByText('Only administrators can add publishers or revoke keys.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add publisher' })).toBeNull();
    expect(within(card).queryByRole('button', { name: 'Revoke' })).toBeNull();
    // What the keys did is still there to read.
    const signer = within(card)
      .getAllByRole('row')
      .find((r) => r.textContent?.includes(prepared.signerFingerprint));
    expect(signer?.textContent).toContain('Bundles');
    expect(within(signer!).getAllByRole('cell')[3]?.textContent).toBe('1');
  });

  it('revokes a key after saying what stops working, with the reason recorded', async () => {
    t = await openAs(prepared.dir, 'admin');
    renderAt('/settings/trust', { '/settings/trust': <TrustSettings /> });
    const user = userEvent.setup();
    const card = await screen.findByRole('region', { name: 'acme-security' });
    const signer = within(card)
      .getAllByRole('row')
      .find((r) => r.textContent?.includes(prepared.signerFingerprint));
    await user.click(within(signer!).getByRole('button', { name: 'Revoke' }));

    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain(
      'This leaves 0 active bundle-signing keys where 1 must sign',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));
    expect(within(dialog).getByText(/Say why, for the audit log/)).toBeTruthy();
    await user.type(within(dialog).getByLabelText('Reason'), 'Signing laptop stolen');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke key' }));

    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    const after = await screen.findByRole('region', { name: 'acme-security' });
    await waitFor(() => {
      const row = within(after)
        .getAllByRole('row')
        .find((r) => r.textContent?.includes(prepared.signerFingerprint));
      expect(row?.textContent).toContain('Revoked');
      expect(row?.textContent).toContain('Signing laptop stolen');
    });
  });
});
