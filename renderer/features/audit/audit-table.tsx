import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { KeyboardEvent } from 'react';

import type { AuditRecord } from '../../../shared/domain/schemas';
import { HeaderRows, LoadingMore, RowCells, useVirtualRows } from '../../components/virtual-table';
import { cx, formatLocalTime, formatUtcTime } from '../../lib/format';

import { OutcomeBadge } from './outcome-badge';

const ROW_HEIGHT = 34;

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
  // TanStack Table returns fresh functions each render by design; the React Compiler rule cannot
  // memoise them, and it does not need to here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: records,
    columns: COLUMNS,
    getCoreRowModel: getCoreRowModel(),
  });
  const rows = table.getRowModel().rows;
  const nav = useVirtualRows({
    count: rows.length,
    rowHeight: ROW_HEIGHT,
    hasMore,
    loadingMore,
    onLoadMore,
  });

  const onRowKeyDown = (event: KeyboardEvent<HTMLDivElement>, index: number, seq: number) => {
    if (nav.navigate(event, index)) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(seq);
    }
  };

  return (
    <div
      className="virtual-table audit-table"
      role="table"
      aria-label="Audit records"
      aria-rowcount={total + 1}
      data-testid="audit-table"
    >
      <div role="rowgroup" className="virtual-table-head audit-head">
        <HeaderRows table={table} gridClassName="virtual-table-grid audit-grid" />
      </div>
      <div ref={nav.scrollRef} className="virtual-table-scroll audit-scroll" role="rowgroup">
        <div className="virtual-table-canvas audit-canvas" style={{ height: nav.totalSize }}>
          {nav.items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const seq = row.original.seq;
            return (
              <div
                key={row.id}
                {...nav.rowProps(item, () => onOpen(seq))}
                aria-selected={seq === selectedSeq}
                className={cx(
                  'virtual-table-grid',
                  'virtual-table-row',
                  'audit-grid',
                  'audit-row',
                  seq === selectedSeq && 'is-selected',
                )}
                onKeyDown={(event) => onRowKeyDown(event, item.index, seq)}
              >
                <RowCells row={row} />
              </div>
            );
          })}
        </div>
        {loadingMore && (
          <LoadingMore label="Loading older records…" className="audit-loading-more" />
        )}
      </div>
    </div>
  );
}
