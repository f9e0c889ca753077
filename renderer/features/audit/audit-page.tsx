import { useCallback, useEffect, useMemo, useState } from 'react';

import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { can } from '../../lib/permissions';
import { useSessionStore } from '../auth/session.store';

import { AuditDetailPanel } from './audit-detail-panel';
import { AuditFilters } from './audit-filters';
import { AuditTable } from './audit-table';
import { selectHasMore, selectIsFiltered, useAuditStore } from './audit.store';
import { VerifyBanner } from './verify-banner';

/** The hash-chained audit log: browse, filter, inspect a record, verify the chain. */
export function AuditPage() {
  const operator = useSessionStore((s) => s.operator);
  const store = useAuditStore();
  const hasMore = useAuditStore(selectHasMore);
  const isFiltered = useAuditStore(selectIsFiltered);
  const { load, loadMore, refreshNewest, verify, openDetail, closeDetail } = store;

  useEffect(() => {
    void load();
    return api.on('audit.appended', () => void refreshNewest());
  }, [load, refreshNewest]);

  const operators = useMemo(
    () =>
      Object.entries(store.knownOperators)
        .map(([id, name]) => ({ id, name }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [store.knownOperators],
  );

  const onFilterChange = useCallback(
    (filter: Parameters<typeof load>[0]) => {
      closeDetail();
      void load(filter);
    },
    [load, closeDetail],
  );

  const onLoadMore = useCallback(() => void loadMore(), [loadMore]);
  const onOpen = useCallback((seq: number) => void openDetail(seq), [openDetail]);
  const closeAndRefocus = useCallback(() => {
    const seq = useAuditStore.getState().detailSeq;
    closeDetail();
    if (seq !== undefined) {
      document
        .querySelector<HTMLElement>('.audit-row.is-selected, .audit-row[tabindex="0"]')
        ?.focus();
    }
  }, [closeDetail]);

  const [filtersKey, setFiltersKey] = useState(0);
  const showAll = () => {
    setFiltersKey((k) => k + 1);
    onFilterChange({});
  };

  const canVerify = can(operator, 'audit.verify');

  return (
    <div className="page page-fill">
      <header className="page-header">
        <div>
          <h1>Audit</h1>
          <p className="page-lead">
            Every action in this workspace — who, when, what and how it ended — chained by hash so
            that any change to the record shows.
          </p>
        </div>
        {canVerify && (
          <Button
            variant="primary"
            busy={store.verifying}
            busyLabel="Verifying chain…"
            onClick={() => void verify()}
          >
            Verify chain
          </Button>
        )}
      </header>

      {store.verification && (
        <VerifyBanner
          verification={store.verification}
          newestSeq={isFiltered ? undefined : store.records[0]?.seq}
        />
      )}

      <AuditFilters
        key={filtersKey}
        filter={store.filter}
        operators={operators}
        onChange={onFilterChange}
      />

      {store.status === 'ready' && store.records.length > 0 && (
        <p className="table-summary" aria-live="polite">
          Showing {store.records.length.toLocaleString()} of {store.total.toLocaleString()}{' '}
          {isFiltered ? 'matching records' : 'records'}, newest first. Select a row for its details.
        </p>
      )}

      <div className="audit-body">
        <div className="audit-main">
          {(store.status === 'loading' || store.status === 'idle') && (
            <LoadingState label="Loading the audit log…" />
          )}
          {store.status === 'error' && (
            <EmptyState
              title="The audit log could not be loaded"
              actions={
                <Button variant="primary" onClick={() => void load()}>
                  Try again
                </Button>
              }
            >
              <p>The reason is shown in the notification. Nothing in the log was changed.</p>
            </EmptyState>
          )}
          {store.status === 'ready' && store.records.length === 0 && (
            <EmptyState
              title={isFiltered ? 'No records match these filters' : 'No audit records yet'}
              actions={isFiltered ? <Button onClick={showAll}>Show all records</Button> : undefined}
            >
              <p>
                {isFiltered
                  ? 'Widen the date range or clear a filter to see more.'
                  : 'Records appear here as operators log in and make changes.'}
              </p>
            </EmptyState>
          )}
          {store.status === 'ready' && store.records.length > 0 && (
            <AuditTable
              records={store.records}
              total={store.total}
              hasMore={hasMore}
              loadingMore={store.loadingMore}
              selectedSeq={store.detailSeq}
              onLoadMore={onLoadMore}
              onOpen={onOpen}
            />
          )}
        </div>
        {store.detailSeq !== undefined && (
          <AuditDetailPanel seq={store.detailSeq} record={store.detail} onClose={closeAndRefocus} />
        )}
      </div>
    </div>
  );
}
