import { beforeEach, describe, expect, it } from 'vitest';

import { useSessionStore } from '../../../../renderer/features/auth/session.store';
import { ERROR_MESSAGES } from '../../../../renderer/lib/error-messages';
import { useNotificationsStore } from '../../../../renderer/stores/notifications.store';
import { runAction } from '../../../../renderer/stores/run-action';
import { ApiError } from '../../../../shared/api/client';
import { anOperator } from '../fake-transport';

beforeEach(() => {
  useNotificationsStore.getState().clear();
  useSessionStore.setState({ phase: 'ready', operator: anOperator(), notice: undefined });
});

describe('runAction', () => {
  it('returns the value when the action succeeds, and notifies nothing', async () => {
    await expect(runAction('Counting', () => Promise.resolve(3))).resolves.toBe(3);
    expect(useNotificationsStore.getState().items).toEqual([]);
  });

  it('turns an ApiError into the mapped notification and resolves to undefined', async () => {
    const result = await runAction('Creating operator', () =>
      Promise.reject(new ApiError('USERNAME_TAKEN', 'Username "bob" is taken.')),
    );
    expect(result).toBeUndefined();
    const [toast] = useNotificationsStore.getState().items;
    expect(toast).toMatchObject({
      tone: 'error',
      context: 'Creating operator',
      title: ERROR_MESSAGES.USERNAME_TAKEN.title,
      body: ERROR_MESSAGES.USERNAME_TAKEN.action,
      detail: 'Username "bob" is taken.',
    });
  });

  it('never shows the raw message of INTERNAL_ERROR', async () => {
    await runAction('Loading', () =>
      Promise.reject(new ApiError('INTERNAL_ERROR', 'SQLITE_CORRUPT at journal.ts:88')),
    );
    const [toast] = useNotificationsStore.getState().items;
    expect(toast?.title).toBe(ERROR_MESSAGES.INTERNAL_ERROR.title);
    expect(JSON.stringify(toast)).not.toContain('SQLITE_CORRUPT');
  });

  it('shows the field issues of VALIDATION_FAILED', async () => {
    await runAction('Saving', () =>
      Promise.reject(
        new ApiError('VALIDATION_FAILED', 'Invalid request.', {
          issues: ['idleLockMinutes: Too big: expected number to be <=240'],
        }),
      ),
    );
    const [toast] = useNotificationsStore.getState().items;
    expect(toast?.issues).toEqual(['idleLockMinutes: Too big: expected number to be <=240']);
  });

  it('treats a non-API exception as a bug with the generic text', async () => {
    const original = console.error;
    console.error = () => undefined;
    try {
      await runAction('Rendering', () => Promise.reject(new TypeError('x is undefined')));
    } finally {
      console.error = original;
    }
    const [toast] = useNotificationsStore.getState().items;
    expect(toast?.title).toBe(ERROR_MESSAGES.INTERNAL_ERROR.title);
    expect(JSON.stringify(toast)).not.toContain('x is undefined');
  });

  it('sends a locked session to the lock screen', async () => {
    await runAction('Loading', () => Promise.reject(new ApiError('SESSION_LOCKED', 'Locked.')));
    expect(useSessionStore.getState().phase).toBe('locked');
  });

  it('sends an ended session to the login screen', async () => {
    await runAction('Loading', () =>
      Promise.reject(new ApiError('NOT_AUTHENTICATED', 'No session.')),
    );
    expect(useSessionStore.getState().phase).toBe('login');
    expect(useSessionStore.getState().operator).toBeUndefined();
  });

  it('lets a form take the error inline instead of as a toast', async () => {
    let inline: string | undefined;
    await runAction(
      'Logging in',
      () => Promise.reject(new ApiError('INVALID_CREDENTIALS', 'Wrong.')),
      { notify: false, onError: (e) => (inline = e.title) },
    );
    expect(inline).toBe(ERROR_MESSAGES.INVALID_CREDENTIALS.title);
    expect(useNotificationsStore.getState().items).toEqual([]);
  });
});
