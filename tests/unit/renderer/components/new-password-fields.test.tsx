import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import {
  NewPasswordFields,
  useNewPassword,
  validateNewPassword,
  type NewPasswordEntry,
  type NewPasswordErrors,
} from '../../../../renderer/components/new-password-fields';

// Holds the policy module back until a test lets it load, as a slow chunk download would.
const policyGate = vi.hoisted(() => {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
});

vi.mock('../../../../shared/domain/password-policy', async (importOriginal) => {
  await policyGate.opened;
  return importOriginal();
});

let latest: NewPasswordEntry | undefined;

function Harness({ errors = {} }: { errors?: NewPasswordErrors }) {
  const entry = useNewPassword(['alice']);
  latest = entry;
  return (
    <form aria-label="Harness">
      <NewPasswordFields entry={entry} errors={errors} label="New password" confirmLabel="Again" />
    </form>
  );
}

describe('NewPasswordFields', () => {
  it('says "Checking strength…" until the estimator loads, then judges the password', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const meter = screen.getByRole('meter', { name: 'Password strength' });
    expect(meter.getAttribute('aria-valuetext')).toBe('No password entered');

    await user.type(screen.getByLabelText('New password'), 'alice2026');
    await user.type(screen.getByLabelText('Again'), 'alice2026');
    expect(meter.getAttribute('aria-valuetext')).toBe('Checking strength…');
    // Until then only presence and the match are checked; the core still has the last word.
    expect(latest && validateNewPassword(latest)).toEqual({});

    policyGate.open();
    await waitFor(() => expect(meter.getAttribute('aria-valuetext')).toMatch(/weak/i));
    expect(latest && validateNewPassword(latest).password).toMatch(/Use at least 12 characters/);
  });

  it('wires each error to its input', () => {
    render(<Harness errors={{ password: 'Enter a new password.', confirm: 'Not the same.' }} />);
    for (const [label, message] of [
      ['New password', 'Enter a new password.'],
      ['Again', 'Not the same.'],
    ] as const) {
      const input = screen.getByLabelText(label);
      expect(input.getAttribute('aria-invalid')).toBe('true');
      const errorId = input.getAttribute('aria-describedby') ?? '';
      expect(document.getElementById(errorId)?.textContent).toBe(message);
    }
  });
});

describe('validateNewPassword', () => {
  const entry = (password: string, confirm: string): NewPasswordEntry => ({
    password,
    confirm,
    check: password ? { state: 'checking' } : { state: 'empty' },
    setPassword: () => undefined,
    setConfirm: () => undefined,
  });

  it('asks for a password with the message the form chose', () => {
    expect(validateNewPassword(entry('', ''), 'Enter a new password.')).toEqual({
      password: 'Enter a new password.',
    });
  });

  it('refuses a confirmation that differs', () => {
    expect(validateNewPassword(entry('copper kettle', 'copper kettl'))).toEqual({
      confirm: 'The two passwords are not the same.',
    });
  });
});
