import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { PASSWORD_RULE, PasswordStrength } from '../../../../renderer/components/password-strength';
import { assessPassword, MIN_PASSWORD_LENGTH } from '../../../../shared/domain/password-policy';

describe('PASSWORD_RULE', () => {
  it('states the same minimum length as the policy the core enforces', () => {
    expect(PASSWORD_RULE).toMatch(new RegExp(`^At least ${MIN_PASSWORD_LENGTH} characters `));
  });
});

describe('PasswordStrength', () => {
  it('shows the rule while nothing is typed', () => {
    render(<PasswordStrength check={{ state: 'empty' }} />);
    const meter = screen.getByRole('meter', { name: 'Password strength' });
    expect(meter.getAttribute('aria-valuetext')).toBe('No password entered');
    expect(screen.getByText(PASSWORD_RULE)).toBeTruthy();
  });

  it('says it is checking until the estimator has loaded', () => {
    render(<PasswordStrength check={{ state: 'checking' }} />);
    const meter = screen.getByRole('meter', { name: 'Password strength' });
    expect(meter.getAttribute('aria-valuetext')).toBe('Checking strength…');
    expect(meter.getAttribute('aria-valuenow')).toBe('0');
    expect(screen.getByText('Checking strength…')).toBeTruthy();
  });

  it('names the score and lists what to change', () => {
    const assessment = assessPassword('password1');
    render(<PasswordStrength check={{ state: 'assessed', assessment }} />);
    const meter = screen.getByRole('meter', { name: 'Password strength' });
    expect(meter.getAttribute('aria-valuetext')).toMatch(/weak/i);
    expect(screen.getByText(/not accepted yet/)).toBeTruthy();
    expect(screen.getByText('Use at least 12 characters.')).toBeTruthy();
  });
});
