import type { AuditVerification } from '../../../shared/domain/schemas';
import { Button } from '../../components/button';
import { formatLocalTime, shortHash } from '../../lib/format';
import { notifySuccess, useNotificationsStore } from '../../stores/notifications.store';

async function copyHash(hash: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(hash);
    notifySuccess('Head hash copied', 'Paste it into your shift log or the incident record.');
  } catch {
    useNotificationsStore.getState().push({
      tone: 'info',
      title: 'The clipboard is not available here.',
      body: `Select and copy the hash by hand: ${hash}`,
    });
  }
}

/** Props of VerifyBanner. */
export type VerifyBannerProps = {
  verification: AuditVerification;
  /** The newest record the page knows of, to say when the check is out of date. */
  newestSeq?: number | undefined;
};

/** The result of "Verify chain": a quiet green line, or a red stop sign with what to do. */
export function VerifyBanner({ verification: v, newestSeq }: VerifyBannerProps) {
  const newer = newestSeq !== undefined && newestSeq > v.headSeq ? newestSeq - v.headSeq : 0;
  if (v.valid) {
    return (
      <div className="banner banner-ok" role="status" data-testid="verify-banner">
        <div className="banner-text">
          <p className="banner-title">
            Audit chain verified:{' '}
            {v.checked === 1
              ? 'the only record is intact.'
              : `all ${v.checked.toLocaleString()} records are intact.`}
          </p>
          <p>
            Head record #{v.headSeq}, hash{' '}
            <code className="hash" title={v.headHash}>
              {shortHash(v.headHash)}
            </code>
            <span className="muted"> · checked {formatLocalTime(v.verifiedAt)}</span>
          </p>
          {newer > 0 && (
            <p className="muted">
              {newer.toLocaleString()} newer record{newer === 1 ? ' was' : 's were'} added since
              this check. Verify again to include {newer === 1 ? 'it' : 'them'}.
            </p>
          )}
        </div>
        {v.headHash && (
          <Button size="small" onClick={() => void copyHash(v.headHash)}>
            Copy head hash
          </Button>
        )}
      </div>
    );
  }
  return (
    <div className="banner banner-danger" role="alert" data-testid="verify-banner">
      <div className="banner-text">
        <p className="banner-title">Audit chain BROKEN at record #{v.firstBadSeq ?? '?'}</p>
        <p>{v.problem ?? 'A record does not match the chain.'}</p>
        <p>
          <strong>What to do:</strong> export the workspace file for investigation and hand it to
          your security officer. Do not continue deployments until the cause is known and the chain
          verifies again.
        </p>
      </div>
    </div>
  );
}
