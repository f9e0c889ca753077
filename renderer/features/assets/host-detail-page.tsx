import '../../styles/assets.css';

import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';

import type { HostDetail } from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { ConfirmDialog } from '../../components/dialog';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { Tabs } from '../../components/tabs';
import { cx, formatLocalTime, formatUtcTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { notifySuccess } from '../../stores/notifications.store';
import { runAction } from '../../stores/run-action';
import { useSessionStore } from '../auth/session.store';

import { EolBadge, HostKeyBadge, ScanBadge, TierBadge } from './asset-badges';
import { useAssetsLiveUpdates } from './assets-page';
import { HostHistory } from './host-history';
import { HostKeyReview } from './host-key-dialog';
import { useHostKeyReviewStore } from './host-key-review.store';
import { HostPackages } from './host-packages';
import { HostPatches } from './host-patches';
import { HostSettingsForm } from './host-settings-form';
import { ScanPanel } from './scan-panel';
import { useScansStore } from './scans.store';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'packages', label: 'Packages' },
  { id: 'patches', label: 'Patches' },
  { id: 'history', label: 'Scan history' },
  { id: 'settings', label: 'Settings' },
] as const;

type TabId = (typeof TABS)[number]['id'];

/** "3 d 4 h", "5 h 12 min", "42 min". */
export function formatDuration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  return `${minutes} min`;
}

/** "12.4 GB" in powers of 1024, as df -h shows. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

function Overview({ host }: { host: HostDetail }) {
  const facts = host.facts;
  return (
    <div className="overview">
      {host.lastScan?.status === 'failed' && (
        <div className="banner banner-danger" role="alert">
          <div className="banner-text">
            <p className="banner-title">The last scan failed</p>
            {host.lastScan.message && <p>{host.lastScan.message}</p>}
            {host.lastScan.action && (
              <p>
                <strong>What to do:</strong> {host.lastScan.action}
              </p>
            )}
          </div>
        </div>
      )}
      {!facts ? (
        <EmptyState title="No facts recorded yet">
          <p>
            Scan this host to record its operating system, kernel, disks, listening services,
            containers and whether it needs a reboot.
          </p>
        </EmptyState>
      ) : (
        <>
          <section className="card facts-card" aria-labelledby="system-title">
            <h2 id="system-title">System</h2>
            <dl className="detail-list">
              <dt>Operating system</dt>
              <dd>
                {facts.osName}{' '}
                {facts.osVersion && !facts.osName.includes(facts.osVersion) ? facts.osVersion : ''}
                {facts.osCodename && <span className="muted"> ({facts.osCodename})</span>}{' '}
                <EolBadge eol={host.eol} />
              </dd>
              <dt>Kernel</dt>
              <dd>
                <code>{facts.kernel}</code>
              </dd>
              <dt>Architecture</dt>
              <dd>
                {facts.arch}
                {facts.packageArch && facts.packageArch !== facts.arch && (
                  <span className="muted"> (packages: {facts.packageArch})</span>
                )}
              </dd>
              <dt>Host name</dt>
              <dd>{facts.hostname}</dd>
              <dt>Up for</dt>
              <dd>
                {formatDuration(facts.uptimeSeconds)}
                {facts.lastBoot && (
                  <span className="muted"> · booted {formatLocalTime(facts.lastBoot)}</span>
                )}
              </dd>
              <dt>Reboot</dt>
              <dd>
                {facts.rebootRequired ? (
                  <>
                    <Badge tone="warn">Reboot required</Badge>{' '}
                    {facts.rebootReason && <span>{facts.rebootReason}</span>}
                  </>
                ) : (
                  <span>Not required</span>
                )}
              </dd>
              <dt>Collected</dt>
              <dd>
                <time dateTime={facts.collectedAt} title={formatUtcTime(facts.collectedAt)}>
                  {formatLocalTime(facts.collectedAt)}
                </time>
              </dd>
            </dl>
            {facts.warnings && facts.warnings.length > 0 && (
              <div className="notice notice-warn">
                <p>
                  <strong>The scan could not see everything:</strong>
                </p>
                <ul className="plain-list">
                  {facts.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              </div>
            )}
          </section>

          <section className="card" aria-labelledby="disks-title">
            <h2 id="disks-title">Disks</h2>
            {facts.disks.length === 0 ? (
              <p className="muted">No file systems reported.</p>
            ) : (
              <table className="data-table compact" aria-label="Disks">
                <thead>
                  <tr>
                    <th scope="col">Mount</th>
                    <th scope="col">Size</th>
                    <th scope="col">Free</th>
                    <th scope="col">
                      <span className="visually-hidden">Use</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {facts.disks.map((d) => {
                    const freeShare = d.totalBytes > 0 ? d.freeBytes / d.totalBytes : 0;
                    const low = freeShare < 0.1;
                    return (
                      <tr key={d.mount}>
                        <th scope="row">
                          <code>{d.mount}</code>
                        </th>
                        <td>{formatBytes(d.totalBytes)}</td>
                        <td className={low ? 'text-danger' : undefined}>
                          {formatBytes(d.freeBytes)} ({Math.round(freeShare * 100)} %)
                          {low && ' · low'}
                        </td>
                        <td className="disk-bar-cell">
                          <span className="disk-bar" aria-hidden="true">
                            <span
                              className={cx('disk-bar-used', low && 'is-low')}
                              style={{ width: `${Math.round((1 - freeShare) * 100)}%` }}
                            />
                          </span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </section>

          <section className="card" aria-labelledby="services-title">
            <h2 id="services-title">Listening services</h2>
            {facts.services.length === 0 ? (
              <p className="muted">Nothing listening was reported.</p>
            ) : (
              <table className="data-table compact" aria-label="Listening services">
                <thead>
                  <tr>
                    <th scope="col">Port</th>
                    <th scope="col">Address</th>
                    <th scope="col">Process</th>
                  </tr>
                </thead>
                <tbody>
                  {facts.services.map((s) => (
                    <tr key={`${s.protocol}-${s.address}-${s.port}`}>
                      <th scope="row">
                        {s.port}/{s.protocol}
                      </th>
                      <td>
                        <code>{s.address}</code>
                      </td>
                      <td>{s.process ?? <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section className="card" aria-labelledby="containers-title">
            <h2 id="containers-title">Containers</h2>
            {facts.containers.length === 0 ? (
              <p className="muted">No running containers.</p>
            ) : (
              <table className="data-table compact" aria-label="Containers">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Image</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {facts.containers.map((c) => (
                    <tr key={c.id}>
                      <th scope="row">
                        {c.name} <span className="muted">({c.runtime})</span>
                      </th>
                      <td>
                        <code>{c.image}</code>
                      </td>
                      <td>{c.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </div>
  );
}

/** One host: its facts, packages, scan history and settings. */
export function HostDetailPage() {
  const { hostId = '' } = useParams();
  const navigate = useNavigate();
  const operator = useSessionStore((s) => s.operator);
  const review = useHostKeyReviewStore((s) => s.review);
  const startScan = useScansStore((s) => s.start);
  const scanning = useScansStore((s) =>
    s.runs.some(
      (r) =>
        !r.finished &&
        r.hosts.some((h) => h.hostId === hostId && h.state !== 'done' && h.state !== 'failed'),
    ),
  );
  const [host, setHost] = useState<HostDetail | null>();
  const [tab, setTab] = useState<TabId>('overview');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [starting, setStarting] = useState(false);

  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    const reload = () =>
      void runAction('Loading the host', () => api.call('hosts.get', { hostId })).then((found) => {
        if (live) setHost(found ?? null);
      });
    reload();
    const offs = [
      api.on('hosts.changed', (e) => {
        if (e.hostIds === 'all' || e.hostIds.includes(hostId)) reload();
      }),
      api.on('scans.progress', (e) => {
        if (e.hostId === hostId && (e.state === 'done' || e.state === 'failed')) reload();
      }),
      api.on('hostKeys.changed', (e) => {
        if (e.hostId === null || e.hostId === hostId) reload();
      }),
    ];
    return () => {
      live = false;
      for (const off of offs) off();
    };
  }, [hostId, attempt]);
  useAssetsLiveUpdates();

  const remove = async () => {
    if (!host) return;
    setDeleting(true);
    const done = await runAction(`Deleting ${host.name}`, () =>
      api.call('hosts.delete', { hostIds: [host.id] }),
    );
    setDeleting(false);
    if (done) {
      notifySuccess(`${host.name} deleted`, 'Its scan history was removed with it.');
      void navigate('/assets');
    }
  };

  if (host === undefined) {
    return (
      <div className="page">
        <LoadingState label="Loading the host…" />
      </div>
    );
  }
  if (host === null) {
    return (
      <div className="page">
        <EmptyState
          title="This host could not be opened"
          actions={
            <>
              <Button onClick={() => setAttempt((n) => n + 1)}>Try again</Button>
              <Link to="/assets">Back to all hosts</Link>
            </>
          }
        >
          <p>It may have been removed from the inventory. The reason is in the notification.</p>
        </EmptyState>
      </div>
    );
  }

  const canScan = can(operator, 'hosts.scan');
  const canManage = can(operator, 'hosts.manage');
  const scanStamp = host.lastScanAt;

  return (
    <div className="page host-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/assets">Assets</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{host.name}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>{host.name}</h1>
          <p className="host-meta">
            <code>
              {host.connection.username}@{host.connection.address}:{host.connection.port}
            </code>
            <TierBadge tier={host.tier} />
            <span className="muted">
              {host.environment.charAt(0).toUpperCase() + host.environment.slice(1)}
            </span>
            <HostKeyBadge state={host.hostKey} />
            <ScanBadge lastScan={host.lastScan} lastScanAt={host.lastScanAt} />
            {host.rebootRequired && <Badge tone="warn">Reboot required</Badge>}
          </p>
        </div>
        <div className="header-actions">
          {(host.hostKey === 'unknown' || host.hostKey === 'changed') && canScan && (
            <Button
              variant={host.hostKey === 'changed' ? 'danger' : 'secondary'}
              onClick={() => void review(host.id)}
            >
              Review host key
            </Button>
          )}
          {host.hostKey === 'pinned' && canScan && (
            <Button onClick={() => void review(host.id)}>Check host key</Button>
          )}
          {canScan && (
            <Button
              variant="primary"
              busy={starting || scanning}
              busyLabel={scanning ? 'Scanning…' : 'Starting…'}
              onClick={() => {
                setStarting(true);
                void startScan([host.id], 1).then(() => setStarting(false));
              }}
            >
              Scan now
            </Button>
          )}
          {canManage && (
            <Button variant="ghost" onClick={() => setConfirmDelete(true)}>
              Delete host
            </Button>
          )}
        </div>
      </header>

      <ScanPanel />
      <Tabs
        label="Host sections"
        tabs={TABS.map((t) => ({
          ...t,
          count: t.id === 'packages' ? host.packageCount : null,
        }))}
        selected={tab}
        onSelect={setTab}
      >
        {tab === 'overview' && <Overview host={host} />}
        {tab === 'packages' && <HostPackages hostId={host.id} scanStamp={scanStamp} />}
        {tab === 'patches' && <HostPatches hostId={host.id} scanStamp={scanStamp} />}
        {tab === 'history' && <HostHistory hostId={host.id} scanStamp={scanStamp} />}
        {tab === 'settings' && (
          <HostSettingsForm
            key={host.updatedAt}
            host={host}
            editable={canManage}
            onSaved={setHost}
          />
        )}
      </Tabs>

      <HostKeyReview />
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete ${host.name}?`}
          confirmLabel="Delete host"
          busyLabel="Deleting…"
          tone="danger"
          busy={deleting}
          onConfirm={() => void remove()}
          onClose={() => setConfirmDelete(false)}
        >
          <p>
            The host leaves the inventory with its scan history. Its pinned host key stays, so
            adding it again does not need a new acceptance. The deletion is recorded in the audit
            log.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
