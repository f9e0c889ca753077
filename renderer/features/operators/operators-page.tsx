import { useEffect, useState } from 'react';

import { APPROVER_TEAM_LABELS, ROLE_LABELS } from '../../../shared/domain/roles';
import type { Operator } from '../../../shared/domain/schemas';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/dialog';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { formatLocalTime, formatUtcTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { useSessionStore } from '../auth/session.store';

import { OperatorFormDialog } from './operator-form-dialog';
import { useOperatorsStore } from './operators.store';
import { ResetPasswordDialog } from './reset-password-dialog';

type OpenDialog =
  | { kind: 'create' }
  | { kind: 'edit'; operator: Operator }
  | { kind: 'reset'; operator: Operator }
  | { kind: 'toggle'; operator: Operator };

function OperatorsTable({
  operators,
  selfId,
  onOpen,
}: {
  operators: Operator[];
  selfId: string | undefined;
  onOpen: (dialog: OpenDialog) => void;
}) {
  const sorted = [...operators].sort((a, b) => a.username.localeCompare(b.username));
  return (
    <div className="table-wrap">
      <table className="data-table" aria-label="Operators">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Name</th>
            <th scope="col">Roles</th>
            <th scope="col">Approver teams</th>
            <th scope="col">Status</th>
            <th scope="col">Last login</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((o) => (
            <tr key={o.id} className={o.disabled ? 'is-disabled' : undefined}>
              <th scope="row">
                {o.username}
                {o.id === selfId && <span className="muted"> (you)</span>}
              </th>
              <td>{o.displayName}</td>
              <td>{o.roles.map((r) => ROLE_LABELS[r]).join(', ')}</td>
              <td>
                {o.approverTeams.length > 0 ? (
                  o.approverTeams.map((t) => APPROVER_TEAM_LABELS[t]).join(', ')
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td>
                {o.disabled ? (
                  <Badge tone="neutral">Disabled</Badge>
                ) : (
                  <Badge tone="ok">Active</Badge>
                )}
              </td>
              <td>
                {o.lastLoginAt ? (
                  <time dateTime={o.lastLoginAt} title={formatUtcTime(o.lastLoginAt)}>
                    {formatLocalTime(o.lastLoginAt)}
                  </time>
                ) : (
                  <span className="muted">Never</span>
                )}
              </td>
              <td className="row-actions">
                <Button
                  size="small"
                  variant="ghost"
                  aria-label={`Edit ${o.username}`}
                  onClick={() => onOpen({ kind: 'edit', operator: o })}
                >
                  Edit
                </Button>
                <Button
                  size="small"
                  variant="ghost"
                  aria-label={`Reset password for ${o.username}`}
                  onClick={() => onOpen({ kind: 'reset', operator: o })}
                >
                  Reset password
                </Button>
                <Button
                  size="small"
                  variant="ghost"
                  aria-label={`${o.disabled ? 'Enable' : 'Disable'} ${o.username}`}
                  onClick={() => onOpen({ kind: 'toggle', operator: o })}
                >
                  {o.disabled ? 'Enable' : 'Disable'}
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ToggleDialog({ operator, onClose }: { operator: Operator; onClose: () => void }) {
  const setDisabled = useOperatorsStore((s) => s.setDisabled);
  const [busy, setBusy] = useState(false);
  const disabling = !operator.disabled;
  return (
    <ConfirmDialog
      title={disabling ? `Disable ${operator.username}?` : `Enable ${operator.username}?`}
      confirmLabel={disabling ? 'Disable operator' : 'Enable operator'}
      busyLabel={disabling ? 'Disabling…' : 'Enabling…'}
      tone={disabling ? 'danger' : 'primary'}
      busy={busy}
      onClose={onClose}
      onConfirm={() => {
        setBusy(true);
        void setDisabled(operator, disabling).then(() => onClose());
      }}
    >
      {disabling ? (
        <p>
          {operator.displayName} will no longer be able to log in. Their past actions stay in the
          audit log, and you can enable the account again at any time.
        </p>
      ) : (
        <p>{operator.displayName} will be able to log in again with their existing password.</p>
      )}
    </ConfirmDialog>
  );
}

/** Settings → Operators: who may use this workspace, with which roles. Administrators only. */
export function OperatorsPage() {
  const me = useSessionStore((s) => s.operator);
  const isAdmin = can(me, 'operators.manage');
  const operators = useOperatorsStore((s) => s.operators);
  const status = useOperatorsStore((s) => s.status);
  const load = useOperatorsStore((s) => s.load);
  const refresh = useOperatorsStore((s) => s.refresh);
  const [dialog, setDialog] = useState<OpenDialog>();

  useEffect(() => {
    if (!isAdmin) return undefined;
    void load();
    return api.on('operators.changed', () => void refresh());
  }, [isAdmin, load, refresh]);

  if (!isAdmin) {
    return (
      <EmptyState title="Operators are managed by administrators">
        <p>
          Your roles let you use PatchDeck but not change who else can. If someone needs an account,
          a different role or a new password, ask an administrator of this workspace.
        </p>
      </EmptyState>
    );
  }

  return (
    <section aria-labelledby="operators-title">
      <header className="section-header">
        <div>
          <h2 id="operators-title">Operators</h2>
          <p className="muted">
            Everyone who uses this workspace has their own account. Roles decide what they may do;
            the core enforces them.
          </p>
        </div>
        <Button variant="primary" onClick={() => setDialog({ kind: 'create' })}>
          New operator
        </Button>
      </header>
      {status === 'loading' && operators.length === 0 && (
        <LoadingState label="Loading operators…" />
      )}
      {status === 'error' && (
        <EmptyState
          title="The operators could not be loaded"
          actions={<Button onClick={() => void load()}>Try again</Button>}
        >
          <p>The reason is shown in the notification.</p>
        </EmptyState>
      )}
      {operators.length > 0 && (
        <OperatorsTable operators={operators} selfId={me?.id} onOpen={setDialog} />
      )}
      {dialog?.kind === 'create' && <OperatorFormDialog onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'edit' && (
        <OperatorFormDialog operator={dialog.operator} onClose={() => setDialog(undefined)} />
      )}
      {dialog?.kind === 'reset' && (
        <ResetPasswordDialog operator={dialog.operator} onClose={() => setDialog(undefined)} />
      )}
      {dialog?.kind === 'toggle' && (
        <ToggleDialog operator={dialog.operator} onClose={() => setDialog(undefined)} />
      )}
    </section>
  );
}
