import '../../styles/assets.css';

import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';

import type { HostFilter } from '../../../shared/domain/assets';
import { api } from '../../api/api-client';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { can } from '../../lib/permissions';
import { useSessionStore } from '../auth/session.store';

import { AddHostDialog } from './add-host-dialog';
import { AssetsSummary } from './assets-summary';
import { selectHasMore, selectIsFiltered, useAssetsStore, type HostSort } from './assets.store';
import { ColumnChooser } from './column-chooser';
import { readColumns, saveColumns, type ColumnChoice } from './host-columns';
import { HostFilters } from './host-filters';
import { HostKeyReview } from './host-key-dialog';
import { HostTable } from './host-table';
import { ImportWizard } from './import-wizard';
import { KnownHostsDialog } from './known-hosts-dialog';
import { PendingKeys } from './pending-keys';
import { ScanDialog, ScanPanel } from './scan-panel';
import { trackScans } from './scans.store';
import { SetCredentialDialog } from './set-credential-dialog';
import { SshConfigDialog } from './ssh-config-dialog';

type OpenDialog =
  | { kind: 'add' }
  | { kind: 'import' }
  | { kind: 'known-hosts' }
  | { kind: 'ssh-config' }
  | { kind: 'credential'; hostIds: string[] }
  | { kind: 'scan'; hostIds: string[] | undefined; count: number };

/** Reloads at most this often while events stream in (a large scan sends many). */
const REFRESH_DELAY_MS = 400;

/**
 * The wiring every assets screen shares: scan tracking and the live refresh of the host list
 * and pending keys from the core's events.
 */
export function useAssetsLiveUpdates(): void {
  const refresh = useAssetsStore((s) => s.refresh);
  const loadPendingKeys = useAssetsStore((s) => s.loadPendingKeys);
  useEffect(() => {
    trackScans();
    let timer: number | undefined;
    const later = () => {
      if (timer !== undefined) return;
      timer = window.setTimeout(() => {
        timer = undefined;
        void refresh();
      }, REFRESH_DELAY_MS);
    };
    const offs = [
      api.on('hosts.changed', later),
      api.on('scans.finished', later),
      api.on('hostKeys.changed', () => {
        void loadPendingKeys();
        later();
      }),
    ];
    return () => {
      if (timer !== undefined) window.clearTimeout(timer);
      for (const off of offs) off();
    };
  }, [refresh, loadPendingKeys]);
}

/** The host inventory: what there is, what needs attention, and the way to scan it. */
export function AssetsPage() {
  const operator = useSessionStore((s) => s.operator);
  const navigate = useNavigate();
  const store = useAssetsStore();
  const hasMore = useAssetsStore(selectHasMore);
  const isFiltered = useAssetsStore(selectIsFiltered);
  const { load, loadMore, loadPendingKeys, setSelected, clearSelection, selectAllMatching } = store;
  const [columns, setColumns] = useState<ColumnChoice>(() => readColumns());
  const [dialog, setDialog] = useState<OpenDialog>();
  const [filtersKey, setFiltersKey] = useState(0);

  useEffect(() => {
    void load();
    void loadPendingKeys();
  }, [load, loadPendingKeys]);
  useAssetsLiveUpdates();

  const onFilterChange = useCallback((filter: HostFilter) => void load(filter), [load]);
  const onSort = useCallback((sort: HostSort) => void load(undefined, sort), [load]);
  const onLoadMore = useCallback(() => void loadMore(), [loadMore]);
  const onOpen = useCallback(
    (hostId: string) => void navigate(`/assets/${encodeURIComponent(hostId)}`),
    [navigate],
  );
  const showFilter = (filter: HostFilter) => {
    setFiltersKey((k) => k + 1);
    void load(filter);
  };
  const changeColumns = (next: ColumnChoice) => {
    setColumns(next);
    saveColumns(next);
  };

  const canManage = can(operator, 'hosts.manage');
  const canScan = can(operator, 'hosts.scan');
  const canPinKeys = can(operator, 'hostkeys.accept');
  const selectedCount = store.selected.size;
  const inventorySize = store.counts?.all ?? 0;
  const emptyInventory = store.status === 'ready' && inventorySize === 0 && !isFiltered;

  return (
    <div className="page page-fill assets-page">
      <header className="page-header">
        <div>
          <h1>Assets</h1>
          <p className="page-lead">
            The hosts PatchDeck looks after: how critical each one is, what it runs, and whether
            PatchDeck can reach it.
          </p>
        </div>
        <div className="header-actions">
          {canPinKeys && (
            <Button onClick={() => setDialog({ kind: 'known-hosts' })}>Import known_hosts</Button>
          )}
          {canManage && (
            <Button onClick={() => setDialog({ kind: 'ssh-config' })}>Import ssh_config</Button>
          )}
          {canManage && <Button onClick={() => setDialog({ kind: 'import' })}>Import hosts</Button>}
          {canManage && (
            <Button variant="primary" onClick={() => setDialog({ kind: 'add' })}>
              Add host
            </Button>
          )}
        </div>
      </header>

      {store.counts && store.counts.all > 0 && (
        <AssetsSummary counts={store.counts} onShow={showFilter} />
      )}

      <ScanPanel />
      <PendingKeys sightings={store.pendingKeys} />

      {!emptyInventory && (
        <>
          <HostFilters key={filtersKey} filter={store.filter} onChange={onFilterChange} />
          <div className="table-toolbar">
            <p className="table-summary" aria-live="polite">
              {store.status === 'ready' &&
                `${store.total.toLocaleString()} ${isFiltered ? 'matching hosts' : 'hosts'}${
                  store.total > store.hosts.length
                    ? `, ${store.hosts.length.toLocaleString()} loaded`
                    : ''
                }.`}
              {selectedCount > 0 && ` ${selectedCount.toLocaleString()} selected.`}
            </p>
            <div className="toolbar-actions">
              {selectedCount > 0 && (canScan || canManage) && (
                <Button size="small" variant="ghost" onClick={clearSelection}>
                  Clear selection
                </Button>
              )}
              {canManage && selectedCount > 0 && (
                <Button
                  size="small"
                  onClick={() => setDialog({ kind: 'credential', hostIds: [...store.selected] })}
                >
                  Set credential…
                </Button>
              )}
              {canScan && selectedCount > 0 && (
                <>
                  <Button
                    size="small"
                    variant="primary"
                    onClick={() =>
                      setDialog({
                        kind: 'scan',
                        hostIds: [...store.selected],
                        count: selectedCount,
                      })
                    }
                  >
                    Scan selected ({selectedCount.toLocaleString()})
                  </Button>
                </>
              )}
              {(canScan || canManage) && isFiltered && store.total > store.hosts.length && (
                <Button
                  size="small"
                  variant="ghost"
                  busy={store.selecting}
                  busyLabel="Selecting…"
                  onClick={() => void selectAllMatching()}
                >
                  Select all {store.total.toLocaleString()} matching
                </Button>
              )}
              {canScan && (
                <Button
                  size="small"
                  disabled={inventorySize === 0}
                  onClick={() =>
                    setDialog({ kind: 'scan', hostIds: undefined, count: inventorySize })
                  }
                >
                  Scan all
                </Button>
              )}
              <ColumnChooser columns={columns} onChange={changeColumns} />
            </div>
          </div>
        </>
      )}

      <div className="assets-main">
        {(store.status === 'loading' || store.status === 'idle') && (
          <LoadingState label="Loading hosts…" />
        )}
        {store.status === 'error' && (
          <EmptyState
            title="The host list could not be loaded"
            actions={
              <Button variant="primary" onClick={() => void load()}>
                Try again
              </Button>
            }
          >
            <p>The reason is shown in the notification. Nothing in the inventory was changed.</p>
          </EmptyState>
        )}
        {emptyInventory && (
          <EmptyState
            title="No hosts in this workspace yet"
            actions={
              canManage ? (
                <>
                  <Button variant="primary" onClick={() => setDialog({ kind: 'import' })}>
                    Import hosts
                  </Button>
                  <Button onClick={() => setDialog({ kind: 'add' })}>Add host</Button>
                </>
              ) : undefined
            }
          >
            <p>
              Import a CMDB export or an Nmap scan, or add hosts one by one. Then scan them: on
              first contact PatchDeck shows each host's SSH key fingerprint for you to check.
            </p>
            {!canManage && <p>Ask a technician or an administrator to add hosts.</p>}
          </EmptyState>
        )}
        {store.status === 'ready' && !emptyInventory && store.hosts.length === 0 && (
          <EmptyState
            title="No hosts match these filters"
            actions={<Button onClick={() => showFilter({})}>Show all hosts</Button>}
          >
            <p>Clear a filter or change the search to see more.</p>
          </EmptyState>
        )}
        {store.status === 'ready' && store.hosts.length > 0 && (
          <HostTable
            hosts={store.hosts}
            total={store.total}
            hasMore={hasMore}
            loadingMore={store.loadingMore}
            columns={columns}
            sort={store.sort}
            selected={store.selected}
            selectable={canScan || canManage}
            onSort={onSort}
            onSelect={setSelected}
            onLoadMore={onLoadMore}
            onOpen={onOpen}
          />
        )}
      </div>

      <HostKeyReview />

      {dialog?.kind === 'add' && (
        <AddHostDialog onClose={() => setDialog(undefined)} onAdded={() => void load()} />
      )}
      {dialog?.kind === 'import' && <ImportWizard onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'known-hosts' && <KnownHostsDialog onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'ssh-config' && <SshConfigDialog onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'credential' && (
        <SetCredentialDialog hostIds={dialog.hostIds} onClose={() => setDialog(undefined)} />
      )}
      {dialog?.kind === 'scan' && (
        <ScanDialog
          hostIds={dialog.hostIds}
          count={dialog.count}
          onClose={() => setDialog(undefined)}
          onStarted={clearSelection}
        />
      )}
    </div>
  );
}
