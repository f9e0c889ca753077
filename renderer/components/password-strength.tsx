import { useEffect, useMemo, useState } from 'react';

import type * as PasswordPolicyModule from '../../shared/domain/password-policy';
import { MIN_PASSWORD_LENGTH } from '../../shared/domain/password-rules';

type PasswordPolicy = typeof PasswordPolicyModule;
type PasswordAssessment = PasswordPolicyModule.PasswordAssessment;

const SCORE_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

const CHECKING_LABEL = 'Checking strength…';

/** The rule, in words the operator can act on. */
export const PASSWORD_RULE = `At least ${MIN_PASSWORD_LENGTH} characters and hard to guess. A few unrelated words, or a long mix of letters, digits and symbols, work well. Names, dates and keyboard patterns do not.`;

let policy: PasswordPolicy | undefined;
let loadingPolicy: Promise<PasswordPolicy> | undefined;

/** Loads the strength estimator once, on first need; a failed load may be tried again. */
function loadPolicy(): Promise<PasswordPolicy> {
  loadingPolicy ??= import('../../shared/domain/password-policy').then(
    (loaded) => (policy = loaded),
    (error: unknown) => {
      loadingPolicy = undefined;
      throw error;
    },
  );
  return loadingPolicy;
}

/**
 * Where the live check of a new password stands.
 *
 * `checking` lasts until the estimator has loaded; the core decides in any case.
 */
export type PasswordCheck =
  | { state: 'empty' }
  | { state: 'checking' }
  | { state: 'assessed'; assessment: PasswordAssessment };

/**
 * Judges a password as it is typed, with the operator's own names as things to avoid.
 *
 * The estimator and its dictionaries load when the first component using this hook mounts, so
 * screens without a new password (login, lock) never download them.
 */
export function usePasswordAssessment(
  password: string,
  userInputs: readonly string[],
): PasswordCheck {
  const [loaded, setLoaded] = useState(policy);
  useEffect(() => {
    if (loaded) return;
    let live = true;
    loadPolicy().then(
      (value) => {
        if (live) setLoaded(value);
      },
      // Stays at "checking"; the core still refuses a weak password when the form is sent.
      (error: unknown) => console.error('The password strength estimator did not load', error),
    );
    return () => {
      live = false;
    };
  }, [loaded]);

  const inputsKey = userInputs.join('\u0000');
  return useMemo((): PasswordCheck => {
    if (password.length === 0) return { state: 'empty' };
    if (!loaded) return { state: 'checking' };
    return {
      state: 'assessed',
      assessment: loaded.assessPassword(password, inputsKey.split('\u0000')),
    };
  }, [password, inputsKey, loaded]);
}

/** Props of PasswordStrength. */
export type PasswordStrengthProps = { check: PasswordCheck };

/** A live strength meter: five segments, a word, and what to change. */
export function PasswordStrength({ check }: PasswordStrengthProps) {
  const assessment = check.state === 'assessed' ? check.assessment : undefined;
  const score = assessment?.score ?? 0;
  const level = assessment === undefined ? 'empty' : assessment.acceptable ? 'good' : 'weak';
  return (
    <div className="strength" data-testid="password-strength">
      <div
        className={`strength-bar strength-${level}`}
        role="meter"
        aria-label="Password strength"
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={score}
        aria-valuetext={
          assessment
            ? SCORE_LABELS[score]
            : check.state === 'checking'
              ? CHECKING_LABEL
              : 'No password entered'
        }
      >
        {[0, 1, 2, 3, 4].map((segment) => (
          <span
            key={segment}
            className={assessment && segment <= score ? 'strength-seg filled' : 'strength-seg'}
          />
        ))}
      </div>
      <div className="strength-text" aria-live="polite">
        {check.state === 'empty' && <span className="muted">{PASSWORD_RULE}</span>}
        {check.state === 'checking' && <span className="muted">{CHECKING_LABEL}</span>}
        {assessment && (
          <>
            <span className={`strength-word strength-word-${level}`}>
              {SCORE_LABELS[score]}
              {assessment.acceptable ? ' — accepted' : ' — not accepted yet'}
            </span>
            {assessment.problems.length > 0 && (
              <ul className="strength-problems">
                {assessment.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </div>
  );
}
