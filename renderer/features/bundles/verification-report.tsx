import type { ReactNode } from 'react';

import type { BundleDetail, BundleSummary } from '../../../shared/api/ops/bundles';
import type { ManifestFile } from '../../../shared/domain/bundle-manifest';
import { Badge } from '../../components/badge';
import type { UserFacingError } from '../../lib/error-messages';
import { formatLocalTime, formatUtcTime } from '../../lib/format';

import { formatRate, formatSize } from './units';
import { failedCheck, VERIFICATION_CHECKS, type VerificationCheck } from './verification-checks';

/** How one bundle verified, as the core recorded it. */
export type Verification = BundleDetail['verification'];

const SIGNATURE_LABELS: Readonly<Record<Verification['signatures'][number]['status'], string>> = {
  valid: 'Valid, trusted key',
  invalid: 'Does not match the manifest',
  unknown: 'Key not in the publisher root',
  'root-only': 'Root key, not a bundle-signing key',
  revoked: 'Key revoked in this workspace',
  duplicate: 'Same key listed again (counted once)',
};

function Check({ check, children }: { check: VerificationCheck; children: ReactNode }) {
  return (
    <li className="check check-passed" data-check={check}>
      <span className="check-mark" aria-hidden="true">
        ✓
      </span>
      <div className="check-text">
        <p className="check-title">
          {VERIFICATION_CHECKS[check]} <span className="visually-hidden">: passed</span>
        </p>
        <div className="check-body">{children}</div>
      </div>
    </li>
  );
}

/** Props of SignatureTable. */
export type SignatureTableProps = { signatures: Verification['signatures'] };

/** Each signature on a manifest: which key, and whether it counted. */
export function SignatureTable({ signatures }: SignatureTableProps) {
  if (signatures.length === 0) return <p className="muted">No signatures.</p>;
  return (
    <table className="data-table compact" aria-label="Signatures">
      <thead>
        <tr>
          <th scope="col">Key fingerprint</th>
          <th scope="col">Signature</th>
        </tr>
      </thead>
      <tbody>
        {signatures.map((s, index) => (
          <tr key={`${s.keyid}-${index}`}>
            <td>
              <code className="fingerprint-inline">{s.fingerprint}</code>
            </td>
            <td>
              <Badge tone={s.status === 'valid' ? 'ok' : 'danger'}>
                {SIGNATURE_LABELS[s.status]}
              </Badge>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Props of FileHashTable. */
export type FileHashTableProps = { files: readonly ManifestFile[] };

/** The payload files with their signed length and SHA-256, which the stored copies match. */
export function FileHashTable({ files }: FileHashTableProps) {
  return (
    <div className="table-wrap">
      <table className="data-table compact file-table" aria-label="Files and hashes">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Size</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.path}>
              <th scope="row">
                <code className="path">{f.path}</code>
              </th>
              <td title={`${f.length.toLocaleString()} bytes`}>{formatSize(f.length)}</td>
              <td>
                <code className="hash-full">{f.sha256}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the import itself measured, when the report follows an import. */
export type ImportFacts = {
  outcome: 'imported' | 'already-imported' | 'repaired';
  bytesRead: number;
  bytesStored: number;
  durationMs: number;
  megabytesPerSecond: number;
};

/** Props of VerificationReport. */
export type VerificationReportProps = {
  bundle: Pick<
    BundleSummary,
    'bundleId' | 'publisher' | 'channel' | 'sequence' | 'created' | 'expires'
  >;
  verification: Verification;
  /** The files with their hashes; undefined while they load. */
  files: readonly ManifestFile[] | undefined;
  /**
   * The sequence seen on the channel before this bundle: null for a new channel, undefined when
   * not known (a bundle opened later).
   */
  previous?: { sequence: number; bundleId: string } | null | undefined;
  /** Present right after an import. */
  importFacts?: ImportFacts | undefined;
};

/**
 * Every check a bundle passed, with the evidence: signatures with their keys, each file's hash,
 * completeness, safe paths, sequence and expiry.
 */
export function VerificationReport({
  bundle,
  verification: v,
  files,
  previous,
  importFacts,
}: VerificationReportProps) {
  return (
    <section className="verification" aria-label="Verification report">
      {importFacts?.outcome === 'already-imported' && (
        <p className="notice">
          This bundle was already imported; it verified again and nothing new was stored.
        </p>
      )}
      <ol className="checks">
        <Check check="format">
          Bundle format v1; {v.files.toLocaleString()} files, {formatSize(v.bytes)}, within its
          signed limits.
        </Check>
        <Check check="publisher">
          <strong>{v.publisher}</strong>, trusted at root version {v.rootVersion}.
        </Check>
        {v.rootsAccepted.length > 0 && (
          <Check check="rotation">
            The bundle carried newer roots ({v.rootsAccepted.map((r) => `v${r}`).join(', ')}), each
            signed by the previous and the new root keys; the workspace now trusts root v
            {Math.max(...v.rootsAccepted)}.
          </Check>
        )}
        <Check check="signatures">
          <p>
            {v.validSignatures} valid of the {v.threshold} required{' '}
            {v.threshold === 1 ? 'signature' : 'signatures'} (each key counts once).
          </p>
          <SignatureTable signatures={v.signatures} />
        </Check>
        <Check check="paths">
          Every path stays inside the bundle: no <code>..</code>, absolute paths, drive letters,
          reserved names, links or devices.
        </Check>
        <Check check="completeness">
          Exactly the {v.files.toLocaleString()} files the signed manifest lists: none extra, none
          missing.
        </Check>
        <Check check="hashes">
          <p>
            All {v.files.toLocaleString()} files match their signed length and SHA-256, hashed as
            they were written to the workspace store (the media was read once). The stored copy is
            then read again from this machine&apos;s disk: see Store copy.
          </p>
          {files === undefined ? (
            <p className="muted">Loading the file list…</p>
          ) : (
            <details className="check-details">
              <summary>Show each file and its hash</summary>
              <FileHashTable files={files} />
            </details>
          )}
        </Check>
        <Check check="sequence">
          Sequence {bundle.sequence} on channel <code>{bundle.channel}</code>
          {previous === null && '; the first bundle seen on this channel.'}
          {previous &&
            `; the last one seen was ${previous.sequence} (${previous.bundleId}), so this is newer.`}
          {previous === undefined && '; not older than any bundle seen before it.'} Signed{' '}
          <time dateTime={bundle.created} title={formatUtcTime(bundle.created)}>
            {formatLocalTime(bundle.created)}
          </time>
          , not earlier than the newest bundle already trusted.
        </Check>
        <li className={v.expired ? 'check check-overridden' : 'check check-passed'}>
          <span className="check-mark" aria-hidden="true">
            {v.expired ? '!' : '✓'}
          </span>
          <div className="check-text">
            <p className="check-title">
              {VERIFICATION_CHECKS.expiry}{' '}
              {v.expired && <Badge tone="warn">Expired, imported anyway</Badge>}
            </p>
            <div className="check-body">
              Expires{' '}
              <time dateTime={bundle.expires} title={formatUtcTime(bundle.expires)}>
                {formatLocalTime(bundle.expires)}
              </time>
              ; judged against the clock at{' '}
              <time dateTime={v.checkedAt} title={formatUtcTime(v.checkedAt)}>
                {formatLocalTime(v.checkedAt)}
              </time>
              .
              {v.expiryOverridden &&
                ' An administrator imported it although it had expired; the audit log records who and the clock reading.'}
            </div>
          </div>
        </li>
      </ol>
      {importFacts && (
        <p className="import-facts">
          Read {formatSize(importFacts.bytesRead)} from the media in{' '}
          {(importFacts.durationMs / 1000).toFixed(1)} s (
          {formatRate(importFacts.megabytesPerSecond * 1_000_000)}); stored{' '}
          {formatSize(importFacts.bytesStored)} new.
        </p>
      )}
    </section>
  );
}

/** Props of ImportRefusal. */
export type ImportRefusalProps = { failure: UserFacingError };

/** Why an import was refused: the check that failed, what the core found, and what to do. */
export function ImportRefusal({ failure }: ImportRefusalProps) {
  const check = failedCheck(failure.code);
  return (
    <div className="banner banner-danger refusal" role="alert" data-testid="import-refusal">
      <div className="banner-text">
        <p className="banner-title">
          {check ? `Refused: ${VERIFICATION_CHECKS[check]} failed` : 'The import did not complete'}
        </p>
        <p>{failure.title}</p>
        {failure.detail && <p className="refusal-detail">{failure.detail}</p>}
        {failure.issues && (
          <ul className="plain-list">
            {failure.issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        )}
        <p>
          <strong>What to do:</strong> {failure.action}
        </p>
      </div>
    </div>
  );
}
