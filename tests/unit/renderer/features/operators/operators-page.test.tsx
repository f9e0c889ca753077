import { render, screen, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it } from 'vitest';

import { installTransport } from '../../../../../renderer/api/api-client';
import { useSessionStore } from '../../../../../renderer/features/auth/session.store';
import { OperatorsPage } from '../../../../../renderer/features/operators/operators-page';
import { useOperatorsStore } from '../../../../../renderer/features/operators/operators.store';
import { SessionSettings } from '../../../../../renderer/features/settings/session-settings';
import {
  SettingsIndex,
  SettingsLayout,
} from '../../../../../renderer/features/settings/settings-layout';
import type { Role } from '../../../../../shared/domain/roles';
import { anOperator, fakeTransport } from '../../fake-transport';

function renderSettingsAs(roles: Role[], path: string) {
  const fake = fakeTransport({
    'operators.list': () => [
      anOperator(),
      anOperator({ id: 'op-2', username: 'tom', displayName: 'Tom Tech', roles: ['technician'] }),
    ],
    'settings.get': () => ({ idleLockMinutes: 15 }),
  });
  installTransport(fake.transport);
  useOperatorsStore.setState({ operators: [], status: 'idle' });
  useSessionStore.setState({
    phase: 'ready',
    operator: anOperator({ id: 'me', username: 'me', displayName: 'Me', roles }),
  });
  const router = createMemoryRouter(
    [
      {
        path: '/settings',
        element: <SettingsLayout />,
        children: [
          { index: true, element: <SettingsIndex /> },
          { path: 'operators', element: <OperatorsPage /> },
          { path: 'session', element: <SessionSettings /> },
        ],
      },
    ],
    { initialEntries: [path] },
  );
  render(<RouterProvider router={router} />);
  return fake;
}

describe('OperatorsPage', () => {
  it('offers neither the Operators section nor admin controls to a technician', async () => {
    const fake = renderSettingsAs(['technician'], '/settings/operators');

    const sections = screen.getByRole('navigation', { name: 'Settings sections' });
    expect(within(sections).queryByRole('link', { name: 'Operators' })).toBeNull();
    expect(
      await screen.findByRole('heading', { name: 'Operators are managed by administrators' }),
    ).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New operator' })).toBeNull();
    expect(screen.queryByRole('table', { name: 'Operators' })).toBeNull();
    expect(fake.callsOf('operators.list')).toHaveLength(0);
  });

  it('opens Session, read-only, as the technician’s first settings section', async () => {
    renderSettingsAs(['technician'], '/settings');
    expect((await screen.findByTestId('idle-lock-minutes')).textContent).toMatch(
      'After 15 minutes',
    );
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
  });

  it('gives an administrator the table and every control', async () => {
    renderSettingsAs(['administrator'], '/settings');
    const table = await screen.findByRole('table', { name: 'Operators' });
    expect(within(table).getByRole('rowheader', { name: 'tom' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'New operator' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Disable tom' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reset password for tom' })).toBeTruthy();
    const sections = screen.getByRole('navigation', { name: 'Settings sections' });
    expect(
      within(sections).getByRole('link', { name: 'Operators' }).getAttribute('aria-current'),
    ).toBe('page');
  });
});
