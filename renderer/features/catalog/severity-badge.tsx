import type { Severity } from '../../../shared/domain/bundle-manifest';
import { Badge, type BadgeProps } from '../../components/badge';

/** Words for severities, highest first. */
export const SEVERITY_LABELS: Readonly<Record<Severity, string>> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  none: 'None',
  unknown: 'Unknown',
};

const SEVERITY_TONES: Readonly<Record<Severity, BadgeProps['tone']>> = {
  critical: 'danger',
  high: 'danger',
  medium: 'warn',
  low: 'info',
  none: 'neutral',
  unknown: 'neutral',
};

/** Props of SeverityBadge. */
export type SeverityBadgeProps = { severity: Severity };

/** A patch's severity as a word on a coloured pill. */
export function SeverityBadge({ severity }: SeverityBadgeProps) {
  return (
    <span className={`severity severity-${severity}`}>
      <Badge tone={SEVERITY_TONES[severity]}>{SEVERITY_LABELS[severity]}</Badge>
    </span>
  );
}

/** Props of KevBadge. */
export type KevBadgeProps = { knownExploited: boolean | null };

/** Whether CISA lists the patch's CVEs as exploited in the wild, when the bundle says. */
export function KevBadge({ knownExploited }: KevBadgeProps) {
  if (knownExploited === null) return <span className="muted">—</span>;
  return knownExploited ? (
    <span title="On CISA's Known Exploited Vulnerabilities list">
      <Badge tone="danger">Exploited</Badge>
    </span>
  ) : (
    <span className="muted">No</span>
  );
}
