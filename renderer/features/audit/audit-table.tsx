import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

import type { AuditRecord } from '../../../shared/domain/schemas';
import { cx, formatLocalTime, formatUtcTime } from '../../lib/format';

import { OutcomeBadge } from './outcome-badge';

const ROW_HEIGHT = 34;
/** Start fetching the next page this many rows before the end is on screen. */
const PREFETCH_ROWS = 60;

const column = createColumnHelper<AuditRecord>();

const COLUMNS = [
  column.accessor('seq', { header: '#', cell: (c) => c.getValue() }),
  column.accessor('at', {
    header: 'Time',
    cell: (c) => (
      <time dateTime={c.getValue()} title={formatUtcTime(c.getValue())}>
        {formatLocalTime(c.getValue())}
      </time>
    ),
  }),
  column.accessor('operatorName', { header: 'Operator', cell: (c) => c.getValue() }),
  column.accessor('op', { header: 'Operation', cell: (c) => <code>{c.getValue()}</code> }),
  column.accessor('outcome', {
    header: 'Outcome',
    cell: (c) => <OutcomeBadge outcome={c.getValue()} />,
  }),
  column.accessor('summary', {
    header: 'Summary',
    cell: (c) => <span title={c.getValue()}>{c.getValue()}</span>,
  }),
];

/** Props of AuditTable. */
export type AuditTableProps = {
  records: AuditRecord[];
  total: number;
  hasMore: boolean;
  loadingMore: boolean;
  selectedSeq: number | undefined;
  onLoadMore: () => void;
  onOpen: (seq: number) => void;
};

/**
 * The audit log as a virtualised table: only the rows on screen exist in the DOM, so 100,000
 * records scroll as smoothly as 100. Older pages load as the end comes into view.
 *
 * Keyboard: Tab reaches the table once; arrows, Page Up/Down, Home and End move between rows;
 * Enter opens the record.
 */
export function AuditTable({
  records,
  total,
  hasMore,
  loadingMore,
  selectedSeq,
  onLoadMore,
  onOpen,
}: AuditTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [activeIndex, setActiveIndex] = useState(0);
  const focusPending = useRef(false);

  // TanStack Table and Virtual return fresh functions each render by design; the React Compiler
  // rule cannot memoise them, and it does not need to here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: records,
    columns: COLUMNS,
    getCoreRowModel: getCoreRowModel(),
  });
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items[items.length - 1]?.index ?? -1;

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

  const onRowKeyDown = (event: KeyboardEvent<HTMLDivElement>, index: number, seq: number) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
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
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(seq);
    }
  };

  return (
    <div
      className="audit-table"
      role="table"
      aria-label="Audit records"
      aria-rowcount={total + 1}
      data-testid="audit-table"
    >
      <div role="rowgroup" className="audit-head">
        {table.getHeaderGroups().map((group) => (
          <div role="row" aria-rowindex={1} className="audit-grid" key={group.id}>
            {group.headers.map((header) => (
              <div role="columnheader" key={header.id} className={`col-${header.column.id}`}>
                {flexRender(header.column.columnDef.header, header.getContext())}
              </div>
            ))}
          </div>
        ))}
      </div>
      <div ref={scrollRef} className="audit-scroll" role="rowgroup">
        <div className="audit-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const seq = row.original.seq;
            return (
              <div
                key={row.id}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={seq === selectedSeq}
                data-index={item.index}
                tabIndex={item.index === clampedActive ? 0 : -1}
                className={cx('audit-grid', 'audit-row', seq === selectedSeq && 'is-selected')}
                style={{ transform: `translateY(${item.start}px)` }}
                onClick={() => {
                  setActiveIndex(item.index);
                  onOpen(seq);
                }}
                onFocus={() => setActiveIndex(item.index)}
                onKeyDown={(event) => onRowKeyDown(event, item.index, seq)}
              >
                {row.getVisibleCells().map((cell) => (
                  <div role="cell" key={cell.id} className={`col-${cell.column.id}`}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
        {loadingMore && (
          <div className="audit-loading-more" role="status">
            <span className="spinner" aria-hidden="true" />
            Loading older records…
          </div>
        )}
      </div>
    </div>
  );
}
