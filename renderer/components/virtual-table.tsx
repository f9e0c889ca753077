import { flexRender, type Row, type Table } from '@tanstack/react-table';
import { useVirtualizer, type VirtualItem } from '@tanstack/react-virtual';
import {
  useEffect,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type RefObject,
} from 'react';

import { cx } from '../lib/format';

/** Start fetching the next page this many rows before the end is on screen. */
const PREFETCH_ROWS = 60;

/** Options of useVirtualRows. */
export type VirtualRowsOptions = {
  /** Rows loaded so far. */
  count: number;
  /** Height of one row in pixels, as the stylesheet draws it. */
  rowHeight: number;
  /**
   * Height of a sticky header that scrolls inside the same element as the rows; 0 (the default)
   * when the header sits outside the scrolling element.
   */
  headerHeight?: number;
  /** More rows exist on the server than are loaded. */
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
};

/** The attributes every virtual row carries: position, place in the Tab order, click to open. */
export type VirtualRowProps = {
  role: 'row';
  'aria-rowindex': number;
  'data-index': number;
  tabIndex: 0 | -1;
  style: { transform: string };
  onClick: () => void;
  onFocus: (event: FocusEvent<HTMLElement>) => void;
};

/** What useVirtualRows gives a table to draw and steer its rows. */
export type VirtualRows = {
  /** The element that scrolls: attach it to the table's scrolling container. */
  scrollRef: RefObject<HTMLDivElement | null>;
  /** The rows to draw now, with their positions. */
  items: VirtualItem[];
  /** Height of all rows together, for the canvas that holds them. */
  totalSize: number;
  /** The row that takes Tab focus (roving tabindex), kept within the loaded rows. */
  activeIndex: number;
  /**
   * The attributes of a drawn row (ARIA row index counting the header row, position, roving
   * tabindex); a click makes it the active row and opens it.
   */
  rowProps: (item: VirtualItem, onOpen: () => void) => VirtualRowProps;
  /**
   * Handles arrows, Page Up/Down, Home and End on a row: moves focus there and scrolls it into
   * view. Returns false for any other key, which the table handles itself.
   */
  navigate: (event: KeyboardEvent<HTMLElement>, index: number) => boolean;
};

/**
 * Virtual rows for a table that may hold tens of thousands of rows: only those on screen exist in
 * the DOM, the next page is asked for as the end comes into view, and the keyboard moves between
 * rows with one of them in the Tab order at a time.
 */
export function useVirtualRows({
  count,
  rowHeight,
  headerHeight = 0,
  hasMore,
  loadingMore,
  onLoadMore,
}: VirtualRowsOptions): VirtualRows {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [activeIndex, setActiveIndex] = useState(0);
  const focusPending = useRef(false);

  // TanStack Virtual returns fresh functions each render by design; the React Compiler rule
  // cannot memoise them, and it does not need to here.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 15,
    scrollMargin: headerHeight,
    initialRect: { width: 1200, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastVisible >= count - PREFETCH_ROWS) onLoadMore();
  }, [hasMore, loadingMore, lastVisible, count, onLoadMore]);

  const clampedActive = Math.min(activeIndex, Math.max(count - 1, 0));

  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${clampedActive}"]`);
    if (row) {
      row.focus();
      focusPending.current = false;
    }
  });

  const navigate = (event: KeyboardEvent<HTMLElement>, index: number): boolean => {
    // A page keeps one row of context; a sticky header inside the scroller hides one more.
    const rowsShown = Math.floor((scrollRef.current?.clientHeight ?? 600) / rowHeight);
    const page = Math.max(1, rowsShown - (headerHeight > 0 ? 2 : 1));
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + page,
      PageUp: index - page,
      Home: 0,
      End: count - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return false;
    event.preventDefault();
    const next = Math.max(0, Math.min(target, count - 1));
    setActiveIndex(next);
    focusPending.current = true;
    virtualizer.scrollToIndex(next, { align: 'auto' });
    return true;
  };

  return {
    scrollRef,
    items,
    totalSize: virtualizer.getTotalSize(),
    activeIndex: clampedActive,
    rowProps: (item, onOpen) => ({
      role: 'row',
      'aria-rowindex': item.index + 2,
      'data-index': item.index,
      tabIndex: item.index === clampedActive ? 0 : -1,
      style: { transform: `translateY(${item.start - headerHeight}px)` },
      onClick: () => {
        setActiveIndex(item.index);
        onOpen();
      },
      onFocus: (event) => {
        if (event.target === event.currentTarget) setActiveIndex(item.index);
      },
    }),
    navigate,
  };
}

/** A sort order on one key of a list. */
export type SortOrder<K extends string> = { key: K; direction: 'asc' | 'desc' };

/** Props of SortHeader. */
export type SortHeaderProps<K extends string> = {
  /** Column id: the header's class is `col-<id>`. */
  id: string;
  label: string;
  /** The key this column sorts by; without one the header is plain text. */
  sortKey?: K | undefined;
  sort: SortOrder<K>;
  onSort: (sort: SortOrder<K>) => void;
};

/**
 * A column header that sorts: a button that switches ascending/descending, with `aria-sort` on
 * the header so screen readers announce the order.
 */
export function SortHeader<K extends string>({
  id,
  label,
  sortKey,
  sort,
  onSort,
}: SortHeaderProps<K>) {
  if (!sortKey) {
    return (
      <div role="columnheader" className={`col-${id}`}>
        {label}
      </div>
    );
  }
  const active = sort.key === sortKey;
  const next: SortOrder<K> = {
    key: sortKey,
    direction: active && sort.direction === 'asc' ? 'desc' : 'asc',
  };
  return (
    <div
      role="columnheader"
      className={`col-${id}`}
      aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button type="button" className="sort-btn" onClick={() => onSort(next)}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </div>
  );
}

/** Props of HeaderRows. */
export type HeaderRowsProps<T> = {
  table: Table<T>;
  /** Class of the grid each header row is laid out on. */
  gridClassName: string;
};

/** The column headers of a TanStack table, as ARIA rows of `col-<id>` headers. */
export function HeaderRows<T>({ table, gridClassName }: HeaderRowsProps<T>) {
  return table.getHeaderGroups().map((group) => (
    <div role="row" aria-rowindex={1} className={gridClassName} key={group.id}>
      {group.headers.map((header) => (
        <div role="columnheader" key={header.id} className={`col-${header.column.id}`}>
          {flexRender(header.column.columnDef.header, header.getContext())}
        </div>
      ))}
    </div>
  ));
}

/** Props of RowCells. */
export type RowCellsProps<T> = {
  row: Row<T>;
  /** The column that names the row; its cell is a row header. */
  rowHeaderId?: string;
};

/** The visible cells of one TanStack row, each in a `col-<id>` cell. */
export function RowCells<T>({ row, rowHeaderId }: RowCellsProps<T>) {
  return row.getVisibleCells().map((cell) => (
    <div
      role={cell.column.id === rowHeaderId ? 'rowheader' : 'cell'}
      key={cell.id}
      className={`col-${cell.column.id}`}
    >
      {flexRender(cell.column.columnDef.cell, cell.getContext())}
    </div>
  ));
}

/** Props of LoadingMore. */
export type LoadingMoreProps = { label: string; className?: string };

/** The line under a table while its next page loads, announced to screen readers. */
export function LoadingMore({ label, className }: LoadingMoreProps) {
  return (
    <div className={cx('table-loading-more', className)} role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
