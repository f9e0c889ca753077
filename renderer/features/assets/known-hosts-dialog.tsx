import { useState } from 'react';

import type { OpOutput } from '../../../shared/api/contract';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { FormError } from '../../components/form-error';
import type { UserFacingError } from '../../lib/error-messages';
import { runAction } from '../../stores/run-action';

import { FileField } from './file-field';
import { MAX_IMPORT_BYTES, readFileAsBase64 } from './file-source';

type Report = OpOutput<'hostKeys.importKnownHosts'>;

function ReportView({ report, onClose }: { report: Report; onClose: () => void }) {
  return (
    <div className="form" data-testid="known-hosts-report">
      <dl className="result-grid">
        <div>
          <dt>Pinned</dt>
          <dd>{report.pinned.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Already pinned</dt>
          <dd>{report.alreadyPinned.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Revoked</dt>
          <dd>{report.revoked.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Hosts added</dt>
          <dd>{report.hostsAdded.toLocaleString()}</dd>
        </div>
      </dl>
      {report.conflicts.length > 0 && (
        <section className="banner banner-danger" aria-labelledby="kh-conflicts">
          <div className="banner-text">
            <p className="banner-title" id="kh-conflicts">
              {report.conflicts.length} key{report.conflicts.length === 1 ? '' : 's'} differ from a
              pinned key and were NOT applied
            </p>
            <p>
              Check these with the host owners. An administrator can re-pin a key from the host's
              page once the change is confirmed.
            </p>
            <ul className="plain-list">
              {report.conflicts.slice(0, 50).map((c) => (
                <li key={`${c.line}-${c.host}`}>
                  Line {c.line}: {c.host} <code>{c.fingerprint}</code>
                </li>
              ))}
            </ul>
          </div>
        </section>
      )}
      {report.skipped.length > 0 && (
        <section aria-labelledby="kh-skipped">
          <h3 id="kh-skipped">
            {report.skipped.length} line{report.skipped.length === 1 ? '' : 's'} not read
          </h3>
          <ul className="plain-list">
            {report.skipped.slice(0, 100).map((s) => (
              <li key={s.line}>
                Line {s.line}: {s.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="dialog-actions">
        <Button variant="primary" onClick={onClose} data-autofocus>
          Done
        </Button>
      </div>
    </div>
  );
}

/** Props of KnownHostsDialog. */
export type KnownHostsDialogProps = { onClose: () => void };

/** Pins host keys from a known_hosts file, e.g. one written when the hosts were built. */
export function KnownHostsDialog({ onClose }: KnownHostsDialogProps) {
  const [file, setFile] = useState<File>();
  const [addMissing, setAddMissing] = useState(false);
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<Report>();

  const submit = async () => {
    setFailure(undefined);
    if (!file) return setError('Choose the known_hosts file.');
    if (file.size > MAX_IMPORT_BYTES) return setError('This file is larger than 35 MB.');
    setBusy(true);
    const contentBase64 = await readFileAsBase64(file);
    const result = await runAction(
      `Importing ${file.name}`,
      () =>
        api.call('hostKeys.importKnownHosts', {
          source: { fileName: file.name, contentBase64 },
          addMissingHosts: addMissing,
        }),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (result) setReport(result);
  };

  return (
    <Dialog title="Import known_hosts" onClose={onClose} wide>
      {report ? (
        <ReportView report={report} onClose={onClose} />
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <FormError error={failure} />
          <p>
            Pin host keys from an OpenSSH <code>known_hosts</code> file, ideally one recorded when
            the hosts were built. Hashed entries and <code>@revoked</code> markers are understood. A
            key that differs from one already pinned is reported, never applied.
          </p>
          <FileField
            label="known_hosts file"
            error={error}
            onFile={(chosen) => {
              setFile(chosen);
              setError(undefined);
            }}
          />
          <label className="choice">
            <input
              type="checkbox"
              checked={addMissing}
              onChange={(e) => setAddMissing(e.target.checked)}
            />
            <span>
              <span className="choice-label">Add hosts that are not in the inventory yet</span>
              <span className="choice-hint">
                Plain (unhashed) entries only; they are added with tier 2 and no credential.
              </span>
            </span>
          </label>
          <div className="dialog-actions">
            <Button onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" busy={busy} busyLabel="Importing…">
              Import keys
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
