import '../../styles/assets.css';
import '../../styles/bundles.css';

import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';

import type { BundleDetail, StoreStatus } from '../../../shared/api/ops/bundles';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { formatLocalTime, formatUtcTime, shortHash } from '../../lib/format';
import { runAction } from '../../stores/run-action';
import { SeverityBadge } from '../catalog/severity-badge';

import { BundleAge, ExpiryCell } from './bundles-page';
import { StoreStatusBadge, StoreStatusNote, useStoreStatus } from './store-status';
import { formatSize } from './units';
import { FileHashTable, VerificationReport } from './verification-report';

const TABS = [
  { id: 'verification', label: 'Verification report' },
  { id: 'patches', label: 'Patches' },
  { id: 'files', label: 'Files' },
] as const;

type TabId = (typeof TABS)[number]['id'];

function PatchList({ bundle }: { bundle: BundleDetail }) {
  if (bundle.patchList.length === 0) return <p className="muted">This bundle brings no patches.</p>;
  return (
    <div className="table-wrap">
      <table className="data-table compact" aria-label="Patches in this bundle">
        <thead>
          <tr>
            <th scope="col">Patch</th>
            <th scope="col">Title</th>
            <th scope="col">Severity</th>
            <th scope="col">CVEs</th>
            <th scope="col">Applies to</th>
            <th scope="col">Packages</th>
          </tr>
        </thead>
        <tbody>
          {bundle.patchList.map((p) => (
            <tr key={p.id}>
              <th scope="row">
                <Link to={`/patches/${encodeURIComponent(p.id)}`}>{p.id}</Link>
              </th>
              <td>{p.title}</td>
              <td>
                <SeverityBadge severity={p.severity} />
              </td>
              <td>
                {p.cves.slice(0, 3).join(', ')}
                {p.cves.length > 3 && <span className="muted"> +{p.cves.length - 3}</span>}
              </td>
              <td>
                {p.os.family} {p.os.releases.join(', ')}
              </td>
              <td>
                {p.packages.map((pkg) => (
                  <code key={pkg.file} className="block">
                    {pkg.name} {pkg.version} ({pkg.arch})
                  </code>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Props of StoreCopy. */
type StoreCopyProps = { bundleId: string; initial: StoreStatus };

function StoreCopy({ bundleId, initial }: StoreCopyProps) {
  const status = useStoreStatus(bundleId, initial);
  return (
    <>
      <StoreStatusBadge status={status} /> <StoreStatusNote status={status} />
    </>
  );
}

/** One imported bundle: how it verified, the patches it brings and its files. */
export function BundleDetailPage() {
  const { bundleId = '' } = useParams();
  const [bundle, setBundle] = useState<BundleDetail | null>();
  const [tab, setTab] = useState<TabId>('verification');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    void runAction('Loading the bundle', () => api.call('bundles.get', { bundleId })).then(
      (found) => {
        if (live) setBundle(found ?? null);
      },
    );
    return () => {
      live = false;
    };
  }, [bundleId, attempt]);

  if (bundle === undefined) {
    return (
      <div className="page">
        <LoadingState label="Loading the bundle…" />
      </div>
    );
  }
  if (bundle === null) {
    return (
      <div className="page">
        <EmptyState
          title="This bundle could not be opened"
          actions={
            <>
              <Button onClick={() => setAttempt((n) => n + 1)}>Try again</Button>
              <Link to="/bundles">Back to all bundles</Link>
            </>
          }
        >
          <p>The reason is shown in the notification.</p>
        </EmptyState>
      </div>
    );
  }

  const counts: Partial<Record<TabId, number>> = {
    patches: bundle.patchList.length,
    files: bundle.fileList.length,
  };

  return (
    <div className="page bundle-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/bundles">Bundles</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{bundle.bundleId}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>{bundle.bundleId}</h1>
          <p className="host-meta">
            <span>
              <strong>{bundle.publisher}</strong> · channel <code>{bundle.channel}</code> #
              {bundle.sequence}
            </span>
            <SeverityBadge severity={bundle.severity} />
            <span className="muted">
              signed{' '}
              <time dateTime={bundle.created} title={formatUtcTime(bundle.created)}>
                {formatLocalTime(bundle.created)}
              </time>{' '}
              (<BundleAge created={bundle.created} /> ago)
            </span>
            <span className="muted">
              expires{' '}
              <ExpiryCell expires={bundle.expires} expiryOverridden={bundle.expiryOverridden} />
            </span>
          </p>
        </div>
      </header>
      <dl className="detail-list detail-list-narrow bundle-facts">
        <dt>Imported</dt>
        <dd>
          <time dateTime={bundle.importedAt} title={formatUtcTime(bundle.importedAt)}>
            {formatLocalTime(bundle.importedAt)}
          </time>{' '}
          by {bundle.importedBy}, from a {bundle.sourceKind === 'tar' ? '.tar archive' : 'folder'}
        </dd>
        <dt>Contents</dt>
        <dd>
          {bundle.patches.toLocaleString()} patches, {bundle.files.toLocaleString()} files,{' '}
          {formatSize(bundle.bytes)}
        </dd>
        <dt>Store copy</dt>
        <dd>
          <StoreCopy bundleId={bundle.bundleId} initial={bundle.storeStatus} />
        </dd>
        <dt>Manifest SHA-256</dt>
        <dd>
          <code className="hash" title={bundle.manifestSha256}>
            {shortHash(bundle.manifestSha256, 16, 16)}
          </code>
        </dd>
      </dl>

      <div className="tabs" role="tablist" aria-label="Bundle sections">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => setTab(t.id)}
            onKeyDown={(event) => {
              const index = TABS.findIndex((x) => x.id === tab);
              const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
              if (step === 0) return;
              event.preventDefault();
              const next = TABS[(index + step + TABS.length) % TABS.length];
              if (next) {
                setTab(next.id);
                document.getElementById(`tab-${next.id}`)?.focus();
              }
            }}
          >
            {t.label}
            {counts[t.id] !== undefined && (
              <span className="tab-count">{counts[t.id]?.toLocaleString()}</span>
            )}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
        {tab === 'verification' && (
          <VerificationReport
            bundle={bundle}
            verification={bundle.verification}
            files={bundle.fileList}
          />
        )}
        {tab === 'patches' && <PatchList bundle={bundle} />}
        {tab === 'files' && <FileHashTable files={bundle.fileList} />}
      </div>
    </div>
  );
}
