import type { KeyboardEvent, ReactNode } from 'react';

/** One tab: its id names the tab (`tab-<id>`) and its panel (`panel-<id>`). */
export type TabItem<T extends string> = {
  id: T;
  label: string;
  /** A count shown beside the label; none when null or left out. */
  count?: number | null | undefined;
};

/** Props of Tabs. */
export type TabsProps<T extends string> = {
  /** Names the tab list for screen readers, e.g. "Host sections". */
  label: string;
  tabs: readonly TabItem<T>[];
  selected: T;
  onSelect: (id: T) => void;
  /** The selected tab's panel. */
  children: ReactNode;
};

/**
 * Tabs with one panel. The tab list is one Tab stop: Left and Right arrows move to the
 * neighbouring tab, wrapping around, and show its panel.
 */
export function Tabs<T extends string>({
  label,
  tabs,
  selected,
  onSelect,
  children,
}: TabsProps<T>) {
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const index = tabs.findIndex((t) => t.id === selected);
    const next = tabs[(index + step + tabs.length) % tabs.length];
    if (next) {
      onSelect(next.id);
      document.getElementById(`tab-${next.id}`)?.focus();
    }
  };

  return (
    <>
      <div className="tabs" role="tablist" aria-label={label}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={selected === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={selected === t.id ? 0 : -1}
            className="tab"
            onClick={() => onSelect(t.id)}
            onKeyDown={onKeyDown}
          >
            {t.label}
            {t.count !== undefined && t.count !== null && (
              <span className="tab-count">{t.count.toLocaleString()}</span>
            )}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`panel-${selected}`}
        aria-labelledby={`tab-${selected}`}
        className="tab-panel"
      >
        {children}
      </div>
    </>
  );
}
