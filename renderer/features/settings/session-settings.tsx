import { useEffect, useState, type FormEvent } from 'react';

import { SettingsSchema } from '../../../shared/domain/schemas';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import type { UserFacingError } from '../../lib/error-messages';
import { can } from '../../lib/permissions';
import { useSessionStore } from '../auth/session.store';

import { useSettingsStore } from './settings.store';

function IdleLockForm({ minutes }: { minutes: number }) {
  const saveIdleLock = useSettingsStore((s) => s.saveIdleLock);
  const [value, setValue] = useState(String(minutes));
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const parsed = SettingsSchema.shape.idleLockMinutes.safeParse(Number(value));
    if (value.trim() === '' || !parsed.success) {
      setError('Enter a whole number of minutes from 1 to 240.');
      return;
    }
    setError(undefined);
    setBusy(true);
    await saveIdleLock(parsed.data, setFailure);
    setBusy(false);
  };

  return (
    <form className="form form-narrow" onSubmit={(e) => void submit(e)} noValidate>
      <FormError error={failure} />
      <TextField
        label="Lock after (minutes without activity)"
        name="idleLockMinutes"
        type="number"
        inputMode="numeric"
        min={1}
        max={240}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        error={error}
        hint="From 1 to 240. Applies to every operator's session in this workspace."
      />
      <div className="form-row">
        <Button
          type="submit"
          variant="primary"
          busy={busy}
          busyLabel="Saving…"
          disabled={value === String(minutes)}
        >
          Save
        </Button>
      </div>
    </form>
  );
}

/** Settings → Session: how long a session may stay idle before it locks. */
export function SessionSettings() {
  const operator = useSessionStore((s) => s.operator);
  const settings = useSettingsStore((s) => s.settings);
  const status = useSettingsStore((s) => s.settingsStatus);
  const loadSettings = useSettingsStore((s) => s.loadSettings);
  const applyChange = useSettingsStore((s) => s.applyChange);

  useEffect(() => {
    void loadSettings();
    return api.on('settings.changed', (payload) => applyChange(payload));
  }, [loadSettings, applyChange]);

  return (
    <section aria-labelledby="session-title">
      <header className="section-header">
        <div>
          <h2 id="session-title">Session</h2>
          <p className="muted">
            An unattended console is locked so nobody can act under someone else's name. The
            operator unlocks with their password, or another operator logs in.
          </p>
        </div>
      </header>
      {status === 'loading' && !settings && <LoadingState label="Loading settings…" />}
      {status === 'error' && (
        <EmptyState
          title="The settings could not be loaded"
          actions={<Button onClick={() => void loadSettings()}>Try again</Button>}
        />
      )}
      {settings &&
        (can(operator, 'settings.manage') ? (
          <IdleLockForm key={settings.idleLockMinutes} minutes={settings.idleLockMinutes} />
        ) : (
          <dl className="detail-list detail-list-narrow">
            <dt>Idle lock</dt>
            <dd data-testid="idle-lock-minutes">
              After {settings.idleLockMinutes} minute{settings.idleLockMinutes === 1 ? '' : 's'}{' '}
              without activity
            </dd>
            <dt>Who can change it</dt>
            <dd>Administrators</dd>
          </dl>
        ))}
    </section>
  );
}
