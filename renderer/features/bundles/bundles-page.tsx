import '../../styles/assets.css';
import '../../styles/bundles.css';

import { useEffect, useState } from 'react';
import { Link } from 'react-router';

import type { BundleSummary } from '../../../shared/api/ops/bundles';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { formatLocalTime, formatUtcTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { useSessionStore } from '../auth/session.store';
import { SeverityBadge } from '../catalog/severity-badge';

import { useBundlesStore } from './bundles.store';
import { ImportBundleDialog } from './import-dialog';
import { StoreStatusBadge } from './store-status';
import { ageTone, formatAge, formatSize, secondsSince } from './units';

/** Props of BundleAge. */
export type BundleAgeProps = { created: string };

/** How long ago the publisher signed a bundle, amber after a week and red after a month. */
export function BundleAge({ created }: BundleAgeProps) {
  const age = secondsSince(created);
  const tone = ageTone(age);
  return (
    <span className={`age age-${tone}`} title={`Signed ${formatUtcTime(created)}`}>
      {formatAge(age)}
    </span>
  );
}

/** Props of ExpiryCell. */
export type ExpiryCellProps = Pick<BundleSummary, 'expires' | 'expiryOverridden'>;

/** When a bundle expires, with a badge once it has (and when it was imported anyway). */
export function ExpiryCell({ expires, expiryOverridden }: ExpiryCellProps) {
  const expired = secondsSince(expires) > 0;
  return (
    <span className="expiry-cell">
      <time dateTime={expires} title={formatUtcTime(expires)}>
        {formatLocalTime(expires).slice(0, 10)}
      </time>{' '}
      {expiryOverridden ? (
        <Badge tone="warn">Imported expired</Badge>
      ) : (
        expired && <Badge tone="warn">Expired</Badge>
      )}
    </span>
  );
}

function BundleTable({
  bundles,
  signers,
}: {
  bundles: BundleSummary[];
  signers: Record<string, string[]>;
}) {
  return (
    <div className="table-wrap bundle-table-wrap">
      <table className="data-table bundle-table" aria-label="Imported bundles">
        <thead>
          <tr>
            <th scope="col">Bundle</th>
            <th scope="col">Publisher</th>
            <th scope="col">Channel</th>
            <th scope="col" className="num">
              Seq.
            </th>
            <th scope="col">Created</th>
            <th scope="col">Age</th>
            <th scope="col">Expires</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col" className="num">
              Patches
            </th>
            <th scope="col">Top severity</th>
            <th scope="col">Store copy</th>
            <th scope="col">Signed by</th>
          </tr>
        </thead>
        <tbody>
          {bundles.map((b) => {
            const keys = signers[b.bundleId];
            return (
              <tr key={b.bundleId} data-bundle-id={b.bundleId}>
                <th scope="row">
                  <Link to={`/bundles/${encodeURIComponent(b.bundleId)}`}>{b.bundleId}</Link>
                </th>
                <td>{b.publisher}</td>
                <td>
                  <code>{b.channel}</code>
                </td>
                <td className="num">{b.sequence}</td>
                <td>
                  <time dateTime={b.created} title={formatUtcTime(b.created)}>
                    {formatLocalTime(b.created).slice(0, 10)}
                  </time>
                </td>
                <td>
                  <BundleAge created={b.created} />
                </td>
                <td>
                  <ExpiryCell expires={b.expires} expiryOverridden={b.expiryOverridden} />
                </td>
                <td className="num" title={`${b.files.toLocaleString()} files`}>
                  {formatSize(b.bytes)}
                </td>
                <td className="num">{b.patches.toLocaleString()}</td>
                <td>
                  <SeverityBadge severity={b.severity} />
                </td>
                <td>
                  <StoreStatusBadge status={b.storeStatus} />
                </td>
                <td className="signers-cell">
                  {keys === undefined ? (
                    <span className="muted">…</span>
                  ) : (
                    keys.map((fp) => (
                      <code key={fp} className="key-chip" title={fp}>
                        {fp.slice(0, 9)}…
                      </code>
                    ))
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Imported bundles, and the way to import another from removable media. */
export function BundlesPage() {
  const operator = useSessionStore((s) => s.operator);
  const { bundles, signers, status, load } = useBundlesStore();
  const [importing, setImporting] = useState(false);
  const canImport = can(operator, 'bundles.import');

  useEffect(() => {
    void load();
    // Another window or the command line may import too; keep the list current, and show the
    // end of each store check.
    const stopImports = api.on('bundles.importProgress', (event) => {
      if (event.phase === 'done') void load();
    });
    const stopChecks = api.on('bundles.storeVerificationFinished', () => void load());
    return () => {
      stopImports();
      stopChecks();
    };
  }, [load]);

  const newest = bundles.reduce<BundleSummary | undefined>(
    (best, b) => (!best || b.created > best.created ? b : best),
    undefined,
  );

  return (
    <div className="page bundles-page">
      <header className="page-header">
        <div>
          <h1>Bundles</h1>
          <p className="page-lead">
            Signed patch bundles brought in on removable media. Each one is checked against the
            publisher keys an administrator trusts before any file is kept.
          </p>
        </div>
        <div className="header-actions">
          <Link className="btn btn-secondary" to="/patches">
            Patch catalog
          </Link>
          {canImport && (
            <Button variant="primary" onClick={() => setImporting(true)}>
              Import bundle
            </Button>
          )}
        </div>
      </header>

      {(status === 'idle' || status === 'loading') && <LoadingState label="Loading bundles…" />}
      {status === 'error' && (
        <EmptyState
          title="The bundle list could not be loaded"
          actions={
            <Button variant="primary" onClick={() => void load()}>
              Try again
            </Button>
          }
        >
          <p>The reason is shown in the notification.</p>
        </EmptyState>
      )}
      {status === 'ready' && bundles.length === 0 && (
        <EmptyState
          title="No bundles imported yet"
          actions={
            canImport ? (
              <Button variant="primary" onClick={() => setImporting(true)}>
                Import bundle
              </Button>
            ) : undefined
          }
        >
          <p>
            Import a signed patch bundle from removable media. PatchDeck shows who signed it before
            anything is trusted, then checks every signature and file while copying it in.
          </p>
          <ul className="empty-steps">
            <li>An administrator first adds the publisher under Settings, Trusted publishers.</li>
            <li>
              Expired bundles, older sequences and files not in the signed manifest are refused.
            </li>
            <li>Verified packages are copied into the workspace store, reading the media once.</li>
          </ul>
          {!canImport && <p>Ask a technician or an administrator to import bundles.</p>}
        </EmptyState>
      )}
      {status === 'ready' && bundles.length > 0 && (
        <>
          {newest && (
            <p className="table-summary">
              {bundles.length.toLocaleString()} {bundles.length === 1 ? 'bundle' : 'bundles'}{' '}
              imported; the newest was signed <BundleAge created={newest.created} /> ago (
              {newest.bundleId}).
            </p>
          )}
          <BundleTable bundles={bundles} signers={signers} />
        </>
      )}

      {importing && <ImportBundleDialog onClose={() => setImporting(false)} />}
    </div>
  );
}
