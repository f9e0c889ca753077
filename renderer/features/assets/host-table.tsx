import {
  createColumnHelper,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type VisibilityState,
} from '@tanstack/react-table';
import type { KeyboardEvent } from 'react';
import { Link } from 'react-router';

import type { HostSummary } from '../../../shared/domain/assets';
import { Badge } from '../../components/badge';
import { LoadingMore, RowCells, SortHeader, useVirtualRows } from '../../components/virtual-table';
import { cx } from '../../lib/format';

import { EolBadge, HostKeyBadge, ScanBadge, TierBadge } from './asset-badges';
import type { HostSort } from './assets.store';
import { HOST_COLUMNS, type ColumnChoice, type HostColumnId } from './host-columns';

const ROW_HEIGHT = 36;
const HEADER_HEIGHT = 34;

const column = createColumnHelper<HostSummary>();

const ENV_LABELS: Readonly<Record<HostSummary['environment'], string>> = {
  production: 'Production',
  staging: 'Staging',
  test: 'Test',
  development: 'Development',
};

function osText(h: HostSummary): string {
  if (!h.osName) return '';
  return h.osVersion && !h.osName.includes(h.osVersion) ? `${h.osName} ${h.osVersion}` : h.osName;
}

const OPTIONAL_CELLS: Readonly<Record<HostColumnId, ColumnDef<HostSummary, unknown>>> = {
  address: column.display({
    id: 'address',
    cell: (c) => (
      <code>
        {c.row.original.address}
        {c.row.original.port === 22 ? '' : `:${c.row.original.port}`}
      </code>
    ),
  }),
  tier: column.display({
    id: 'tier',
    cell: (c) => <TierBadge tier={c.row.original.tier} focusable={false} />,
  }),
  environment: column.display({
    id: 'environment',
    cell: (c) => ENV_LABELS[c.row.original.environment],
  }),
  os: column.display({
    id: 'os',
    cell: (c) => {
      const text = osText(c.row.original);
      return text ? <span title={text}>{text}</span> : <span className="muted">Not scanned</span>;
    },
  }),
  eol: column.display({ id: 'eol', cell: (c) => <EolBadge eol={c.row.original.eol} /> }),
  hostKey: column.display({
    id: 'hostKey',
    cell: (c) => <HostKeyBadge state={c.row.original.hostKey} />,
  }),
  lastScan: column.display({
    id: 'lastScan',
    cell: (c) => (
      <ScanBadge lastScan={c.row.original.lastScan} lastScanAt={c.row.original.lastScanAt} />
    ),
  }),
  packages: column.display({
    id: 'packages',
    cell: (c) =>
      c.row.original.packageCount === null ? (
        <span className="muted">—</span>
      ) : (
        c.row.original.packageCount.toLocaleString()
      ),
  }),
  owner: column.display({ id: 'owner', cell: (c) => c.row.original.owner }),
  businessService: column.display({
    id: 'businessService',
    cell: (c) => c.row.original.businessService,
  }),
  networkZone: column.display({ id: 'networkZone', cell: (c) => c.row.original.networkZone }),
  reboot: column.display({
    id: 'reboot',
    cell: (c) =>
      c.row.original.rebootRequired ? (
        <Badge tone="warn">Needed</Badge>
      ) : (
        <span className="muted">{c.row.original.rebootRequired === false ? 'No' : '—'}</span>
      ),
  }),
  tags: column.display({
    id: 'tags',
    cell: (c) => {
      const tags = [...c.row.original.regulatoryTags, ...c.row.original.tags];
      return <span title={tags.join(', ')}>{tags.join(', ')}</span>;
    },
  }),
};

/** Props of HostTable. */
export type HostTableProps = {
  hosts: HostSummary[];
  total: number;
  hasMore: boolean;
  loadingMore: boolean;
  columns: ColumnChoice;
  sort: HostSort;
  selected: ReadonlySet<string>;
  /** Selection checkboxes are offered to operators who can act on a selection. */
  selectable: boolean;
  onSort: (sort: HostSort) => void;
  onSelect: (ids: readonly string[], on: boolean) => void;
  onLoadMore: () => void;
  onOpen: (hostId: string) => void;
};

function minWidthOf(track: string): number {
  const match = /(\d+)px/.exec(track);
  return match ? Number(match[1]) : 120;
}

/**
 * The inventory as a virtualised table: only the rows on screen exist in the DOM, so 50,000
 * hosts scroll as smoothly as 50. The next page loads as the end comes into view.
 *
 * Keyboard: Tab reaches the table once; arrows, Page Up/Down, Home and End move between rows;
 * Enter opens the host; Space selects it.
 */
export function HostTable({
  hosts,
  total,
  hasMore,
  loadingMore,
  columns,
  sort,
  selected,
  selectable,
  onSort,
  onSelect,
  onLoadMore,
  onOpen,
}: HostTableProps) {
  const visibleColumns = HOST_COLUMNS.filter((c) => columns[c.id]);
  const columnVisibility: VisibilityState = Object.fromEntries(
    HOST_COLUMNS.map((c) => [c.id, columns[c.id]]),
  );
  const tracks = [
    ...(selectable ? ['40px'] : []),
    'minmax(150px, 1.4fr)',
    ...visibleColumns.map((c) => c.width),
  ];
  const gridStyle = {
    gridTemplateColumns: tracks.join(' '),
    minWidth: tracks.reduce((sum, t) => sum + minWidthOf(t), 0),
  };

  // TanStack Table returns fresh functions each render by design; the React Compiler rule cannot
  // memoise them, and it does not need to here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: hosts,
    columns: [
      column.display({
        id: 'name',
        cell: (c) => (
          <Link
            to={`/assets/${encodeURIComponent(c.row.original.id)}`}
            className="host-name"
            tabIndex={-1}
            onClick={(event) => event.stopPropagation()}
            title={c.row.original.name}
          >
            {c.row.original.name}
          </Link>
        ),
      }),
      ...HOST_COLUMNS.map((c) => OPTIONAL_CELLS[c.id]),
    ],
    state: { columnVisibility },
    getRowId: (row) => row.id,
    getCoreRowModel: getCoreRowModel(),
  });
  const rows = table.getRowModel().rows;
  const nav = useVirtualRows({
    count: rows.length,
    rowHeight: ROW_HEIGHT,
    headerHeight: HEADER_HEIGHT,
    hasMore,
    loadingMore,
    onLoadMore,
  });

  const onRowKeyDown = (event: KeyboardEvent<HTMLDivElement>, index: number, host: HostSummary) => {
    if (event.target !== event.currentTarget) return;
    if (nav.navigate(event, index)) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      onOpen(host.id);
    } else if (event.key === ' ' && selectable) {
      event.preventDefault();
      onSelect([host.id], !selected.has(host.id));
    }
  };

  const loadedSelected = hosts.filter((h) => selected.has(h.id)).length;
  const allLoadedSelected = hosts.length > 0 && loadedSelected === hosts.length;

  return (
    <div
      className="virtual-table host-table"
      role="table"
      aria-label="Hosts"
      aria-rowcount={total + 1}
      aria-multiselectable={selectable || undefined}
      data-testid="host-table"
    >
      <div ref={nav.scrollRef} className="virtual-table-scroll host-scroll">
        <div
          role="rowgroup"
          className="virtual-table-head host-head"
          style={{ minWidth: gridStyle.minWidth }}
        >
          <div
            role="row"
            aria-rowindex={1}
            className="virtual-table-grid host-grid"
            style={gridStyle}
          >
            {selectable && (
              <div role="columnheader" className="col-select">
                <input
                  type="checkbox"
                  aria-label={allLoadedSelected ? 'Clear selection' : 'Select all hosts shown'}
                  checked={allLoadedSelected}
                  ref={(el) => {
                    if (el) el.indeterminate = loadedSelected > 0 && !allLoadedSelected;
                  }}
                  onChange={() =>
                    onSelect(
                      hosts.map((h) => h.id),
                      !allLoadedSelected,
                    )
                  }
                />
              </div>
            )}
            <SortHeader id="name" label="Name" sortKey="name" sort={sort} onSort={onSort} />
            {visibleColumns.map((c) => (
              <SortHeader
                key={c.id}
                id={c.id}
                label={c.label}
                sortKey={c.sortKey}
                sort={sort}
                onSort={onSort}
              />
            ))}
          </div>
        </div>
        <div
          role="rowgroup"
          className="virtual-table-canvas host-canvas"
          style={{ height: nav.totalSize, minWidth: gridStyle.minWidth }}
        >
          {nav.items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const host = row.original;
            const isSelected = selected.has(host.id);
            const rowProps = nav.rowProps(item, () => onOpen(host.id));
            return (
              <div
                key={row.id}
                {...rowProps}
                aria-selected={selectable ? isSelected : undefined}
                data-host-id={host.id}
                className={cx(
                  'virtual-table-grid',
                  'virtual-table-row',
                  'host-grid',
                  'host-row',
                  isSelected && 'is-selected',
                )}
                style={{ ...gridStyle, ...rowProps.style }}
                onKeyDown={(event) => onRowKeyDown(event, item.index, host)}
              >
                {selectable && (
                  <div role="cell" className="col-select" onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox"
                      tabIndex={-1}
                      aria-label={`Select ${host.name}`}
                      checked={isSelected}
                      onChange={(e) => onSelect([host.id], e.target.checked)}
                    />
                  </div>
                )}
                <RowCells row={row} rowHeaderId="name" />
              </div>
            );
          })}
        </div>
      </div>
      {loadingMore && <LoadingMore label="Loading more hosts…" />}
    </div>
  );
}
