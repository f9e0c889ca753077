import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import { installTransport } from '../../../../../renderer/api/api-client';
import { HostKeyReview } from '../../../../../renderer/features/assets/host-key-dialog';
import { useHostKeyReviewStore } from '../../../../../renderer/features/assets/host-key-review.store';
import { useSessionStore } from '../../../../../renderer/features/auth/session.store';
import type { HostKeySighting } from '../../../../../shared/domain/assets';
import type { Role } from '../../../../../shared/domain/roles';
import { anOperator, fakeTransport } from '../../fake-transport';

// A sighting only exists once a real SSH host has presented a key, which a unit test has no host
// for: the core's answers are faked here. The lab e2e spec runs the same dialog against real sshd.
const FINGERPRINT = 'SHA256:uJ4pNVpTzMHX2yGmWVqmIx0aUDmFyMX0mGz4b5+Qm9E';
const PINNED = 'SHA256:4ciDZ3y0gYFbpGWyR1mZ5i8HJp4F0kHVNtGXCK3ZbSo';

function sighting(kind: 'unknown' | 'changed'): HostKeySighting {
  return {
    hostId: 'host-7',
    hostName: 'historian',
    address: '127.0.0.11',
    port: 22,
    keyType: 'ssh-ed25519',
    fingerprint: FINGERPRINT,
    kind,
    pinnedFingerprint: kind === 'changed' ? PINNED : null,
    seenAt: '2026-03-01T08:00:00.000Z',
  };
}

function open(kind: 'unknown' | 'changed', roles: Role[]) {
  const fake = fakeTransport({
    'hostKeys.accept': (input) => ({
      address: '127.0.0.11',
      port: 22,
      keyType: 'ssh-ed25519',
      fingerprint: (input as { fingerprint: string }).fingerprint,
      status: 'pinned',
      source: 'accepted',
      pinnedBy: 'tom',
      pinnedAt: '2026-03-01T08:01:00.000Z',
    }),
    'hostKeys.repin': (input) => ({
      address: '127.0.0.11',
      port: 22,
      keyType: 'ssh-ed25519',
      fingerprint: (input as { fingerprint: string }).fingerprint,
      status: 'pinned',
      source: 'repinned',
      pinnedBy: 'alice',
      pinnedAt: '2026-03-01T08:01:00.000Z',
    }),
  });
  installTransport(fake.transport);
  useSessionStore.setState({ phase: 'ready', operator: anOperator({ roles }) });
  render(<HostKeyReview />);
  useHostKeyReviewStore.getState().show(sighting(kind));
  return fake;
}

beforeEach(() => useHostKeyReviewStore.getState().close());

describe('Host-key dialog', () => {
  it('shows the host, address, key type and exact fingerprint, and how to check it', async () => {
    open('unknown', ['technician']);
    const dialog = await screen.findByRole('dialog', { name: 'New host key: historian' });
    expect(within(dialog).getByTestId('host-key-fingerprint').textContent).toBe(FINGERPRINT);
    expect(dialog.textContent).toMatch('127.0.0.11:22');
    expect(dialog.textContent).toMatch('ssh-ed25519');
    expect(dialog.textContent).toMatch('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
  });

  it('lets a technician accept an unknown key only after confirming the comparison', async () => {
    const fake = open('unknown', ['technician']);
    const dialog = await screen.findByRole('dialog');
    const accept = within(dialog).getByRole('button', { name: 'Accept and pin key' });
    expect((accept as HTMLButtonElement).disabled).toBe(true);

    const user = userEvent.setup();
    await user.click(within(dialog).getByRole('checkbox', { name: /I compared this fingerprint/ }));
    await user.click(accept);

    await waitFor(() => expect(fake.callsOf('hostKeys.accept')).toHaveLength(1));
    expect(fake.callsOf('hostKeys.accept')[0]?.input).toEqual({
      hostId: 'host-7',
      fingerprint: FINGERPRINT,
    });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('hides Re-pin from a technician facing a changed key and says who can', async () => {
    const fake = open('changed', ['technician']);
    const dialog = await screen.findByRole('alertdialog', { name: 'Host key CHANGED: historian' });
    expect(within(dialog).getByTestId('pinned-fingerprint').textContent).toBe(PINNED);
    expect(within(dialog).getByTestId('host-key-fingerprint').textContent).toBe(FINGERPRINT);
    expect(dialog.textContent).toMatch(/man-in-the-middle attack/);
    expect(within(dialog).queryByRole('button', { name: 'Re-pin key' })).toBeNull();
    expect(within(dialog).queryByRole('button', { name: 'Accept and pin key' })).toBeNull();
    expect(within(dialog).getByTestId('host-key-who-can').textContent).toMatch(
      'Only an administrator can re-pin a changed key.',
    );
    expect(fake.calls).toHaveLength(0);
  });

  it('makes an administrator give a reason before re-pinning a changed key', async () => {
    const fake = open('changed', ['administrator']);
    const dialog = await screen.findByRole('alertdialog');
    const user = userEvent.setup();
    await user.click(within(dialog).getByRole('button', { name: 'Re-pin key' }));
    expect(within(dialog).getByText(/Say why the key changed/)).toBeTruthy();
    expect(fake.callsOf('hostKeys.repin')).toHaveLength(0);

    await user.type(
      within(dialog).getByLabelText('Why did the key change?'),
      'Rebuilt after disk failure, CHG-4411',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Re-pin key' }));
    await waitFor(() => expect(fake.callsOf('hostKeys.repin')).toHaveLength(1));
    expect(fake.callsOf('hostKeys.repin')[0]?.input).toEqual({
      hostId: 'host-7',
      fingerprint: FINGERPRINT,
      reason: 'Rebuilt after disk failure, CHG-4411',
    });
  });
});
