import { useId } from 'react';

import { OP_NAMES } from '../../../shared/api/contract';
import {
  AuditOutcomeSchema,
  type AuditFilter,
  type AuditOutcome,
} from '../../../shared/domain/schemas';
import { FilterBar, FilterSelect, FilterText, useFilterDraft } from '../../components/filter-bar';

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

/** Narrows the audit log; every change applies after a short pause. */
export function AuditFilters({ filter, operators, onChange }: AuditFiltersProps) {
  const { draft, type, clear, isEmpty, submit } = useFilterDraft({
    filter,
    onChange,
    toDraft,
    toFilter,
    choicesApplyAtOnce: false,
  });
  const opsListId = useId();
  const invalidRange = draft.from !== '' && draft.to !== '' && draft.from > draft.to;

  return (
    <FilterBar
      label="Filter audit records"
      onSubmit={submit}
      isEmpty={isEmpty}
      onClear={clear}
      after={
        invalidRange && (
          <p className="field-error filters-error" role="alert">
            "From" is after "To": no record can match.
          </p>
        )
      }
    >
      <FilterText
        label="Search"
        type="search"
        placeholder="Summary or details"
        value={draft.text}
        onValue={(v) => type('text', v)}
      />
      <FilterSelect
        label="Operator"
        value={draft.operatorId}
        onValue={(v) => type('operatorId', v)}
      >
        <option value="">Anyone</option>
        {operators.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </FilterSelect>
      <FilterText
        label="Operation"
        list={opsListId}
        placeholder="e.g. auth.login"
        value={draft.op}
        onValue={(v) => type('op', v)}
      >
        <datalist id={opsListId}>
          {OP_NAMES.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </FilterText>
      <FilterSelect label="Outcome" value={draft.outcome} onValue={(v) => type('outcome', v)}>
        <option value="">Any</option>
        {AuditOutcomeSchema.options.map((o: AuditOutcome) => (
          <option key={o} value={o}>
            {outcomeLabel(o)}
          </option>
        ))}
      </FilterSelect>
      <FilterText label="From" type="date" value={draft.from} onValue={(v) => type('from', v)} />
      <FilterText
        label="To"
        type="date"
        value={draft.to}
        aria-invalid={invalidRange || undefined}
        onValue={(v) => type('to', v)}
      />
    </FilterBar>
  );
}
