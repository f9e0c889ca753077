import { useEffect, useId, useState } from 'react';

import { OP_NAMES } from '../../../shared/api/contract';
import {
  AuditOutcomeSchema,
  type AuditFilter,
  type AuditOutcome,
} from '../../../shared/domain/schemas';
import { Button } from '../../components/button';

import { outcomeLabel } from './outcome-badge';

/** Props of AuditFilters. */
export type AuditFiltersProps = {
  filter: AuditFilter;
  operators: { id: string; name: string }[];
  onChange: (filter: AuditFilter) => void;
};

type Draft = {
  operatorId: string;
  op: string;
  outcome: string;
  from: string;
  to: string;
  text: string;
};

const TYPING_DELAY_MS = 300;

function toDraft(filter: AuditFilter): Draft {
  return {
    operatorId: filter.operatorId ?? '',
    op: filter.op ?? '',
    outcome: filter.outcome ?? '',
    from: filter.from ? toDateInput(filter.from) : '',
    to: filter.to ? toDateInput(filter.to) : '',
    text: filter.text ?? '',
  };
}

function toDateInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Dates are picked in local time: "from" starts at local midnight, "to" ends at 23:59:59.999. */
function toFilter(draft: Draft): AuditFilter {
  const filter: AuditFilter = {};
  if (draft.operatorId) filter.operatorId = draft.operatorId;
  if (draft.op.trim()) filter.op = draft.op.trim();
  const outcome = AuditOutcomeSchema.safeParse(draft.outcome);
  if (outcome.success) filter.outcome = outcome.data;
  if (draft.from) filter.from = new Date(`${draft.from}T00:00:00`).toISOString();
  if (draft.to) filter.to = new Date(`${draft.to}T23:59:59.999`).toISOString();
  if (draft.text.trim()) filter.text = draft.text.trim();
  return filter;
}

/** Narrows the audit log; typed fields apply after a short pause, the others at once. */
export function AuditFilters({ filter, operators, onChange }: AuditFiltersProps) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(filter));
  const opsListId = useId();
  const serialised = JSON.stringify(toFilter(draft));
  const current = JSON.stringify(filter);

  useEffect(() => {
    if (serialised === current) return undefined;
    const timer = window.setTimeout(
      () => onChange(JSON.parse(serialised) as AuditFilter),
      TYPING_DELAY_MS,
    );
    return () => window.clearTimeout(timer);
  }, [serialised, current, onChange]);

  const update = (key: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const invalidRange = draft.from !== '' && draft.to !== '' && draft.from > draft.to;

  return (
    <form
      className="filters"
      aria-label="Filter audit records"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(toFilter(draft));
      }}
    >
      <label className="filter">
        <span>Search</span>
        <input
          type="search"
          placeholder="Summary or details"
          value={draft.text}
          onChange={(e) => update('text')(e.target.value)}
        />
      </label>
      <label className="filter">
        <span>Operator</span>
        <select value={draft.operatorId} onChange={(e) => update('operatorId')(e.target.value)}>
          <option value="">Anyone</option>
          {operators.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Operation</span>
        <input
          list={opsListId}
          placeholder="e.g. auth.login"
          value={draft.op}
          onChange={(e) => update('op')(e.target.value)}
        />
        <datalist id={opsListId}>
          {OP_NAMES.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </label>
      <label className="filter">
        <span>Outcome</span>
        <select value={draft.outcome} onChange={(e) => update('outcome')(e.target.value)}>
          <option value="">Any</option>
          {AuditOutcomeSchema.options.map((o: AuditOutcome) => (
            <option key={o} value={o}>
              {outcomeLabel(o)}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>From</span>
        <input type="date" value={draft.from} onChange={(e) => update('from')(e.target.value)} />
      </label>
      <label className="filter">
        <span>To</span>
        <input
          type="date"
          value={draft.to}
          aria-invalid={invalidRange || undefined}
          onChange={(e) => update('to')(e.target.value)}
        />
      </label>
      <Button
        size="small"
        variant="ghost"
        disabled={serialised === '{}'}
        onClick={() => setDraft(toDraft({}))}
      >
        Clear filters
      </Button>
      {invalidRange && (
        <p className="field-error filters-error" role="alert">
          "From" is after "To": no record can match.
        </p>
      )}
    </form>
  );
}
