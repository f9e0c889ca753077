import { TIER_MEANINGS, TIERS, type HostFilter } from '../../../shared/domain/assets';
import { cx } from '../../lib/format';

import type { HostCounts } from './assets.store';

/** Props of AssetsSummary. */
export type AssetsSummaryProps = {
  counts: HostCounts;
  /** Shows the hosts behind a number. */
  onShow: (filter: HostFilter) => void;
};

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/**
 * The inventory at a glance: hosts per tier as one bar, then what needs attention (end of life,
 * never scanned, last scan failed). Every number opens the hosts behind it.
 */
export function AssetsSummary({ counts, onShow }: AssetsSummaryProps) {
  const all = Math.max(counts.all, 1);
  const attention: {
    key: string;
    label: string;
    value: number;
    tone: 'danger' | 'warn' | 'neutral';
    filter: HostFilter;
  }[] = [
    {
      key: 'eol',
      label: 'End of life',
      value: counts.eol,
      tone: 'danger',
      filter: { eol: ['eol'] },
    },
    {
      key: 'soon',
      label: 'EOL soon',
      value: counts.eolSoon,
      tone: 'warn',
      filter: { eol: ['soon'] },
    },
    {
      key: 'never',
      label: 'Never scanned',
      value: counts.neverScanned,
      tone: 'neutral',
      filter: { scan: ['never'] },
    },
    {
      key: 'failed',
      label: 'Scan failed',
      value: counts.scanFailed,
      tone: 'danger',
      filter: { scan: ['failed'] },
    },
  ];

  return (
    <section className="assets-summary" aria-label="Inventory summary" data-testid="assets-summary">
      <div className="summary-tiers">
        <p className="summary-total">
          <strong>{plural(counts.all, 'host', 'hosts')}</strong>{' '}
          <span className="muted">by criticality tier</span>
        </p>
        <div className="tier-bar" aria-hidden="true">
          {TIERS.map((t) => {
            const n = counts.byTier[t] ?? 0;
            return n > 0 ? (
              <span
                key={t}
                className={`tier-bar-seg tier-bg-${t}`}
                style={{ width: `${(n / all) * 100}%` }}
                title={`${TIER_MEANINGS[t].label}: ${n.toLocaleString()}`}
              />
            ) : null;
          })}
        </div>
        <ul className="tier-legend">
          {TIERS.map((t) => (
            <li key={t}>
              <button
                type="button"
                className="summary-link"
                title={`${TIER_MEANINGS[t].label}. ${TIER_MEANINGS[t].meaning}`}
                aria-label={`${TIER_MEANINGS[t].label}: ${plural(counts.byTier[t] ?? 0, 'host', 'hosts')}. ${TIER_MEANINGS[t].meaning} Show them.`}
                onClick={() => onShow({ tiers: [t] })}
              >
                <span className={`tier-swatch tier-bg-${t}`} aria-hidden="true" />T{t}{' '}
                <strong>{(counts.byTier[t] ?? 0).toLocaleString()}</strong>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <ul className="summary-attention">
        {attention.map((item) => (
          <li key={item.key}>
            <button
              type="button"
              className={cx('summary-stat', item.value > 0 && `summary-stat-${item.tone}`)}
              aria-label={`${item.label}: ${plural(item.value, 'host', 'hosts')}. Show them.`}
              onClick={() => onShow(item.filter)}
            >
              <span className="summary-stat-value">{item.value.toLocaleString()}</span>
              <span className="summary-stat-label">{item.label}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
