import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import { installTransport } from '../../../../../renderer/api/api-client';
import { FirstRunScreen } from '../../../../../renderer/features/auth/first-run-screen';
import { useSessionStore } from '../../../../../renderer/features/auth/session.store';
import { anOperator, fakeTransport } from '../../fake-transport';

function setup() {
  const fake = fakeTransport({
    'system.info': () => ({
      productName: 'PatchDeck',
      version: '0.1.0',
      workspacePath: '/srv/patchdeck/site-a.pdw',
      schemaVersion: 1,
      transport: 'in-process',
    }),
    'auth.setupAdmin': (input) => ({
      token: 'session-token',
      operator: anOperator({ username: (input as { username: string }).username }),
      idleLockMinutes: 15,
    }),
  });
  installTransport(fake.transport);
  useSessionStore.setState({ phase: 'setup', operator: undefined });
  render(<FirstRunScreen />);
  return fake;
}

describe('FirstRunScreen', () => {
  beforeEach(() => window.sessionStorage.clear());

  it('rejects a weak password with the strength message and does not call the core', async () => {
    const fake = setup();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Display name'), 'Alice Admin');
    await user.type(screen.getByLabelText('Password'), 'password1');
    await user.type(screen.getByLabelText('Confirm password'), 'password1');

    // The strength estimator loads on demand; wait for its verdict.
    const meter = screen.getByRole('meter', { name: 'Password strength' });
    await waitFor(() => expect(meter.getAttribute('aria-valuetext')).toMatch(/weak/i));
    await user.click(screen.getByRole('button', { name: 'Create administrator' }));

    const field = screen.getByLabelText('Password');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    const errorId = field.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(errorId)?.textContent).toMatch(/Use at least 12 characters/);
    expect(fake.callsOf('auth.setupAdmin')).toHaveLength(0);
    expect(useSessionStore.getState().phase).toBe('setup');
  });

  it('creates the administrator with a strong password and starts the session', async () => {
    const fake = setup();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Display name'), 'Alice Admin');
    await user.type(screen.getByLabelText('Password'), 'copper kettle rides lunar tram');
    await user.type(screen.getByLabelText('Confirm password'), 'copper kettle rides lunar tram');
    const meter = screen.getByRole('meter', { name: 'Password strength' });
    await waitFor(() => expect(meter.getAttribute('aria-valuetext')).toMatch(/strong/i));
    await user.keyboard('{Enter}');

    expect(fake.callsOf('auth.setupAdmin')).toHaveLength(1);
    expect(useSessionStore.getState().phase).toBe('ready');
  });
});
