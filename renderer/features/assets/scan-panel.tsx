import { useState } from 'react';
import { Link } from 'react-router';

import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { SelectField } from '../../components/field';
import { cx } from '../../lib/format';
import { can } from '../../lib/permissions';
import { useSessionStore } from '../auth/session.store';

import { failureLabel } from './asset-badges';
import { useHostKeyReviewStore } from './host-key-review.store';
import { useScansStore, type TrackedHost, type TrackedRun } from './scans.store';

/** Failures listed per run before the rest are summed up. */
const MAX_LISTED = 200;

const STATE_LABELS: Readonly<Record<TrackedHost['state'], string>> = {
  queued: 'Waiting',
  connecting: 'Connecting',
  collecting: 'Collecting facts',
  done: 'Done',
  failed: 'Failed',
};

const KEY_FAILURES = new Set(['host-key-unknown', 'host-key-changed']);

function FailureRow({ host }: { host: TrackedHost }) {
  const review = useHostKeyReviewStore((s) => s.review);
  const outcome = host.outcome;
  const kind = outcome?.failureKind ?? null;
  return (
    <li className="scan-failure" data-testid="scan-failure">
      <div className="scan-failure-head">
        <Link to={`/assets/${encodeURIComponent(host.hostId)}`} className="host-name">
          {host.hostName}
        </Link>
        <Badge tone="danger">{failureLabel(kind)}</Badge>
      </div>
      {outcome?.message && <p>{outcome.message}</p>}
      {outcome?.action && <p className="muted">{outcome.action}</p>}
      {kind && KEY_FAILURES.has(kind) && (
        <div>
          <Button size="small" onClick={() => void review(host.hostId)}>
            Review key of {host.hostName}
          </Button>
        </div>
      )}
    </li>
  );
}

function RunCard({ run }: { run: TrackedRun }) {
  const dismiss = useScansStore((s) => s.dismiss);
  const done = run.finished ? run.total : run.ok + run.failed;
  const percent = run.total > 0 ? Math.round((done / run.total) * 100) : run.finished ? 100 : 0;
  const failures = run.hosts.filter((h) => h.state === 'failed');
  const busy = run.hosts.filter((h) => h.state === 'connecting' || h.state === 'collecting');
  return (
    <section
      className={cx('scan-run', run.finished && 'is-finished')}
      aria-label={`Scan of ${run.total.toLocaleString()} host${run.total === 1 ? '' : 's'}`}
      data-testid="scan-run"
    >
      <header className="scan-run-head">
        <p className="scan-run-title" aria-live="polite">
          {run.finished ? 'Scan finished' : 'Scanning'}: {done.toLocaleString()} of{' '}
          {run.total.toLocaleString()} host{run.total === 1 ? '' : 's'}
          <span className="scan-run-counts">
            <Badge tone="ok">{run.ok.toLocaleString()} OK</Badge>
            <Badge tone={run.failed > 0 ? 'danger' : 'neutral'}>
              {run.failed.toLocaleString()} failed
            </Badge>
          </span>
        </p>
        {run.finished && (
          <Button size="small" variant="ghost" onClick={() => dismiss(run.runId)}>
            Dismiss
          </Button>
        )}
      </header>
      <div
        className="progress"
        role="progressbar"
        aria-label="Scan progress"
        aria-valuemin={0}
        aria-valuemax={run.total}
        aria-valuenow={done}
        aria-valuetext={`${done} of ${run.total} hosts`}
      >
        <span
          className={cx('progress-fill', run.failed > 0 && 'has-failures')}
          style={{ width: `${percent}%` }}
        />
      </div>
      {busy.length > 0 && (
        <p className="muted scan-busy">
          {busy
            .slice(0, 6)
            .map((h) => `${h.hostName} (${STATE_LABELS[h.state].toLowerCase()})`)
            .join(', ')}
          {busy.length > 6 ? ` and ${busy.length - 6} more` : ''}
        </p>
      )}
      {failures.length > 0 && (
        <ul className="scan-failures">
          {failures.slice(0, MAX_LISTED).map((h) => (
            <FailureRow key={h.hostId} host={h} />
          ))}
          {failures.length > MAX_LISTED && (
            <li className="muted">
              And {(failures.length - MAX_LISTED).toLocaleString()} more: filter the table by "Last
              scan failed" to see them all.
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

/** The scans of this window, live from the core's events; kept while you work elsewhere. */
export function ScanPanel() {
  const runs = useScansStore((s) => s.runs);
  const collapsed = useScansStore((s) => s.collapsed);
  const setCollapsed = useScansStore((s) => s.setCollapsed);
  if (runs.length === 0) return null;
  const running = runs.filter((r) => !r.finished).length;
  return (
    <aside className="scan-panel" aria-label="Scan progress" data-testid="scan-panel">
      <header className="scan-panel-head">
        <h2>
          {running > 0 ? `Scans running: ${running}` : 'Scans'}
          {running > 0 && <span className="spinner" aria-hidden="true" />}
        </h2>
        <Button
          size="small"
          variant="ghost"
          aria-expanded={!collapsed}
          onClick={() => setCollapsed(!collapsed)}
        >
          {collapsed ? 'Show' : 'Hide'}
        </Button>
      </header>
      {!collapsed && (
        <div className="scan-runs">
          {[...runs].reverse().map((run) => (
            <RunCard key={run.runId} run={run} />
          ))}
        </div>
      )}
    </aside>
  );
}

/** Props of ScanDialog. */
export type ScanDialogProps = {
  /** The hosts to scan; undefined for every host in the inventory. */
  hostIds: readonly string[] | undefined;
  /** How many hosts that is, for the sentence. */
  count: number;
  onClose: () => void;
  onStarted?: () => void;
};

const CONCURRENCY_CHOICES = [1, 2, 4, 8, 16, 32, 64] as const;

/** Asks how many hosts to scan at once, then starts the run. */
export function ScanDialog({ hostIds, count, onClose, onStarted }: ScanDialogProps) {
  const start = useScansStore((s) => s.start);
  const operator = useSessionStore((s) => s.operator);
  const [concurrency, setConcurrency] = useState(8);
  const [busy, setBusy] = useState(false);
  const what =
    hostIds === undefined
      ? `every host in the inventory (${count.toLocaleString()})`
      : `${count.toLocaleString()} selected host${count === 1 ? '' : 's'}`;
  return (
    <Dialog
      title={hostIds === undefined ? 'Scan all hosts' : 'Scan selected hosts'}
      description={
        <p>
          PatchDeck connects to {what} over SSH and records the OS, installed packages, disks,
          services and whether a reboot is pending. Nothing is changed on the hosts.
        </p>
      }
      onClose={onClose}
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          void start(hostIds, concurrency).then((ok) => {
            setBusy(false);
            if (ok) {
              onStarted?.();
              onClose();
            }
          });
        }}
      >
        <SelectField
          label="Hosts at the same time"
          hint={
            <>Fewer is gentler on slow links and busy hosts; more finishes a large site sooner.</>
          }
          value={concurrency}
          onChange={(e) => setConcurrency(Number(e.target.value))}
          data-autofocus
        >
          {CONCURRENCY_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n}
              {n === 8 ? ' (default)' : ''}
            </option>
          ))}
        </SelectField>
        {!can(operator, 'hosts.scan') && (
          <p className="notice">Your roles do not allow scanning; ask a technician.</p>
        )}
        <div className="dialog-actions">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" busy={busy} busyLabel="Starting…">
            Start scan
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
