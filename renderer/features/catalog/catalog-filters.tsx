import type { CatalogFilter } from '../../../shared/api/ops/catalog';
import { OS_FAMILIES, SEVERITIES } from '../../../shared/domain/bundle-manifest';
import { FilterBar, FilterSelect, FilterText, useFilterDraft } from '../../components/filter-bar';

import { SEVERITY_LABELS } from './severity-badge';

/** Words for the OS families a patch may target. */
export const PATCH_OS_LABELS: Readonly<Record<(typeof OS_FAMILIES)[number], string>> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  rhel: 'RHEL family',
  windows: 'Windows',
  macos: 'macOS',
};

/** Props of CatalogFilters. */
export type CatalogFiltersProps = {
  filter: CatalogFilter;
  onChange: (filter: CatalogFilter) => void;
};

type Draft = {
  text: string;
  cve: string;
  vendor: string;
  severity: string;
  osFamily: string;
  kev: string;
  missing: string;
};

/** "critical,high" and friends: the severity choices offered. */
const SEVERITY_CHOICES: readonly { value: string; label: string }[] = [
  { value: '', label: 'Any' },
  { value: 'critical,high', label: 'Critical or high' },
  ...SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] })),
];

function toDraft(filter: CatalogFilter): Draft {
  const bool = (v: boolean | undefined) => (v === undefined ? '' : v ? 'yes' : 'no');
  return {
    text: filter.text ?? '',
    cve: filter.cve ?? '',
    vendor: filter.vendor ?? '',
    severity: filter.severity?.join(',') ?? '',
    osFamily: filter.osFamily ?? '',
    kev: bool(filter.knownExploited),
    missing: bool(filter.missing),
  };
}

/** The filter a draft stands for; empty fields are left out. */
export function toCatalogFilter(draft: Draft): CatalogFilter {
  const filter: CatalogFilter = {};
  if (draft.text.trim()) filter.text = draft.text.trim();
  if (draft.cve.trim()) filter.cve = draft.cve.trim();
  if (draft.vendor.trim()) filter.vendor = draft.vendor.trim();
  const severity = SEVERITIES.filter((s) => draft.severity.split(',').includes(s));
  if (severity.length > 0) filter.severity = severity;
  const os = OS_FAMILIES.find((f) => f === draft.osFamily);
  if (os) filter.osFamily = os;
  if (draft.kev) filter.knownExploited = draft.kev === 'yes';
  if (draft.missing) filter.missing = draft.missing === 'yes';
  return filter;
}

/** Narrows the catalog; typed fields apply after a short pause, the others at once. */
export function CatalogFilters({ filter, onChange }: CatalogFiltersProps) {
  const { draft, type, choose, clear, isEmpty, submit } = useFilterDraft({
    filter,
    onChange,
    toDraft,
    toFilter: toCatalogFilter,
  });

  return (
    <FilterBar label="Filter patches" search onSubmit={submit} isEmpty={isEmpty} onClear={clear}>
      <FilterText
        label="Search"
        type="search"
        placeholder="Id, title, package, advisory…"
        value={draft.text}
        onValue={(v) => type('text', v)}
      />
      <FilterText
        label="CVE"
        className="filter-cve"
        placeholder="CVE-2024-3094"
        value={draft.cve}
        spellCheck={false}
        onValue={(v) => type('cve', v)}
      />
      <FilterText
        label="Vendor"
        className="filter-vendor"
        placeholder="Debian"
        value={draft.vendor}
        onValue={(v) => type('vendor', v)}
      />
      <FilterSelect label="Severity" value={draft.severity} onValue={(v) => choose('severity', v)}>
        {SEVERITY_CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect label="OS family" value={draft.osFamily} onValue={(v) => choose('osFamily', v)}>
        <option value="">Any</option>
        {OS_FAMILIES.map((f) => (
          <option key={f} value={f}>
            {PATCH_OS_LABELS[f]}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect label="Known exploited" value={draft.kev} onValue={(v) => choose('kev', v)}>
        <option value="">Any</option>
        <option value="yes">On the KEV list</option>
        <option value="no">Not on it</option>
      </FilterSelect>
      <FilterSelect label="Missing" value={draft.missing} onValue={(v) => choose('missing', v)}>
        <option value="">Any</option>
        <option value="yes">Missing on some host</option>
        <option value="no">Missing nowhere</option>
      </FilterSelect>
    </FilterBar>
  );
}
