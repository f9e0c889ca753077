import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { KeyboardEvent } from 'react';
import { Link } from 'react-router';

import type { CatalogEntry } from '../../../shared/api/ops/catalog';
import { Badge } from '../../components/badge';
import { HeaderRows, LoadingMore, RowCells, useVirtualRows } from '../../components/virtual-table';
import { cx } from '../../lib/format';

import { PATCH_OS_LABELS } from './catalog-filters';
import { KevBadge, SeverityBadge } from './severity-badge';

const ROW_HEIGHT = 38;
const HEADER_HEIGHT = 34;

const column = createColumnHelper<CatalogEntry>();

const COLUMNS = [
  column.accessor('patchId', {
    header: 'Patch',
    cell: (c) => (
      <Link
        to={`/patches/${encodeURIComponent(c.getValue())}`}
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        title={c.getValue()}
      >
        {c.getValue()}
      </Link>
    ),
  }),
  column.accessor('title', {
    header: 'Title',
    cell: (c) => <span title={c.getValue()}>{c.getValue()}</span>,
  }),
  column.accessor('severity', {
    header: 'Severity',
    cell: (c) => <SeverityBadge severity={c.getValue()} />,
  }),
  column.accessor('cvssScore', {
    header: 'CVSS',
    cell: (c) => {
      const score = c.getValue();
      return score === null ? <span className="muted">—</span> : score.toFixed(1);
    },
  }),
  column.accessor('cves', {
    header: 'CVEs',
    cell: (c) => {
      const cves = c.getValue();
      if (cves.length === 0) return <span className="muted">—</span>;
      return (
        <span title={cves.join(', ')}>
          {cves[0]}
          {cves.length > 1 && <span className="muted"> +{cves.length - 1}</span>}
        </span>
      );
    },
  }),
  column.accessor('knownExploited', {
    header: 'KEV',
    cell: (c) => <KevBadge knownExploited={c.getValue()} />,
  }),
  column.display({
    id: 'os',
    header: 'Applies to',
    cell: (c) => {
      const os = c.row.original.os;
      const text = `${PATCH_OS_LABELS[os.family]} ${os.releases.join(', ')}`.trim();
      return <span title={text}>{text}</span>;
    },
  }),
  column.accessor('releasedAt', {
    header: 'Released',
    cell: (c) => c.getValue().slice(0, 10),
  }),
  column.display({
    id: 'missing',
    header: 'Missing on',
    cell: (c) => {
      const n = c.row.original.hosts.missing;
      return n > 0 ? (
        <strong className="missing-count">
          {n.toLocaleString()} {n === 1 ? 'host' : 'hosts'}
        </strong>
      ) : (
        <span className="muted">0</span>
      );
    },
  }),
  column.display({
    id: 'status',
    header: 'Status',
    cell: (c) => {
      const by = c.row.original.supersededBy;
      return by.length > 0 ? (
        <span title={`Superseded by ${by.join(' → ')}`}>
          <Badge tone="neutral">Superseded</Badge> <span className="muted">by {by[0]}</span>
        </span>
      ) : (
        <Badge tone="info">Current</Badge>
      );
    },
  }),
];

/** Props of CatalogTable. */
export type CatalogTableProps = {
  patches: CatalogEntry[];
  total: number;
  loadingMore: boolean;
  onLoadMore: () => void;
  onOpen: (patchId: string) => void;
};

/**
 * The catalog as a virtualised table: only the rows on screen exist in the DOM. The next page
 * loads as the end comes into view.
 *
 * Keyboard: Tab reaches the table once; arrows, Page Up/Down, Home and End move between rows;
 * Enter opens the patch.
 */
export function CatalogTable({
  patches,
  total,
  loadingMore,
  onLoadMore,
  onOpen,
}: CatalogTableProps) {
  // TanStack Table returns fresh functions each render by design; the React Compiler rule cannot
  // memoise them, and it does not need to here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: patches,
    columns: COLUMNS,
    getRowId: (row) => row.patchId,
    getCoreRowModel: getCoreRowModel(),
  });
  const rows = table.getRowModel().rows;
  const nav = useVirtualRows({
    count: rows.length,
    rowHeight: ROW_HEIGHT,
    headerHeight: HEADER_HEIGHT,
    hasMore: patches.length < total,
    loadingMore,
    onLoadMore,
  });

  const onRowKeyDown = (event: KeyboardEvent<HTMLDivElement>, index: number, patchId: string) => {
    if (nav.navigate(event, index)) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      onOpen(patchId);
    }
  };

  return (
    <div
      className="virtual-table catalog-table"
      role="table"
      aria-label="Patches"
      aria-rowcount={total + 1}
      data-testid="catalog-table"
    >
      <div ref={nav.scrollRef} className="virtual-table-scroll catalog-scroll">
        <div role="rowgroup" className="virtual-table-head catalog-head">
          <HeaderRows table={table} gridClassName="virtual-table-grid catalog-grid" />
        </div>
        <div
          role="rowgroup"
          className="virtual-table-canvas catalog-canvas"
          style={{ height: nav.totalSize }}
        >
          {nav.items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const patch = row.original;
            return (
              <div
                key={row.id}
                {...nav.rowProps(item, () => onOpen(patch.patchId))}
                data-patch-id={patch.patchId}
                className={cx(
                  'virtual-table-grid',
                  'virtual-table-row',
                  'catalog-grid',
                  'catalog-row',
                  patch.supersededBy.length > 0 && 'is-superseded',
                )}
                onKeyDown={(event) => onRowKeyDown(event, item.index, patch.patchId)}
              >
                <RowCells row={row} rowHeaderId="patchId" />
              </div>
            );
          })}
        </div>
      </div>
      {loadingMore && <LoadingMore label="Loading more patches…" />}
    </div>
  );
}
