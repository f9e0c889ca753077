import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';

import type { EventPayload } from '../../../shared/api/events';
import type { ImportReport, Inspection, Media, Publisher } from '../../../shared/api/ops/bundles';
import type { ManifestFile } from '../../../shared/domain/bundle-manifest';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { TextField } from '../../components/field';
import { FormError } from '../../components/form-error';
import type { UserFacingError } from '../../lib/error-messages';
import { formatLocalTime, formatUtcTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { runAction } from '../../stores/run-action';
import { useSessionStore } from '../auth/session.store';

import { lastSeenSequence, useBundlesStore } from './bundles.store';
import { StoreStatusBadge, StoreStatusNote, useStoreStatus } from './store-status';
import { formatAge, formatRate, formatSize, secondsSince } from './units';
import { ImportRefusal, VerificationReport } from './verification-report';

type Progress = EventPayload<'bundles.importProgress'>;
type Previous = { sequence: number; bundleId: string } | null;

type Step =
  | { kind: 'source' }
  | { kind: 'inspected'; inspection: Inspection; publishers: Publisher[] }
  | {
      kind: 'importing';
      inspection: Inspection;
      publishers: Publisher[];
      progress: Progress | undefined;
    }
  | {
      kind: 'done';
      report: ImportReport;
      files: ManifestFile[] | undefined;
      previous: Previous;
    }
  | {
      kind: 'refused';
      failure: UserFacingError;
      inspection: Inspection;
      publishers: Publisher[];
    };

const PHASE_LABELS: Readonly<Record<Progress['phase'], string>> = {
  'verifying-metadata': 'Checking signatures and the manifest',
  copying: 'Reading, hashing and storing files',
  recording: 'Recording the bundle and its patches',
  done: 'Finished',
};

function newTaskId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `import-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function isExpired(inspection: Inspection): boolean {
  return inspection.bundle !== null && secondsSince(inspection.bundle.expires) > 0;
}

/** Props of SourcePicker. */
type SourcePickerProps = {
  initialPath: string;
  onInspected: (inspection: Inspection, publishers: Publisher[], path: string) => void;
};

function SourcePicker({ initialPath, onInspected }: SourcePickerProps) {
  const [media, setMedia] = useState<Media[]>();
  const [loadingMedia, setLoadingMedia] = useState(false);
  const [path, setPath] = useState(initialPath);
  const [pathError, setPathError] = useState<string>();
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);

  const refresh = async () => {
    setLoadingMedia(true);
    const found = await runAction('Looking for removable media', () => api.call('media.list', {}));
    setLoadingMedia(false);
    setMedia(found ?? []);
  };
  useEffect(() => {
    let live = true;
    void runAction('Looking for removable media', () => api.call('media.list', {})).then(
      (found) => {
        if (live) setMedia(found ?? []);
      },
    );
    return () => {
      live = false;
    };
  }, []);

  const inspect = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    if (!path.trim()) {
      setPathError('Pick removable media above, or type the path of a bundle folder or .tar.');
      return;
    }
    setPathError(undefined);
    setBusy(true);
    const result = await runAction(
      'Reading the bundle',
      () =>
        Promise.all([
          api.call('bundles.inspect', { source: path.trim() }),
          api.call('trust.list', {}),
        ]),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (result) onInspected(result[0], result[1], path.trim());
  };

  return (
    <form className="form import-source" onSubmit={(e) => void inspect(e)} noValidate>
      <FormError error={failure} />
      <fieldset className="media-choices">
        <legend>Removable media</legend>
        <div className="media-head">
          <p className="muted">
            {media === undefined || loadingMedia
              ? 'Looking for removable media…'
              : media.length === 0
                ? 'No removable media found. Plug in the USB stick, wait a moment, then refresh; or type the path below.'
                : 'Pick the media that holds the bundle, then add the bundle folder to the path if it is not at the top.'}
          </p>
          <Button
            size="small"
            busy={loadingMedia}
            busyLabel="Looking…"
            onClick={() => void refresh()}
          >
            Refresh
          </Button>
        </div>
        {media && media.length > 0 && (
          <ul className="media-list">
            {media.map((m) => (
              <li key={m.path}>
                <label className="choice">
                  <input
                    type="radio"
                    name="media"
                    checked={path === m.path}
                    onChange={() => setPath(m.path)}
                  />
                  <span className="choice-label">
                    {m.label} <code className="path">{m.path}</code>
                  </span>
                  <span className="choice-hint">
                    {[
                      m.device,
                      m.removable ? 'removable' : 'under a media folder',
                      m.readOnly ? 'read-only' : 'writable',
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <TextField
        label="Bundle folder or .tar file"
        placeholder="/media/usb/acme-security-2026-03"
        value={path}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => setPath(e.target.value)}
        error={pathError}
        hint="A path on this machine. Nothing is trusted or copied until you have seen who signed it."
      />
      <div className="dialog-actions">
        <Button type="submit" variant="primary" busy={busy} busyLabel="Reading…">
          Check bundle
        </Button>
      </div>
    </form>
  );
}

function SignedByList({
  inspection,
  publisher,
}: {
  inspection: Inspection;
  publisher: Publisher | undefined;
}) {
  const signers = inspection.bundle?.signedBy ?? [];
  if (signers.length === 0) return <span className="muted">Not signed</span>;
  return (
    <ul className="plain-list signer-list">
      {signers.map((s) => {
        const key = publisher?.keys.find((k) => k.keyid === s.keyid);
        const trusted = key?.status === 'active' && key.roles.includes('targets');
        return (
          <li key={s.keyid}>
            <code className="fingerprint-inline">{s.fingerprint}</code>{' '}
            {trusted ? (
              <Badge tone="ok">Trusted bundle key</Badge>
            ) : key?.status === 'revoked' ? (
              <Badge tone="danger">Revoked</Badge>
            ) : (
              <Badge tone="warn">Not a trusted bundle key</Badge>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** What a source turned out to be, before anything is trusted or copied. */
function InspectionSummary({
  inspection,
  publishers,
}: {
  inspection: Inspection;
  publishers: Publisher[];
}) {
  const b = inspection.bundle;
  const publisher = publishers.find((p) => p.publisher === inspection.publisher);
  if (!b) return null;
  const previous = lastSeenSequence(publishers, inspection.publisher, b.channel);
  const createdAge = secondsSince(b.created);
  const expired = isExpired(inspection);
  return (
    <dl className="detail-list inspection" data-testid="inspection">
      <dt>Publisher</dt>
      <dd>
        <strong>{inspection.publisher}</strong>{' '}
        {inspection.trustedRootVersion === null ? (
          <Badge tone="danger">Not trusted</Badge>
        ) : (
          <Badge tone="ok">Trusted, root v{inspection.trustedRootVersion}</Badge>
        )}
        {inspection.trustedRootVersion !== null &&
          inspection.rootVersion > inspection.trustedRootVersion && (
            <span className="muted"> · carries root v{inspection.rootVersion} (rotation)</span>
          )}
      </dd>
      <dt>Bundle</dt>
      <dd>
        <code>{b.bundleId}</code>
      </dd>
      <dt>Channel and sequence</dt>
      <dd>
        <code>{b.channel}</code> #{b.sequence}{' '}
        {previous === null ? (
          <span className="muted">· first bundle on this channel</span>
        ) : b.sequence > previous.sequence ? (
          <span className="muted">· last seen #{previous.sequence}</span>
        ) : (
          <Badge tone="warn">
            {b.sequence === previous.sequence && b.bundleId === previous.bundleId
              ? 'Already imported'
              : `Not newer than #${previous.sequence} already imported`}
          </Badge>
        )}
      </dd>
      <dt>Created</dt>
      <dd>
        <time dateTime={b.created} title={formatUtcTime(b.created)}>
          {formatLocalTime(b.created)}
        </time>{' '}
        <span className="muted">({formatAge(createdAge)} ago)</span>
      </dd>
      <dt>Expires</dt>
      <dd>
        <time dateTime={b.expires} title={formatUtcTime(b.expires)}>
          {formatLocalTime(b.expires)}
        </time>{' '}
        {expired && <Badge tone="danger">Expired</Badge>}
      </dd>
      <dt>Contents</dt>
      <dd>
        {b.patches.toLocaleString()} {b.patches === 1 ? 'patch' : 'patches'},{' '}
        {b.files.toLocaleString()} {b.files === 1 ? 'file' : 'files'}, {formatSize(b.bytes)}
      </dd>
      <dt>Signed by</dt>
      <dd>
        <SignedByList inspection={inspection} publisher={publisher} />
      </dd>
    </dl>
  );
}

/** Props of ProgressView. */
type ProgressViewProps = { progress: Progress | undefined };

function ProgressView({ progress }: ProgressViewProps) {
  const total = progress?.bytesTotal ?? 0;
  const done = progress?.bytesDone ?? 0;
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div className="import-progress" data-testid="import-progress">
      <p className="progress-phase" aria-live="polite">
        {progress ? PHASE_LABELS[progress.phase] : 'Starting the import'}…
      </p>
      <div
        className="progress progress-large"
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent} %`}
      >
        <span className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="progress-numbers">
        <span>
          {formatSize(done)} of {formatSize(total)} ({percent} %)
        </span>
        <span>
          {progress && progress.bytesPerSecond > 0 && formatRate(progress.bytesPerSecond)}
        </span>
      </p>
      <p className="progress-file">
        {progress?.file ? (
          <>
            Current file: <code className="path">{progress.file}</code>
          </>
        ) : (
          ' '
        )}
      </p>
    </div>
  );
}

/** Props of StoreCopyLine. */
type StoreCopyLineProps = { report: ImportReport };

/** The background check of the store copy that follows the import, as it goes. */
function StoreCopyLine({ report }: StoreCopyLineProps) {
  const status = useStoreStatus(report.bundle.bundleId, report.bundle.storeStatus);
  return (
    <p className="store-copy" aria-live="polite">
      <StoreStatusBadge status={status} /> <StoreStatusNote status={status} />
    </p>
  );
}

/** Props of ImportBundleDialog. */
export type ImportBundleDialogProps = { onClose: () => void };

/**
 * Import a bundle: pick the media or a path, see what it is and who signed it, import it with a
 * progress bar, and end with the verification report or the check that refused it.
 */
export function ImportBundleDialog({ onClose }: ImportBundleDialogProps) {
  const operator = useSessionStore((s) => s.operator);
  const reload = useBundlesStore((s) => s.load);
  const [step, setStep] = useState<Step>({ kind: 'source' });
  const [path, setPath] = useState('');
  const taskRef = useRef<string>(undefined);
  const mayOverride = can(operator, 'bundles.overrideExpiry');

  useEffect(
    () =>
      api.on('bundles.importProgress', (event) => {
        if (event.taskId !== taskRef.current) return;
        setStep((s) => (s.kind === 'importing' ? { ...s, progress: event } : s));
      }),
    [],
  );

  const runImport = async (
    inspection: Inspection,
    publishers: Publisher[],
    allowExpired: boolean,
  ) => {
    const taskId = newTaskId();
    taskRef.current = taskId;
    const previous = inspection.bundle
      ? lastSeenSequence(publishers, inspection.publisher, inspection.bundle.channel)
      : null;
    setStep({ kind: 'importing', inspection, publishers, progress: undefined });
    let failure: UserFacingError | undefined;
    const report = await runAction(
      'Importing the bundle',
      () => api.call('bundles.import', { source: inspection.source, allowExpired, taskId }),
      { notify: false, onError: (e) => (failure = e) },
    );
    taskRef.current = undefined;
    if (!report) {
      if (failure) setStep({ kind: 'refused', failure, inspection, publishers });
      return;
    }
    void reload();
    setStep({ kind: 'done', report, files: undefined, previous });
    const detail = await runAction('Loading the bundle files', () =>
      api.call('bundles.get', { bundleId: report.bundle.bundleId }),
    );
    if (detail) setStep((s) => (s.kind === 'done' ? { ...s, files: detail.fileList } : s));
  };

  const title =
    step.kind === 'done'
      ? 'Bundle imported and verified'
      : step.kind === 'refused'
        ? 'Import refused'
        : 'Import bundle';

  return (
    <Dialog title={title} onClose={onClose} wide>
      {step.kind === 'source' && (
        <SourcePicker
          initialPath={path}
          onInspected={(inspection, publishers, typed) => {
            setPath(typed);
            setStep({ kind: 'inspected', inspection, publishers });
          }}
        />
      )}

      {step.kind === 'inspected' && step.inspection.kind === 'root' && (
        <>
          <div className="notice">
            <p>
              <strong>This is a publisher root file, not a bundle.</strong> It names the keys of{' '}
              <strong>{step.inspection.publisher}</strong> (root v{step.inspection.rootVersion}).
            </p>
            <p>
              An administrator adds a publisher under Settings, Trusted publishers, after checking
              its fingerprint with the publisher.
            </p>
          </div>
          <div className="dialog-actions">
            <Button onClick={() => setStep({ kind: 'source' })}>Back</Button>
          </div>
        </>
      )}

      {step.kind === 'inspected' && step.inspection.kind === 'bundle' && (
        <InspectedBundle
          inspection={step.inspection}
          publishers={step.publishers}
          mayOverride={mayOverride}
          onBack={() => setStep({ kind: 'source' })}
          onImport={(allowExpired) =>
            void runImport(step.inspection, step.publishers, allowExpired)
          }
        />
      )}

      {step.kind === 'importing' && (
        <>
          <p>
            Importing <code>{step.inspection.bundle?.bundleId}</code>. Each file is read once and
            hashed as it is written; nothing is kept unless every check passes.
          </p>
          <ProgressView progress={step.progress} />
        </>
      )}

      {step.kind === 'done' && (
        <>
          <div className="banner banner-ok" role="status">
            <div className="banner-text">
              <p className="banner-title">
                {step.report.bundle.bundleId}{' '}
                {step.report.outcome === 'imported'
                  ? 'imported'
                  : step.report.outcome === 'repaired'
                    ? 'repaired: its missing files were copied again'
                    : 'was already imported'}
              </p>
              <p>
                {step.report.bundle.patches.toLocaleString()} patches from{' '}
                {step.report.bundle.publisher}, channel {step.report.bundle.channel} #
                {step.report.bundle.sequence}. Every check below passed.
              </p>
            </div>
          </div>
          <StoreCopyLine report={step.report} />
          <VerificationReport
            bundle={step.report.bundle}
            verification={step.report.verification}
            files={step.files}
            previous={step.previous}
            importFacts={step.report}
          />
          <div className="dialog-actions">
            <Link
              className="btn btn-secondary"
              to={`/bundles/${encodeURIComponent(step.report.bundle.bundleId)}`}
              onClick={onClose}
            >
              Open bundle
            </Link>
            <Link className="btn btn-secondary" to="/patches" onClick={onClose}>
              See patches in the catalog
            </Link>
            <Button variant="primary" onClick={onClose} data-autofocus>
              Done
            </Button>
          </div>
        </>
      )}

      {step.kind === 'refused' && (
        <>
          <ImportRefusal failure={step.failure} />
          <div className="dialog-actions">
            <Button onClick={() => setStep({ kind: 'source' })}>Choose another source</Button>
            {step.failure.code === 'BUNDLE_EXPIRED' && mayOverride && (
              <Button
                variant="danger"
                onClick={() => void runImport(step.inspection, step.publishers, true)}
              >
                Import anyway (recorded in the audit)
              </Button>
            )}
            <Button variant="primary" onClick={onClose}>
              Close
            </Button>
          </div>
        </>
      )}
    </Dialog>
  );
}

/** Props of InspectedBundle. */
type InspectedBundleProps = {
  inspection: Inspection;
  publishers: Publisher[];
  mayOverride: boolean;
  onBack: () => void;
  onImport: (allowExpired: boolean) => void;
};

function InspectedBundle({
  inspection,
  publishers,
  mayOverride,
  onBack,
  onImport,
}: InspectedBundleProps) {
  const trusted = inspection.trustedRootVersion !== null;
  const expired = isExpired(inspection);
  return (
    <>
      <InspectionSummary inspection={inspection} publishers={publishers} />
      {!trusted && (
        <div className="notice notice-warn" role="note">
          <p>
            <strong>{inspection.publisher} is not a trusted publisher in this workspace.</strong> An
            administrator must add its root under Settings, Trusted publishers, checking the
            fingerprint with the publisher, before its bundles can be imported.
          </p>
        </div>
      )}
      {trusted && expired && (
        <div className="notice notice-warn" role="note">
          <p>
            <strong>This bundle has passed its expiry date.</strong> An expired bundle may hold
            stale or withdrawn patches: get a fresh one from the publisher if you can.{' '}
            {mayOverride
              ? 'As an administrator you may import it anyway; the audit log records it with the clock reading.'
              : 'Only an administrator can import an expired bundle.'}
          </p>
        </div>
      )}
      {trusted && !expired && (
        <p className="muted">
          Nothing has been imported yet. Import copies every file into the workspace while checking
          its length and hash against the signed manifest.
        </p>
      )}
      <div className="dialog-actions">
        <Button onClick={onBack}>Back</Button>
        {expired && trusted ? (
          mayOverride ? (
            <Button variant="danger" onClick={() => onImport(true)}>
              Import anyway (recorded in the audit)
            </Button>
          ) : (
            <Button variant="primary" disabled>
              Import
            </Button>
          )
        ) : (
          <Button variant="primary" disabled={!trusted} onClick={() => onImport(false)}>
            Import
          </Button>
        )}
      </div>
    </>
  );
}
