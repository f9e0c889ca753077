import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';

import type { InstalledPackage } from '../../../shared/domain/host-facts';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { runAction } from '../../stores/run-action';

const PAGE = 1000;
const ROW_HEIGHT = 32;
const TYPING_DELAY_MS = 250;

type State = {
  status: 'loading' | 'ready' | 'error';
  packages: InstalledPackage[];
  total: number;
  loadingMore: boolean;
};

/** Props of HostPackages. */
export type HostPackagesProps = {
  hostId: string;
  /** Changes when a new scan lands, so the list is read again. */
  scanStamp: string | null;
};

/** The packages installed on one host, from its last successful scan, searchable and virtualised. */
export function HostPackages({ hostId, scanStamp }: HostPackagesProps) {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [state, setState] = useState<State>({
    status: 'loading',
    packages: [],
    total: 0,
    loadingMore: false,
  });
  const [attempt, setAttempt] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const timer = window.setTimeout(() => setQuery(search.trim()), TYPING_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [search]);

  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, status: 'loading' }));
    void runAction('Loading packages', () =>
      api.call('hosts.packages', { hostId, search: query, offset: 0, limit: PAGE }),
    ).then((page) => {
      if (!live) return;
      setState(
        page
          ? { status: 'ready', packages: page.packages, total: page.total, loadingMore: false }
          : { status: 'error', packages: [], total: 0, loadingMore: false },
      );
    });
    return () => {
      live = false;
    };
  }, [hostId, query, scanStamp, attempt]);

  // The virtualizer hands back fresh functions each render by design.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: state.packages.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    initialRect: { width: 900, height: 480 },
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items[items.length - 1]?.index ?? -1;
  const hasMore = state.status === 'ready' && state.packages.length < state.total;

  useEffect(() => {
    if (!hasMore || state.loadingMore || lastVisible < state.packages.length - 100) return;
    const offset = state.packages.length;
    setState((s) => ({ ...s, loadingMore: true }));
    void runAction('Loading more packages', () =>
      api.call('hosts.packages', { hostId, search: query, offset, limit: PAGE }),
    ).then((page) => {
      setState((s) =>
        s.packages.length !== offset
          ? s
          : {
              ...s,
              loadingMore: false,
              packages: page ? [...s.packages, ...page.packages] : s.packages,
              total: page?.total ?? s.total,
            },
      );
    });
  }, [hasMore, state.loadingMore, state.packages.length, lastVisible, hostId, query]);

  return (
    <section className="host-packages" aria-labelledby="packages-title">
      <header className="section-header">
        <div>
          <h2 id="packages-title">Installed packages</h2>
          <p className="muted">From the last successful scan.</p>
        </div>
        <label className="filter">
          <span>Search packages</span>
          <input
            type="search"
            placeholder="Name or version"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
      </header>
      {state.status === 'loading' && <LoadingState label="Loading packages…" />}
      {state.status === 'error' && (
        <EmptyState
          title="The package list could not be loaded"
          actions={<Button onClick={() => setAttempt((n) => n + 1)}>Try again</Button>}
        />
      )}
      {state.status === 'ready' && state.packages.length === 0 && (
        <EmptyState title={query ? 'No package matches this search' : 'No packages recorded'}>
          <p>
            {query
              ? 'Search matches package names and versions.'
              : 'Scan this host to record what is installed on it.'}
          </p>
        </EmptyState>
      )}
      {state.status === 'ready' && state.packages.length > 0 && (
        <>
          <p className="table-summary" aria-live="polite">
            {state.total.toLocaleString()} {query ? 'matching ' : ''}
            {state.total === 1 ? 'package' : 'packages'}
          </p>
          <div
            className="pkg-table"
            role="table"
            aria-label="Packages"
            aria-rowcount={state.total + 1}
          >
            <div role="rowgroup" className="pkg-head">
              <div role="row" className="pkg-grid">
                <div role="columnheader">Name</div>
                <div role="columnheader">Version</div>
                <div role="columnheader">Arch</div>
                <div role="columnheader">Kind</div>
              </div>
            </div>
            <div ref={scrollRef} className="pkg-scroll" role="rowgroup" tabIndex={0}>
              <div className="pkg-canvas" style={{ height: virtualizer.getTotalSize() }}>
                {items.map((item) => {
                  const p = state.packages[item.index];
                  if (!p) return null;
                  return (
                    <div
                      key={`${p.name}:${p.arch}:${p.version}`}
                      role="row"
                      aria-rowindex={item.index + 2}
                      className="pkg-grid pkg-row"
                      style={{ transform: `translateY(${item.start}px)` }}
                    >
                      <div role="rowheader" title={p.name}>
                        {p.name}
                      </div>
                      <div role="cell" title={p.version}>
                        <code>{p.version}</code>
                      </div>
                      <div role="cell">{p.arch}</div>
                      <div role="cell" title={p.publisher}>
                        {p.kind}
                        {p.publisher ? ` · ${p.publisher}` : ''}
                      </div>
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
