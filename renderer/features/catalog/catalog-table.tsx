import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';

import type { CatalogEntry } from '../../../shared/api/ops/catalog';
import { Badge } from '../../components/badge';
import { cx } from '../../lib/format';

import { PATCH_OS_LABELS } from './catalog-filters';
import { KevBadge, SeverityBadge } from './severity-badge';

const ROW_HEIGHT = 38;
const HEADER_HEIGHT = 34;
/** Start fetching the next page this many rows before the end is on screen. */
const PREFETCH_ROWS = 60;

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
  const scrollRef = useRef<HTMLDivElement>(null);
  const [activeIndex, setActiveIndex] = useState(0);
  const focusPending = useRef(false);

  // TanStack Table and Virtual return fresh functions each render by design; the React Compiler
  // rule cannot memoise them, and it does not need to here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: patches,
    columns: COLUMNS,
    getRowId: (row) => row.patchId,
    getCoreRowModel: getCoreRowModel(),
  });
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
    scrollMargin: HEADER_HEIGHT,
    initialRect: { width: 1200, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items[items.length - 1]?.index ?? -1;
  const hasMore = patches.length < total;

  useEffect(() => {
    if (hasMore && !loadingMore && lastVisible >= rows.length - PREFETCH_ROWS) onLoadMore();
  }, [hasMore, loadingMore, lastVisible, rows.length, onLoadMore]);

  const clampedActive = Math.min(activeIndex, Math.max(rows.length - 1, 0));

  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${clampedActive}"]`);
    if (row) {
      row.focus();
      focusPending.current = false;
    }
  });

  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(index, rows.length - 1));
    setActiveIndex(next);
    focusPending.current = true;
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onRowKeyDown = (event: KeyboardEvent<HTMLDivElement>, index: number, patchId: string) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / ROW_HEIGHT) - 2);
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: rows.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      moveTo(target);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      onOpen(patchId);
    }
  };

  return (
    <div
      className="catalog-table"
      role="table"
      aria-label="Patches"
      aria-rowcount={total + 1}
      data-testid="catalog-table"
    >
      <div ref={scrollRef} className="catalog-scroll">
        <div role="rowgroup" className="catalog-head">
          {table.getHeaderGroups().map((group) => (
            <div role="row" aria-rowindex={1} className="catalog-grid" key={group.id}>
              {group.headers.map((header) => (
                <div role="columnheader" key={header.id} className={`col-${header.column.id}`}>
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </div>
              ))}
            </div>
          ))}
        </div>
        <div
          role="rowgroup"
          className="catalog-canvas"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const patch = row.original;
            return (
              <div
                key={row.id}
                role="row"
                aria-rowindex={item.index + 2}
                data-index={item.index}
                data-patch-id={patch.patchId}
                tabIndex={item.index === clampedActive ? 0 : -1}
                className={cx(
                  'catalog-grid',
                  'catalog-row',
                  patch.supersededBy.length > 0 && 'is-superseded',
                )}
                style={{ transform: `translateY(${item.start - HEADER_HEIGHT}px)` }}
                onClick={() => {
                  setActiveIndex(item.index);
                  onOpen(patch.patchId);
                }}
                onFocus={(event) => {
                  if (event.target === event.currentTarget) setActiveIndex(item.index);
                }}
                onKeyDown={(event) => onRowKeyDown(event, item.index, patch.patchId)}
              >
                {row.getVisibleCells().map((cell) =>
                  cell.column.id === 'patchId' ? (
                    <div role="rowheader" key={cell.id} className="col-patchId">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </div>
                  ) : (
                    <div role="cell" key={cell.id} className={`col-${cell.column.id}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </div>
                  ),
                )}
              </div>
            );
          })}
        </div>
      </div>
      {loadingMore && (
        <div className="table-loading-more" role="status">
          <span className="spinner" aria-hidden="true" />
          Loading more patches…
        </div>
      )}
    </div>
  );
}
