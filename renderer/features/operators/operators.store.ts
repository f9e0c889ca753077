import { create } from 'zustand';

import type { ApproverTeam, Role } from '../../../shared/domain/roles';
import type { Operator } from '../../../shared/domain/schemas';
import { api } from '../../api/api-client';
import type { UserFacingError } from '../../lib/error-messages';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';
import { onSessionEnd } from '../../stores/session-events';
import { useSessionStore } from '../auth/session.store';

/** What the create form sends. */
export type NewOperator = {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
  approverTeams: ApproverTeam[];
};

/** What the edit form sends. */
export type OperatorChanges = {
  displayName: string;
  roles: Role[];
  approverTeams: ApproverTeam[];
};

type OnError = (error: UserFacingError) => void;

type OperatorsStore = {
  operators: Operator[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  load: () => Promise<void>;
  refresh: () => Promise<void>;
  create: (input: NewOperator, onError: OnError) => Promise<Operator | undefined>;
  update: (
    operatorId: string,
    changes: OperatorChanges,
    onError: OnError,
  ) => Promise<Operator | undefined>;
  setDisabled: (operator: Operator, disabled: boolean) => Promise<boolean>;
  resetPassword: (operator: Operator, newPassword: string, onError: OnError) => Promise<boolean>;
};

const initial = { operators: [] as Operator[], status: 'idle' as const };

function replace(list: Operator[], changed: Operator): Operator[] {
  return list.some((o) => o.id === changed.id)
    ? list.map((o) => (o.id === changed.id ? changed : o))
    : [...list, changed];
}

/** Operators of the workspace, for administrators. */
export const useOperatorsStore = create<OperatorsStore>()((set, get) => ({
  ...initial,

  async load() {
    set({ status: 'loading' });
    const operators = await runAction('Loading operators', () => api.call('operators.list', {}));
    set(operators ? { operators, status: 'ready' } : { status: 'error' });
  },

  async refresh() {
    if (get().status !== 'ready') return;
    const operators = await runAction('Refreshing operators', () => api.call('operators.list', {}));
    if (operators) set({ operators });
  },

  async create(input, onError) {
    const created = await runAction(
      'Creating operator',
      () => api.call('operators.create', input),
      {
        notify: false,
        onError,
      },
    );
    if (created) {
      set((s) => ({ operators: replace(s.operators, created) }));
      notifySuccess(
        `Operator ${created.username} created`,
        'They can log in with the password you set.',
      );
    }
    return created;
  },

  async update(operatorId, changes, onError) {
    const updated = await runAction(
      'Saving operator',
      () => api.call('operators.update', { operatorId, ...changes }),
      { notify: false, onError },
    );
    if (updated) {
      set((s) => ({ operators: replace(s.operators, updated) }));
      useSessionStore.getState().updateOperator(updated);
      notifySuccess(`Changes to ${updated.username} saved`);
    }
    return updated;
  },

  async setDisabled(operator, disabled) {
    const updated = await runAction(
      disabled ? `Disabling ${operator.username}` : `Enabling ${operator.username}`,
      () => api.call('operators.setDisabled', { operatorId: operator.id, disabled }),
    );
    if (!updated) return false;
    set((s) => ({ operators: replace(s.operators, updated) }));
    notifySuccess(
      disabled ? `${updated.username} is disabled` : `${updated.username} is enabled`,
      disabled ? 'They can no longer log in. Their audit history stays.' : 'They can log in again.',
    );
    return true;
  },

  async resetPassword(operator, newPassword, onError) {
    const done = await runAction(
      `Resetting the password of ${operator.username}`,
      () => api.call('operators.resetPassword', { operatorId: operator.id, newPassword }),
      { notify: false, onError },
    );
    if (done) notifySuccess(`New password set for ${operator.username}`, 'Hand it over in person.');
    return done !== undefined;
  },
}));

onSessionEnd(() => useOperatorsStore.setState(initial));
