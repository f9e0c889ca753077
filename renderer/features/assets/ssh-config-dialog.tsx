import { useEffect, useState } from 'react';
import { Link } from 'react-router';

import type { OpInput, OpOutput } from '../../../shared/api/contract';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { Dialog } from '../../components/dialog';
import { SelectField } from '../../components/field';
import { FormError } from '../../components/form-error';
import type { UserFacingError } from '../../lib/error-messages';
import { runAction } from '../../stores/run-action';

import { useCredentialsStore } from './credentials.store';
import { FileField } from './file-field';
import { readFileAsBase64 } from './file-source';

type Report = OpOutput<'hosts.importSshConfig'>;

/** The largest ssh_config file the core reads (real ones are a few kilobytes). */
const MAX_SSH_CONFIG_BYTES = 1024 * 1024;

/** The credential choice that gives each host the key credential of its IdentityFile. */
const MATCH_IDENTITY_FILES = 'match';
/** The credential choice for this machine's SSH agent. */
const SSH_AGENT = 'agent';

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

function ReportView({ report, onClose }: { report: Report; onClose: () => void }) {
  const matched = report.identityFiles.filter((f) => f.credentialName !== null);
  const unmatched = report.identityFiles.filter((f) => f.credentialName === null);
  return (
    <div className="form" data-testid="ssh-config-report">
      <dl className="result-grid">
        <div>
          <dt>Added</dt>
          <dd>{report.added.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{report.updated.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Unchanged</dt>
          <dd>{report.unchanged.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Skipped</dt>
          <dd>{report.skipped.length.toLocaleString()}</dd>
        </div>
      </dl>
      {matched.length > 0 && (
        <section aria-labelledby="sc-matched">
          <h3 id="sc-matched">Credentials from IdentityFile</h3>
          <ul className="plain-list">
            {matched.map((f) => (
              <li key={f.path}>
                {plural(f.hosts.length, 'host')} {f.hosts.length === 1 ? 'logs' : 'log'} in with{' '}
                <strong>{f.credentialName}</strong> (<code>{f.path}</code>).
              </li>
            ))}
          </ul>
        </section>
      )}
      {unmatched.length > 0 && (
        <section className="banner banner-warn" aria-labelledby="sc-unmatched">
          <div className="banner-text">
            <p className="banner-title" id="sc-unmatched">
              {plural(unmatched.length, 'identity file')} without a key credential
            </p>
            <p>
              PatchDeck never copies keys out of an ssh_config file. Add a key credential for each
              file in <Link to="/settings/credentials">Settings → Credentials</Link>, then import
              the file again: the hosts get the credential whose key file matches.
            </p>
            <ul className="plain-list">
              {unmatched.map((f) => (
                <li key={f.path}>
                  <code>{f.path}</code>: {f.hosts.slice(0, 10).join(', ')}
                  {f.hosts.length > 10 && ` and ${(f.hosts.length - 10).toLocaleString()} more`}
                </li>
              ))}
            </ul>
          </div>
        </section>
      )}
      {report.skipped.length > 0 && (
        <section aria-labelledby="sc-skipped">
          <h3 id="sc-skipped">{plural(report.skipped.length, 'host')} not imported</h3>
          <ul className="plain-list">
            {report.skipped.slice(0, 200).map((s) => (
              <li key={`${s.host}-${s.line ?? ''}`}>
                <strong>{s.host}</strong>
                {s.line !== undefined && ` (line ${s.line})`}: {s.reason}
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

/** Props of SshConfigDialog. */
export type SshConfigDialogProps = { onClose: () => void };

/**
 * Adds the hosts of an OpenSSH ssh_config file with their jump hosts (ProxyJump), and reports
 * what was added, updated and skipped.
 */
export function SshConfigDialog({ onClose }: SshConfigDialogProps) {
  const credentials = useCredentialsStore((s) => s.credentials);
  const loadCredentials = useCredentialsStore((s) => s.load);
  const [file, setFile] = useState<File>();
  const [credential, setCredential] = useState(MATCH_IDENTITY_FILES);
  const [error, setError] = useState<string>();
  const [failure, setFailure] = useState<UserFacingError>();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<Report>();

  useEffect(() => {
    void loadCredentials();
  }, [loadCredentials]);

  const submit = async () => {
    setFailure(undefined);
    if (!file) return setError('Choose the ssh_config file.');
    if (file.size > MAX_SSH_CONFIG_BYTES) {
      return setError('This file is larger than 1 MiB; an ssh_config file is a few kilobytes.');
    }
    setBusy(true);
    const contentBase64 = await readFileAsBase64(file);
    const input: OpInput<'hosts.importSshConfig'> = {
      source: { fileName: file.name, contentBase64 },
      ...(credential === MATCH_IDENTITY_FILES
        ? {}
        : { credentialId: credential === SSH_AGENT ? null : credential }),
    };
    const result = await runAction(
      `Importing ${file.name}`,
      () => api.call('hosts.importSshConfig', input),
      { notify: false, onError: setFailure },
    );
    setBusy(false);
    if (result) setReport(result);
  };

  return (
    <Dialog title="Import ssh_config" onClose={onClose} wide>
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
            Add the hosts named in an OpenSSH <code>ssh_config</code> file, with the jump hosts
            their <code>ProxyJump</code> lines go through. Settings from patterns such as{' '}
            <code>Host *</code> apply as in OpenSSH. A file with <code>ProxyCommand</code>,{' '}
            <code>Match exec</code> or <code>Include</code> is refused: PatchDeck never runs
            commands from it.
          </p>
          <FileField
            label="ssh_config file"
            error={error}
            onFile={(chosen) => {
              setFile(chosen);
              setError(undefined);
            }}
          />
          <SelectField
            label="Credential"
            value={credential}
            onChange={(e) => setCredential(e.target.value)}
            hint="Hosts already in the inventory keep their credential unless the file or your choice names another."
          >
            <option value={MATCH_IDENTITY_FILES}>
              The key credential of each host's IdentityFile
            </option>
            <option value={SSH_AGENT}>SSH agent of this machine</option>
            {credentials.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </SelectField>
          <div className="dialog-actions">
            <Button onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" busy={busy} busyLabel="Importing…">
              Import hosts
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
