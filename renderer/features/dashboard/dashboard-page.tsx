import { useEffect } from 'react';
import { Link } from 'react-router';

import { ROLE_LABELS } from '../../../shared/domain/roles';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { LoadingState } from '../../components/empty-state';
import { formatLocalTime, shortHash } from '../../lib/format';
import { can } from '../../lib/permissions';
import { useAuditStore } from '../audit/audit.store';
import { useSessionStore } from '../auth/session.store';
import { useSettingsStore } from '../settings/settings.store';

function AuditCard() {
  const verification = useAuditStore((s) => s.verification);
  const verifying = useAuditStore((s) => s.verifying);
  const verify = useAuditStore((s) => s.verify);
  // Verifying is cheap next to what it protects: check afresh whenever the dashboard opens.
  useEffect(() => {
    void verify();
  }, [verify]);

  return (
    <section className="card" aria-labelledby="audit-card-title">
      <h2 id="audit-card-title">Audit chain</h2>
      {!verification && verifying && <LoadingState label="Verifying the audit chain…" />}
      {verification?.valid === true && (
        <>
          <p>
            <Badge tone="ok">Intact</Badge> {verification.checked.toLocaleString()}{' '}
            {verification.checked === 1 ? 'record' : 'records'}, head #{verification.headSeq}
          </p>
          <p className="muted">
            Hash <code title={verification.headHash}>{shortHash(verification.headHash)}</code> ·
            checked {formatLocalTime(verification.verifiedAt)}
          </p>
        </>
      )}
      {verification?.valid === false && (
        <div role="alert">
          <p>
            <Badge tone="danger">Broken</Badge> at record #{verification.firstBadSeq ?? '?'}
          </p>
          <p>{verification.problem}</p>
          <p>
            Export the workspace file for investigation; do not continue deployments until the chain
            verifies again.
          </p>
        </div>
      )}
      <div className="card-actions">
        <Button size="small" busy={verifying} busyLabel="Verifying…" onClick={() => void verify()}>
          Verify again
        </Button>
        <Link to="/audit">Open the audit log</Link>
      </div>
    </section>
  );
}

/** The start page: who is at the console, which workspace is open, whether the audit holds. */
export function DashboardPage() {
  const operator = useSessionStore((s) => s.operator);
  const idleLockMinutes = useSessionStore((s) => s.idleLockMinutes);
  const info = useSettingsStore((s) => s.info);
  const loadInfo = useSettingsStore((s) => s.loadInfo);
  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Dashboard</h1>
          <p className="page-lead">
            The state of this workspace at a glance. Patch coverage, open deployments and SLA ageing
            appear here once hosts and bundles are in.
          </p>
        </div>
      </header>
      <div className="cards">
        <section className="card" aria-labelledby="operator-card-title">
          <h2 id="operator-card-title">At the console</h2>
          {operator && (
            <>
              <p className="card-big">{operator.displayName}</p>
              <p className="muted">
                {operator.username} · {operator.roles.map((r) => ROLE_LABELS[r]).join(', ')}
              </p>
              <p className="muted">
                The session locks after {idleLockMinutes} minute{idleLockMinutes === 1 ? '' : 's'}{' '}
                without activity.
              </p>
            </>
          )}
        </section>
        <section className="card" aria-labelledby="workspace-card-title">
          <h2 id="workspace-card-title">Workspace</h2>
          {info ? (
            <>
              <p>
                <code className="path">{info.workspacePath}</code>
              </p>
              <p className="muted">
                {info.productName} {info.version} · schema {info.schemaVersion}
              </p>
            </>
          ) : (
            <LoadingState label="Reading workspace details…" />
          )}
        </section>
        {can(operator, 'audit.verify') && <AuditCard />}
      </div>
    </div>
  );
}
