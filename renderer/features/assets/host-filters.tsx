import { useEffect, useState } from 'react';

import { ENVIRONMENTS, TIER_MEANINGS, TIERS, type HostFilter } from '../../../shared/domain/assets';
import { OS_FAMILIES } from '../../../shared/domain/host-facts';
import { Button } from '../../components/button';

import { OS_FAMILY_LABELS } from './asset-badges';

/** Props of HostFilters. */
export type HostFiltersProps = {
  filter: HostFilter;
  onChange: (filter: HostFilter) => void;
};

type Draft = {
  text: string;
  tier: string;
  environment: string;
  osFamily: string;
  eol: string;
  scan: string;
  tag: string;
};

const TYPING_DELAY_MS = 300;

const EOL_CHOICES = {
  '': 'Any',
  'eol,soon': 'EOL or ending soon',
  eol: 'End of life',
  soon: 'Ending soon',
  supported: 'Supported',
  unknown: 'Unknown',
} as const;

const SCAN_CHOICES = {
  '': 'Any',
  never: 'Never scanned',
  ok: 'Last scan OK',
  failed: 'Last scan failed',
} as const;

function toDraft(filter: HostFilter): Draft {
  return {
    text: filter.text ?? '',
    tier: filter.tiers?.length === 1 ? String(filter.tiers[0]) : '',
    environment: filter.environments?.length === 1 ? (filter.environments[0] ?? '') : '',
    osFamily: filter.osFamilies?.length === 1 ? (filter.osFamilies[0] ?? '') : '',
    eol: filter.eol ? [...filter.eol].sort().join(',') : '',
    scan: filter.scan?.length === 1 ? (filter.scan[0] ?? '') : '',
    tag: filter.tag ?? '',
  };
}

function pick<T extends string>(options: readonly T[], value: string): T | undefined {
  return options.find((o) => o === value);
}

/** The filter a draft stands for; empty fields are left out. */
function toHostFilter(draft: Draft): HostFilter {
  const filter: HostFilter = {};
  if (draft.text.trim()) filter.text = draft.text.trim();
  const tier = TIERS.find((t) => String(t) === draft.tier);
  if (tier !== undefined) filter.tiers = [tier];
  const environment = pick(ENVIRONMENTS, draft.environment);
  if (environment) filter.environments = [environment];
  const osFamily = pick(OS_FAMILIES, draft.osFamily);
  if (osFamily) filter.osFamilies = [osFamily];
  const eol = draft.eol
    .split(',')
    .flatMap((v) => pick(['eol', 'soon', 'supported', 'unknown'] as const, v) ?? []);
  if (eol.length > 0) filter.eol = eol;
  const scan = pick(['never', 'ok', 'failed'] as const, draft.scan);
  if (scan) filter.scan = [scan];
  if (draft.tag.trim()) filter.tag = draft.tag.trim();
  return filter;
}

/** Narrows the host table; typed fields apply after a short pause, the others at once. */
export function HostFilters({ filter, onChange }: HostFiltersProps) {
  const [draft, setDraft] = useState<Draft>(() => toDraft(filter));
  const serialised = JSON.stringify(toHostFilter(draft));
  const current = JSON.stringify(filter);
  const [applyNow, setApplyNow] = useState(false);

  useEffect(() => {
    if (serialised === current) return undefined;
    const apply = () => onChange(JSON.parse(serialised) as HostFilter);
    if (applyNow) {
      apply();
      return undefined;
    }
    const timer = window.setTimeout(apply, TYPING_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [serialised, current, applyNow, onChange]);

  const typed = (key: 'text' | 'tag') => (value: string) => {
    setApplyNow(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };
  const chosen = (key: Exclude<keyof Draft, 'text' | 'tag'>) => (value: string) => {
    setApplyNow(true);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  return (
    <form
      className="filters host-filters"
      aria-label="Filter hosts"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(toHostFilter(draft));
      }}
    >
      <label className="filter">
        <span>Search</span>
        <input
          type="search"
          placeholder="Name, address, OS, owner…"
          value={draft.text}
          onChange={(e) => typed('text')(e.target.value)}
        />
      </label>
      <label className="filter">
        <span>Tier</span>
        <select value={draft.tier} onChange={(e) => chosen('tier')(e.target.value)}>
          <option value="">Any</option>
          {TIERS.map((t) => (
            <option key={t} value={String(t)}>
              {TIER_MEANINGS[t].label}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Environment</span>
        <select value={draft.environment} onChange={(e) => chosen('environment')(e.target.value)}>
          <option value="">Any</option>
          {ENVIRONMENTS.map((env) => (
            <option key={env} value={env}>
              {env[0]?.toUpperCase()}
              {env.slice(1)}
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
              {OS_FAMILY_LABELS[f]}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>EOL</span>
        <select value={draft.eol} onChange={(e) => chosen('eol')(e.target.value)}>
          {Object.entries(EOL_CHOICES).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Scan</span>
        <select value={draft.scan} onChange={(e) => chosen('scan')(e.target.value)}>
          {Object.entries(SCAN_CHOICES).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        <span>Tag</span>
        <input
          className="filter-tag"
          placeholder="e.g. PCI-DSS"
          value={draft.tag}
          onChange={(e) => typed('tag')(e.target.value)}
        />
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
