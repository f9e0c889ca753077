import { useId, useState } from 'react';

import {
  TIER_MEANINGS,
  type EolStatus,
  type HostSummary,
  type Tier,
} from '../../../shared/domain/assets';
import type { OsFamily } from '../../../shared/domain/host-facts';
import { Badge } from '../../components/badge';
import { formatLocalTime, formatUtcTime } from '../../lib/format';

/** Short words for OS families, for filters and cells. */
export const OS_FAMILY_LABELS: Readonly<Record<OsFamily, string>> = {
  debian: 'Debian / Ubuntu',
  rhel: 'RHEL family',
  windows: 'Windows',
  macos: 'macOS',
  unknown: 'Unknown',
};

/** Short words for host-key states. */
export const HOST_KEY_LABELS: Readonly<Record<HostSummary['hostKey'], string>> = {
  pinned: 'Pinned',
  unknown: 'Not pinned',
  changed: 'Changed',
  revoked: 'Revoked',
};

/** Short words for EOL states, for filters. */
export const EOL_LABELS: Readonly<Record<EolStatus['status'], string>> = {
  supported: 'Supported',
  soon: 'EOL soon',
  eol: 'End of life',
  unknown: 'Unknown',
};

/** Props of TierBadge. */
export type TierBadgeProps = {
  tier: Tier;
  /**
   * Reachable with Tab (default). Table rows turn this off so the table stays one tab stop; the
   * meaning is still read out with the row.
   */
  focusable?: boolean;
};

/**
 * "T0" … "T3" with the tier's meaning on hover and on keyboard focus, so people who cannot use
 * a mouse read it too.
 */
export function TierBadge({ tier, focusable = true }: TierBadgeProps) {
  const [open, setOpen] = useState(false);
  const tipId = useId();
  const meaning = TIER_MEANINGS[tier];
  return (
    <span
      className={`tier tier-${tier}`}
      tabIndex={focusable ? 0 : undefined}
      aria-describedby={tipId}
      onMouseEnter={() => setOpen(true)}
      onMouseLeave={() => setOpen(false)}
      onFocus={() => setOpen(true)}
      onBlur={() => setOpen(false)}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
        }
      }}
    >
      T{tier}
      <span id={tipId} role="tooltip" className={open ? 'tip is-open' : 'tip'}>
        <strong>{meaning.label}</strong> {meaning.meaning}
      </span>
    </span>
  );
}

/** Props of EolBadge. */
export type EolBadgeProps = { eol: EolStatus };

/** End of life: red when past, amber with the date when close, quiet otherwise. */
export function EolBadge({ eol }: EolBadgeProps) {
  const product = eol.product ?? 'This OS';
  switch (eol.status) {
    case 'eol':
      return (
        <span title={`${product}: security support ended ${eol.eolDate ?? ''}`.trim()}>
          <Badge tone="danger">EOL{eol.eolDate ? ` ${eol.eolDate}` : ''}</Badge>
        </span>
      );
    case 'soon':
      return (
        <span title={`${product}: security support ends ${eol.eolDate ?? 'soon'}`}>
          <Badge tone="warn">EOL {eol.eolDate ?? 'soon'}</Badge>
        </span>
      );
    case 'supported':
      return (
        <span className="muted" title={eol.eolDate ? `Supported until ${eol.eolDate}` : undefined}>
          Supported
        </span>
      );
    case 'unknown':
      return <span className="muted">—</span>;
  }
}

/** Props of HostKeyBadge. */
export type HostKeyBadgeProps = { state: HostSummary['hostKey'] };

/** Whether PatchDeck trusts the host's SSH key. */
export function HostKeyBadge({ state }: HostKeyBadgeProps) {
  switch (state) {
    case 'pinned':
      return <Badge tone="ok">Pinned</Badge>;
    case 'unknown':
      return <Badge tone="neutral">Not pinned</Badge>;
    case 'changed':
      return <Badge tone="danger">Key changed</Badge>;
    case 'revoked':
      return <Badge tone="danger">Revoked</Badge>;
  }
}

/** Props of ScanBadge. */
export type ScanBadgeProps = Pick<HostSummary, 'lastScan' | 'lastScanAt'>;

/** The last scan: never, OK (with when) or failed (with why on hover). */
export function ScanBadge({ lastScan, lastScanAt }: ScanBadgeProps) {
  if (!lastScan) return <span className="muted">Never scanned</span>;
  const when = lastScanAt ? formatLocalTime(lastScanAt) : '';
  if (lastScan.status === 'ok') {
    return (
      <span className="scan-cell" title={lastScanAt ? formatUtcTime(lastScanAt) : undefined}>
        <Badge tone="ok">OK</Badge> <span className="muted">{when}</span>
      </span>
    );
  }
  return (
    <span
      className="scan-cell"
      title={[lastScan.message, lastScan.action].filter(Boolean).join(' ')}
    >
      <Badge tone="danger">Failed</Badge>{' '}
      <span className="scan-reason">{failureLabel(lastScan.failureKind)}</span>
    </span>
  );
}

const FAILURE_LABELS: Readonly<Record<string, string>> = {
  unreachable: 'unreachable',
  'connection-refused': 'SSH refused',
  'auth-refused': 'login refused',
  'host-key-unknown': 'host key unknown',
  'host-key-changed': 'host key changed',
  'host-key-revoked': 'host key revoked',
  'sudo-refused': 'sudo refused',
  'sudo-password-required': 'sudo needs a password',
  timeout: 'timed out',
  'credentials-locked': 'credentials locked',
  'command-failed': 'command failed',
  'unsupported-os': 'unsupported OS',
  internal: 'internal error',
};

/** A few words for a scan failure kind. */
export function failureLabel(kind: string | null): string {
  return kind ? (FAILURE_LABELS[kind] ?? kind) : 'failed';
}
