import { describe, expect, it } from 'vitest';

import { describeApiError, ERROR_MESSAGES } from '../../../../renderer/lib/error-messages';
import { ApiError } from '../../../../shared/api/client';
import { ERROR_CODES } from '../../../../shared/api/errors';

describe('ERROR_MESSAGES', () => {
  it('has a sentence and a next step for every error code, and nothing else', () => {
    expect(Object.keys(ERROR_MESSAGES).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      expect(ERROR_MESSAGES[code].title.length, code).toBeGreaterThan(10);
      expect(ERROR_MESSAGES[code].action.length, code).toBeGreaterThan(10);
    }
  });
});

describe('describeApiError', () => {
  it('never passes on the raw message of INTERNAL_ERROR', () => {
    const described = describeApiError(new ApiError('INTERNAL_ERROR', 'TypeError at db.ts:42'));
    expect(JSON.stringify(described)).not.toContain('db.ts');
    expect(described.title).toBe(ERROR_MESSAGES.INTERNAL_ERROR.title);
  });

  it('lists the field issues of VALIDATION_FAILED', () => {
    const described = describeApiError(
      new ApiError('VALIDATION_FAILED', 'Invalid request.', {
        issues: ['username: Use at least 2 characters.', { path: ['roles'], message: 'Pick one.' }],
      }),
    );
    expect(described.issues).toEqual(['username: Use at least 2 characters.', 'roles: Pick one.']);
  });

  it('keeps the core message of an expected failure as detail', () => {
    const described = describeApiError(new ApiError('LOGIN_THROTTLED', 'Try again in 30 seconds.'));
    expect(described.detail).toBe('Try again in 30 seconds.');
    expect(described.action).toBe(ERROR_MESSAGES.LOGIN_THROTTLED.action);
  });
});
