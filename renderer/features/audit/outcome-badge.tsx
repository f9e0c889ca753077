import type { AuditOutcome } from '../../../shared/domain/schemas';
import { Badge } from '../../components/badge';

const OUTCOMES: Readonly<Record<AuditOutcome, { tone: 'ok' | 'warn' | 'danger'; label: string }>> =
  {
    ok: { tone: 'ok', label: 'OK' },
    error: { tone: 'warn', label: 'Failed' },
    denied: { tone: 'danger', label: 'Denied' },
  };

/** Props of OutcomeBadge. */
export type OutcomeBadgeProps = { outcome: AuditOutcome };

/** How a recorded action ended, as a coloured word. */
export function OutcomeBadge({ outcome }: OutcomeBadgeProps) {
  const { tone, label } = OUTCOMES[outcome];
  return <Badge tone={tone}>{label}</Badge>;
}

/** The word for an outcome, for selects. */
export function outcomeLabel(outcome: AuditOutcome): string {
  return OUTCOMES[outcome].label;
}
