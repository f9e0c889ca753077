/**
 * The password rule's numbers, apart from the estimator so that a screen can quote them without
 * loading the strength dictionaries.
 */

/** Fewer characters than this are refused whatever their mix. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * zxcvbn score (0-4) a password must reach.
 *
 * 3 means "safely unguessable: moderate protection from an offline slow-hash attack".
 */
export const MIN_PASSWORD_SCORE = 3;
