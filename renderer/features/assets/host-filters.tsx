import { ENVIRONMENTS, TIER_MEANINGS, TIERS, type HostFilter } from '../../../shared/domain/assets';
import { OS_FAMILIES } from '../../../shared/domain/host-facts';
import { FilterBar, FilterSelect, FilterText, useFilterDraft } from '../../components/filter-bar';

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
  const { draft, type, choose, clear, isEmpty, submit } = useFilterDraft({
    filter,
    onChange,
    toDraft,
    toFilter: toHostFilter,
  });

  return (
    <FilterBar
      label="Filter hosts"
      search
      className="host-filters"
      onSubmit={submit}
      isEmpty={isEmpty}
      onClear={clear}
    >
      <FilterText
        label="Search"
        type="search"
        placeholder="Name, address, OS, owner…"
        value={draft.text}
        onValue={(v) => type('text', v)}
      />
      <FilterSelect label="Tier" value={draft.tier} onValue={(v) => choose('tier', v)}>
        <option value="">Any</option>
        {TIERS.map((t) => (
          <option key={t} value={String(t)}>
            {TIER_MEANINGS[t].label}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect
        label="Environment"
        value={draft.environment}
        onValue={(v) => choose('environment', v)}
      >
        <option value="">Any</option>
        {ENVIRONMENTS.map((env) => (
          <option key={env} value={env}>
            {env[0]?.toUpperCase()}
            {env.slice(1)}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect label="OS family" value={draft.osFamily} onValue={(v) => choose('osFamily', v)}>
        <option value="">Any</option>
        {OS_FAMILIES.map((f) => (
          <option key={f} value={f}>
            {OS_FAMILY_LABELS[f]}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect label="EOL" value={draft.eol} onValue={(v) => choose('eol', v)}>
        {Object.entries(EOL_CHOICES).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </FilterSelect>
      <FilterSelect label="Scan" value={draft.scan} onValue={(v) => choose('scan', v)}>
        {Object.entries(SCAN_CHOICES).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </FilterSelect>
      <FilterText
        label="Tag"
        className="filter-tag"
        placeholder="e.g. PCI-DSS"
        value={draft.tag}
        onValue={(v) => type('tag', v)}
      />
    </FilterBar>
  );
}
