import { useEffect, useState } from 'react';

import type { CatalogFilter } from '../../../shared/api/ops/catalog';
import { OS_FAMILIES, SEVERITIES } from '../../../shared/domain/bundle-manifest';
import { Button } from '../../components/button';

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

const TYPING_DELAY_MS = 300;

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
  const [draft, setDraft] = useState<Draft>(() => toDraft(filter));
  const [applyNow, setApplyNow] = useState(false);
  const serialised = JSON.stringify(toCatalogFilter(draft));
  const current = JSON.stringify(filter);

  useEffect(() => {
    if (serialised === current) return undefined;
    const apply = () => onChange(JSON.parse(serialised) as CatalogFilter);
    if (applyNow) {
      apply();
      return undefined;
    }
    const timer = window.setTimeout(apply, TYPING_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [serialised, current, applyNow, onChange]);

  const typed = (key: 'text' | 'cve' | 'vendor') => (value: string) => {
    setApplyNow(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };
  const chosen = (key: 'severity' | 'osFamily' | 'kev' | 'missing') => (value: string) => {
    setApplyNow(true);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  return (
    <form
      className="filters"
      aria-label="Filter patches"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(toCatalogFilter(draft));
      }}
    >
      <label className="filter">
        <span>Search</span>
        <input
          type="search"
          placeholder="Id, title, package, advisory…"
          value={draft.text}
          onChange={(e) => typed('text')(e.target.value)}
        />
      </label>
      <label className="filter">
        <span>CVE</span>
        <input
          className="filter-cve"
          placeholder="CVE-2024-3094"
          value={draft.cve}
          spellCheck={false}
          onChange={(e) => typed('cve')(e.target.value)}
        />
      </label>
      <label className="filter">
        <span>Vendor</span>
        <input
          className="filter-vendor"
          placeholder="Debian"
          value={draft.vendor}
          onChange={(e) => typed('vendor')(e.target.value)}
        />
      </label>
      <label className="filter">
        <span>Severity</span>
        <select value={draft.severity} onChange={(e) => chosen('severity')(e.target.value)}>
          {SEVERITY_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>OS family</span>
        <select value={draft.osFamily} onChange={(e) => chosen('osFamily')(e.target.value)}>
          <option value="">Any</option>
          {OS_FAMILIES.map((f) => (
            <option key={f} value={f}>
              {PATCH_OS_LABELS[f]}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Known exploited</span>
        <select value={draft.kev} onChange={(e) => chosen('kev')(e.target.value)}>
          <option value="">Any</option>
          <option value="yes">On the KEV list</option>
          <option value="no">Not on it</option>
        </select>
      </label>
      <label className="filter">
        <span>Missing</span>
        <select value={draft.missing} onChange={(e) => chosen('missing')(e.target.value)}>
          <option value="">Any</option>
          <option value="yes">Missing on some host</option>
          <option value="no">Missing nowhere</option>
        </select>
      </label>
      <Button
        size="small"
        variant="ghost"
        disabled={serialised === '{}'}
        onClick={() => {
          setApplyNow(true);
          setDraft(toDraft({}));
        }}
      >
        Clear filters
      </Button>
    </form>
  );
}
