import { useEffect, useState } from 'react';

import type { StoreStatus } from '../../../shared/api/ops/bundles';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';

const LABELS: Readonly<Record<StoreStatus, string>> = {
  verifying: 'Store copy: verifying…',
  verified: 'Store copy: verified',
  corrupt: 'Store copy: corrupt — quarantined',
};

const TONES: Readonly<Record<StoreStatus, 'info' | 'ok' | 'danger'>> = {
  verifying: 'info',
  verified: 'ok',
  corrupt: 'danger',
};

/** Props of StoreStatusBadge. */
export type StoreStatusBadgeProps = { status: StoreStatus };

/** The state of a bundle's copy in the workspace store, in words. */
export function StoreStatusBadge({ status }: StoreStatusBadgeProps) {
  return (
    <span data-testid="store-status" data-store-status={status}>
      <Badge tone={TONES[status]}>{LABELS[status]}</Badge>
    </span>
  );
}

/**
 * A bundle's store status that follows the background check: starts from what the core said and
 * changes when `bundles.storeVerificationFinished` arrives for this bundle.
 */
export function useStoreStatus(bundleId: string, initial: StoreStatus): StoreStatus {
  const [finished, setFinished] = useState<{ bundleId: string; status: StoreStatus }>();
  useEffect(
    () =>
      api.on('bundles.storeVerificationFinished', (event) => {
        if (event.bundleId === bundleId) setFinished({ bundleId, status: event.storeStatus });
      }),
    [bundleId],
  );
  return finished?.bundleId === bundleId ? finished.status : initial;
}

/** Props of StoreStatusNote. */
export type StoreStatusNoteProps = { status: StoreStatus };

/** What the store status means for the operator. */
export function StoreStatusNote({ status }: StoreStatusNoteProps) {
  switch (status) {
    case 'verifying':
      return (
        <>
          The media may be removed. The copy in the workspace store is being read again from this
          machine&apos;s disk; the bundle can be deployed once it is verified.
        </>
      );
    case 'verified':
      return (
        <>
          Every stored file was read again from this machine&apos;s disk after the import and
          matches its signed hash.
        </>
      );
    case 'corrupt':
      return (
        <>
          A stored file did not read back as signed (a failing or fake-capacity disk), so the bundle
          is quarantined and cannot be deployed; the bad copy was removed and the audit log names
          it. Check the disk, then import the bundle again from its media to repair it.
        </>
      );
  }
}
