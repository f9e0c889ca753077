import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

import { MIN_PASSWORD_LENGTH, MIN_PASSWORD_SCORE } from './password-rules';

export { MIN_PASSWORD_LENGTH, MIN_PASSWORD_SCORE };

let estimator: ZxcvbnFactory | undefined;

function getEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return estimator;
}

/** How strong a password is and, when too weak, what to change. */
export type PasswordAssessment = {
  acceptable: boolean;
  score: number;
  problems: string[];
};

/**
 * Judges a new password: long enough, and not guessable by a dictionary or pattern attack.
 *
 * The same function runs in the UI (as the operator types) and in the core (which decides).
 * The operator's own names are passed so that "alice-2026!" is not accepted for alice.
 */
export function assessPassword(
  password: string,
  userInputs: readonly string[] = [],
): PasswordAssessment {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) {
    problems.push(`Use at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  const result = getEstimator().check(
    password,
    userInputs.filter((input) => input.length > 0),
  );
  if (result.score < MIN_PASSWORD_SCORE) {
    const warning = result.feedback.warning;
    problems.push(
      warning
        ? `Too easy to guess. ${warning}`
        : 'Too easy to guess: add more unrelated words or characters.',
    );
  }
  return { acceptable: problems.length === 0, score: result.score, problems };
}
