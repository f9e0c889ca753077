import '../../styles/assets.css';
import '../../styles/bundles.css';

import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';

import type { CatalogFilter } from '../../../shared/api/ops/catalog';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { formatLocalTime, formatUtcTime } from '../../lib/format';
import { ageTone, formatAge } from '../bundles/units';

import { CatalogFilters } from './catalog-filters';
import { CatalogTable } from './catalog-table';
import { selectIsFiltered, useCatalogStore, type CatalogFreshness } from './catalog.store';

/** Props of FreshnessBanner. */
export type FreshnessBannerProps = { freshness: CatalogFreshness };

/**
 * How old the catalog's knowledge is, said first and plainly: offline, nothing tells PatchDeck
 * about patches published after the newest bundle was signed.
 */
export function FreshnessBanner({ freshness }: FreshnessBannerProps) {
  const { newestBundleCreated: newest, ageSeconds, scannedHosts, unscannedHosts } = freshness;
  // Before the first import there is no age to tell; the empty state below says what to do.
  if (newest === null || ageSeconds === null) return null;
  const tone = ageTone(ageSeconds);
  return (
    <div className={`freshness freshness-${tone}`} data-testid="catalog-freshness" role="note">
      <p className="freshness-title">
        Catalog data is {formatAge(ageSeconds)} old
        <span className="freshness-sub">
          {' '}
          — newest bundle created{' '}
          <time dateTime={newest} title={formatUtcTime(newest)}>
            {formatLocalTime(newest)}
          </time>
        </span>
      </p>
      <p>
        {tone === 'ok'
          ? 'Patches published since then are not known here.'
          : 'Patches published since then are not known here: bring in a newer bundle from the publisher.'}{' '}
        Host counts cover {scannedHosts.toLocaleString()} scanned{' '}
        {scannedHosts === 1 ? 'host' : 'hosts'}
        {unscannedHosts > 0 &&
          `; ${unscannedHosts.toLocaleString()} never scanned ${unscannedHosts === 1 ? 'is' : 'are'} not counted`}
        .
      </p>
    </div>
  );
}

/** Every patch of every imported bundle, with filters and where each one is missing. */
export function CatalogPage() {
  const navigate = useNavigate();
  const store = useCatalogStore();
  const isFiltered = useCatalogStore(selectIsFiltered);
  const { load, loadMore } = store;
  const [filtersKey, setFiltersKey] = useState(0);

  useEffect(() => {
    void load();
    return api.on('bundles.importProgress', (event) => {
      if (event.phase === 'done') void load();
    });
  }, [load]);

  const onFilterChange = useCallback((filter: CatalogFilter) => void load(filter), [load]);
  const onLoadMore = useCallback(() => void loadMore(), [loadMore]);
  const onOpen = useCallback(
    (patchId: string) => void navigate(`/patches/${encodeURIComponent(patchId)}`),
    [navigate],
  );
  const showAll = () => {
    setFiltersKey((k) => k + 1);
    void load({});
  };

  const empty = store.status === 'ready' && store.catalogSize === 0;

  return (
    <div className="page page-fill catalog-page">
      <header className="page-header">
        <div>
          <h1>Patches</h1>
          <p className="page-lead">
            Every patch of every imported bundle: how severe, which CVEs, what replaces it, and on
            which scanned hosts it is missing.
          </p>
        </div>
        <div className="header-actions">
          <Link className="btn btn-secondary" to="/bundles">
            Bundles
          </Link>
        </div>
      </header>

      {store.freshness && <FreshnessBanner freshness={store.freshness} />}

      {!empty && (
        <>
          <CatalogFilters key={filtersKey} filter={store.filter} onChange={onFilterChange} />
          <p className="table-summary" aria-live="polite">
            {store.status === 'ready' &&
              `${store.total.toLocaleString()} of ${store.catalogSize.toLocaleString()} patches${
                isFiltered ? ' match' : ''
              }, highest severity first, then most hosts missing.`}
          </p>
        </>
      )}

      <div className="catalog-main">
        {(store.status === 'idle' ||
          (store.status === 'loading' && store.patches.length === 0)) && (
          <LoadingState label="Loading the patch catalog…" />
        )}
        {store.status === 'error' && (
          <EmptyState
            title="The patch catalog could not be loaded"
            actions={
              <Button variant="primary" onClick={() => void load()}>
                Try again
              </Button>
            }
          >
            <p>The reason is shown in the notification.</p>
          </EmptyState>
        )}
        {empty && (
          <EmptyState
            title="No patches yet"
            actions={
              <Link className="btn btn-primary" to="/bundles">
                Go to Bundles
              </Link>
            }
          >
            <p>Patches come from signed bundles. Import one under Bundles to fill the catalog.</p>
          </EmptyState>
        )}
        {store.status === 'ready' && !empty && store.patches.length === 0 && (
          <EmptyState
            title="No patches match these filters"
            actions={<Button onClick={showAll}>Show all patches</Button>}
          >
            <p>Clear a filter or change the search to see more.</p>
          </EmptyState>
        )}
        {store.patches.length > 0 && store.status !== 'error' && (
          <CatalogTable
            patches={store.patches}
            total={store.total}
            loadingMore={store.loadingMore}
            onLoadMore={onLoadMore}
            onOpen={onOpen}
          />
        )}
      </div>
    </div>
  );
}
