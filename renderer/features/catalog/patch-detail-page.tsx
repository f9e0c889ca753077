import '../../styles/assets.css';
import '../../styles/bundles.css';

import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';

import type { OpOutput } from '../../../shared/api/contract';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { cx, formatLocalTime, formatUtcTime } from '../../lib/format';
import { runAction } from '../../stores/run-action';

import { PATCH_OS_LABELS } from './catalog-filters';
import { FreshnessBanner } from './catalog-page';
import { KevBadge, SeverityBadge } from './severity-badge';

type PatchDetail = OpOutput<'catalog.get'>;
type HostVerdict = PatchDetail['hosts'][number];
type Status = HostVerdict['status'];

const STATUS_TABS: readonly { id: Status; label: string }[] = [
  { id: 'missing', label: 'Missing' },
  { id: 'installed', label: 'Installed' },
  { id: 'superseded', label: 'Superseded' },
  { id: 'not-applicable', label: 'Not applicable' },
];

const STEP_LABELS: Readonly<Record<string, string>> = {
  'check-disk-space': 'Check disk space',
  'check-package-manager-idle': 'Check the package manager is idle',
  'write-backup-marker': 'Write a backup marker',
  'stop-service': 'Stop a service',
  'start-service': 'Start a service',
  'check-service-health': 'Check service health',
  'run-smoke-test': 'Run the smoke test',
};

function HostVerdicts({ hosts }: { hosts: HostVerdict[] }) {
  const counts = Object.fromEntries(
    STATUS_TABS.map((t) => [t.id, hosts.filter((h) => h.status === t.id).length]),
  ) as Record<Status, number>;
  const [status, setStatus] = useState<Status>('missing');
  const shown = hosts.filter((h) => h.status === status);
  return (
    <section className="card" aria-labelledby="hosts-title">
      <h2 id="hosts-title">Hosts</h2>
      {hosts.length === 0 ? (
        <p className="muted">
          No scanned host has a verdict yet. Scan hosts under Assets to see where this patch is
          missing.
        </p>
      ) : (
        <>
          <div className="segmented" role="group" aria-label="Show hosts where the patch is">
            {STATUS_TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                className={cx('segment', status === t.id && 'is-active')}
                aria-pressed={status === t.id}
                onClick={() => setStatus(t.id)}
              >
                {t.label} <span className="tab-count">{counts[t.id].toLocaleString()}</span>
              </button>
            ))}
          </div>
          {shown.length === 0 ? (
            <p className="muted">No host is in this state.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table compact" aria-label={`Hosts: ${status}`}>
                <thead>
                  <tr>
                    <th scope="col">Host</th>
                    <th scope="col">Tier</th>
                    <th scope="col">Why</th>
                    <th scope="col">Installed</th>
                    <th scope="col">Required</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((h) => (
                    <tr key={h.hostId}>
                      <th scope="row">
                        <Link to={`/assets/${encodeURIComponent(h.hostId)}`}>{h.hostName}</Link>
                      </th>
                      <td>T{h.tier}</td>
                      <td>
                        {h.reason}
                        {h.supersededBy && (
                          <>
                            {' '}
                            Deploy{' '}
                            <Link to={`/patches/${encodeURIComponent(h.supersededBy)}`}>
                              {h.supersededBy}
                            </Link>{' '}
                            instead.
                          </>
                        )}
                      </td>
                      <td>
                        <code>{h.decidedBy?.installed ?? '—'}</code>
                      </td>
                      <td>
                        <code>{h.decidedBy?.required ?? '—'}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** One patch: what it fixes, what replaces it, where it came from, which hosts miss it. */
export function PatchDetailPage() {
  const { patchId = '' } = useParams();
  const [detail, setDetail] = useState<PatchDetail | null>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    void runAction('Loading the patch', () => api.call('catalog.get', { patchId })).then(
      (found) => {
        if (live) setDetail(found ?? null);
      },
    );
    return () => {
      live = false;
    };
  }, [patchId, attempt]);

  if (detail === undefined) {
    return (
      <div className="page">
        <LoadingState label="Loading the patch…" />
      </div>
    );
  }
  if (detail === null) {
    return (
      <div className="page">
        <EmptyState
          title="This patch could not be opened"
          actions={
            <>
              <Button onClick={() => setAttempt((n) => n + 1)}>Try again</Button>
              <Link to="/patches">Back to the catalog</Link>
            </>
          }
        >
          <p>The reason is shown in the notification.</p>
        </EmptyState>
      </div>
    );
  }

  const p = detail.patch;
  return (
    <div className="page patch-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/patches">Patches</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{p.patchId}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>{p.patchId}</h1>
          <p className="page-lead">{p.title}</p>
          <p className="host-meta">
            <SeverityBadge severity={p.severity} />
            {p.cvssScore !== null && <span>CVSS {p.cvssScore.toFixed(1)}</span>}
            {p.knownExploited !== null && (
              <span>
                Known exploited: <KevBadge knownExploited={p.knownExploited} />
              </span>
            )}
            {p.rebootRequired && <Badge tone="warn">Reboot required</Badge>}
            <strong className={p.hosts.missing > 0 ? 'missing-count' : 'muted'}>
              Missing on {p.hosts.missing.toLocaleString()}{' '}
              {p.hosts.missing === 1 ? 'host' : 'hosts'}
            </strong>
          </p>
        </div>
      </header>

      {p.supersededBy.length > 0 && (
        <div className="banner banner-warn" role="note">
          <div className="banner-text">
            <p className="banner-title">
              Superseded by{' '}
              {p.supersededBy.map((id, i) => (
                <span key={id}>
                  {i > 0 && ' → '}
                  <Link to={`/patches/${encodeURIComponent(id)}`}>{id}</Link>
                </span>
              ))}
            </p>
            <p>Deploy the newer patch instead; it includes this fix.</p>
          </div>
        </div>
      )}

      <FreshnessBanner freshness={detail.freshness} />

      <div className="patch-columns">
        <section className="card" aria-labelledby="about-title">
          <h2 id="about-title">What it fixes</h2>
          <dl className="detail-list">
            <dt>Vendor</dt>
            <dd>{p.vendor}</dd>
            <dt>Released</dt>
            <dd>{p.releasedAt.slice(0, 10)}</dd>
            <dt>Applies to</dt>
            <dd>
              {PATCH_OS_LABELS[p.os.family]}{' '}
              {p.os.releases.length > 0 ? p.os.releases.join(', ') : '(any release)'}
            </dd>
            <dt>CVEs</dt>
            <dd className="cve-list">
              {p.cves.length === 0 ? <span className="muted">None cited</span> : p.cves.join(', ')}
            </dd>
            <dt>Advisories</dt>
            <dd>
              {p.advisories.length === 0 ? (
                <span className="muted">None cited</span>
              ) : (
                p.advisories.map((a) => `${a.id} (${a.kind})`).join(', ')
              )}
            </dd>
            <dt>CVSS</dt>
            <dd>
              {p.cvss.length === 0 ? (
                <span className="muted">Not given</span>
              ) : (
                p.cvss.map((c) => (
                  <code key={c.vector} className="block">
                    {c.score !== null && `${c.score.toFixed(1)} `}
                    {c.vector}
                  </code>
                ))
              )}
            </dd>
            {p.supersedes.length > 0 && (
              <>
                <dt>Replaces</dt>
                <dd>
                  {p.supersedes.map((id, i) => (
                    <span key={id}>
                      {i > 0 && ', '}
                      <Link to={`/patches/${encodeURIComponent(id)}`}>{id}</Link>
                    </span>
                  ))}
                </dd>
              </>
            )}
            {p.prerequisites.length > 0 && (
              <>
                <dt>Needs first</dt>
                <dd>{p.prerequisites.join(', ')}</dd>
              </>
            )}
            {(p.preSteps.length > 0 || p.postSteps.length > 0) && (
              <>
                <dt>Steps</dt>
                <dd>
                  {[
                    ...p.preSteps.map((s) => `Before: ${STEP_LABELS[s.step] ?? s.step}`),
                    ...p.postSteps.map((s) => `After: ${STEP_LABELS[s.step] ?? s.step}`),
                  ].join('; ')}
                </dd>
              </>
            )}
          </dl>
        </section>

        <section className="card" aria-labelledby="origin-title">
          <h2 id="origin-title">Where it came from</h2>
          <ul className="plain-list origin-list">
            {p.bundles.map((b) => (
              <li key={b.bundleId}>
                <Link to={`/bundles/${encodeURIComponent(b.bundleId)}`}>{b.bundleId}</Link>{' '}
                <span className="muted">
                  {b.publisher} · {b.channel} #{b.sequence} · signed{' '}
                  <time dateTime={b.created} title={formatUtcTime(b.created)}>
                    {formatLocalTime(b.created)}
                  </time>
                </span>
              </li>
            ))}
          </ul>
          <h3 className="detail-subtitle">Packages</h3>
          <table className="data-table compact" aria-label="Packages">
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Version</th>
                <th scope="col">Arch</th>
                <th scope="col">File</th>
              </tr>
            </thead>
            <tbody>
              {p.packages.map((pkg) => (
                <tr key={pkg.file}>
                  <th scope="row">{pkg.name}</th>
                  <td>
                    <code>{pkg.version}</code>
                  </td>
                  <td>{pkg.arch}</td>
                  <td>
                    <code className="path">{pkg.file}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <HostVerdicts hosts={detail.hosts} />
    </div>
  );
}
