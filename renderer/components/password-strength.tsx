import { useMemo } from 'react';

import {
  assessPassword,
  MIN_PASSWORD_LENGTH,
  type PasswordAssessment,
} from '../../shared/domain/password-policy';

const SCORE_LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

/** The rule, in words the operator can act on. */
export const PASSWORD_RULE = `At least ${MIN_PASSWORD_LENGTH} characters and hard to guess. A few unrelated words, or a long mix of letters, digits and symbols, work well. Names, dates and keyboard patterns do not.`;

/** Judges a password as it is typed, with the operator's own names as things to avoid. */
export function usePasswordAssessment(
  password: string,
  userInputs: readonly string[],
): PasswordAssessment | undefined {
  const inputsKey = userInputs.join('\u0000');
  return useMemo(
    () => (password.length === 0 ? undefined : assessPassword(password, inputsKey.split('\u0000'))),
    [password, inputsKey],
  );
}

/** Props of PasswordStrength. */
export type PasswordStrengthProps = { assessment: PasswordAssessment | undefined };

/** A live strength meter: five segments, a word, and what to change. */
export function PasswordStrength({ assessment }: PasswordStrengthProps) {
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
        aria-valuenow={assessment ? score : 0}
        aria-valuetext={assessment ? SCORE_LABELS[score] : 'No password entered'}
      >
        {[0, 1, 2, 3, 4].map((segment) => (
          <span
            key={segment}
            className={assessment && segment <= score ? 'strength-seg filled' : 'strength-seg'}
          />
        ))}
      </div>
      <div className="strength-text" aria-live="polite">
        {assessment === undefined ? (
          <span className="muted">{PASSWORD_RULE}</span>
        ) : (
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
