import { useEffect, useState } from 'react';

import type { ScanDiff, ScanRecord } from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { cx, formatLocalTime, formatUtcTime } from '../../lib/format';
import { runAction } from '../../stores/run-action';

import { failureLabel } from './asset-badges';

/** Package changes listed per kind before the rest are counted. */
const MAX_LISTED = 500;

function DiffView({ scan }: { scan: ScanRecord }) {
  const [diff, setDiff] = useState<ScanDiff | null>();
  useEffect(() => {
    let live = true;
    void runAction('Loading what this scan changed', () =>
      api.call('hosts.scanDiff', { scanId: scan.id }),
    ).then((d) => {
      if (live) setDiff(d ?? null);
    });
    return () => {
      live = false;
    };
  }, [scan.id]);

  if (diff === undefined) return <LoadingState label="Loading what this scan changed…" />;
  if (diff === null) return <p className="muted">The changes of this scan could not be loaded.</p>;
  if (!diff.previousScanId) {
    return (
      <p className="muted">The first successful scan of this host: nothing to compare with.</p>
    );
  }
  if (diff.added.length + diff.removed.length + diff.changed.length === 0) {
    return <p className="muted">No package changed since the scan before.</p>;
  }
  return (
    <div className="diff" data-testid="scan-diff">
      {diff.changed.length > 0 && (
        <section>
          <h3>Changed: {diff.changed.length.toLocaleString()}</h3>
          <ul className="diff-list">
            {diff.changed.slice(0, MAX_LISTED).map((c) => (
              <li key={`${c.name}:${c.arch}`}>
                <span className="diff-name">{c.name}</span> <code>{c.from}</code> →{' '}
                <code>{c.to}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
      {diff.added.length > 0 && (
        <section>
          <h3>Added: {diff.added.length.toLocaleString()}</h3>
          <ul className="diff-list diff-added">
            {diff.added.slice(0, MAX_LISTED).map((p) => (
              <li key={`${p.name}:${p.arch}`}>
                + <span className="diff-name">{p.name}</span> <code>{p.version}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
      {diff.removed.length > 0 && (
        <section>
          <h3>Removed: {diff.removed.length.toLocaleString()}</h3>
          <ul className="diff-list diff-removed">
            {diff.removed.slice(0, MAX_LISTED).map((p) => (
              <li key={`${p.name}:${p.arch}`}>
                − <span className="diff-name">{p.name}</span> <code>{p.version}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

/** Props of HostHistory. */
export type HostHistoryProps = { hostId: string; scanStamp: string | null };

/** Every scan of one host, newest first, with what each changed in its packages. */
export function HostHistory({ hostId, scanStamp }: HostHistoryProps) {
  const [scans, setScans] = useState<ScanRecord[] | null>();
  const [openId, setOpenId] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    void runAction('Loading the scan history', () =>
      api.call('hosts.scanHistory', { hostId, limit: 100 }),
    ).then((list) => {
      if (live) setScans(list ?? null);
    });
    return () => {
      live = false;
    };
  }, [hostId, scanStamp, attempt]);

  if (scans === undefined) return <LoadingState label="Loading the scan history…" />;
  if (scans === null) {
    return (
      <EmptyState
        title="The scan history could not be loaded"
        actions={<Button onClick={() => setAttempt((n) => n + 1)}>Try again</Button>}
      />
    );
  }
  if (scans.length === 0) {
    return (
      <EmptyState title="Not scanned yet">
        <p>Each scan of this host will be listed here with the packages it found changed.</p>
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="history-title" className="host-history">
      <h2 id="history-title" className="visually-hidden">
        Scan history
      </h2>
      <ul className="history-list">
        {scans.map((scan) => {
          const open = openId === scan.id;
          const failed = scan.outcome.status === 'failed';
          return (
            <li key={scan.id} className={cx('history-item', open && 'is-open')}>
              <button
                type="button"
                className="history-row"
                aria-expanded={open}
                onClick={() => setOpenId(open ? undefined : scan.id)}
              >
                <time dateTime={scan.startedAt} title={formatUtcTime(scan.startedAt)}>
                  {formatLocalTime(scan.startedAt)}
                </time>
                {failed ? (
                  <Badge tone="danger">Failed: {failureLabel(scan.outcome.failureKind)}</Badge>
                ) : (
                  <Badge tone="ok">OK</Badge>
                )}
                <span className="muted">
                  {scan.packageCount === null
                    ? ''
                    : `${scan.packageCount.toLocaleString()} packages`}
                </span>
                {!failed && (
                  <span className="history-delta">
                    <span className="delta-added">+{scan.added}</span>{' '}
                    <span className="delta-removed">−{scan.removed}</span>{' '}
                    <span className="delta-changed">~{scan.changed}</span>
                  </span>
                )}
              </button>
              {open && (
                <div className="history-detail">
                  {failed ? (
                    <>
                      <p>{scan.outcome.message}</p>
                      {scan.outcome.action && <p className="muted">{scan.outcome.action}</p>}
                    </>
                  ) : (
                    <DiffView scan={scan} />
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
