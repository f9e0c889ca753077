import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  HeaderRows,
  LoadingMore,
  RowCells,
  SortHeader,
  useVirtualRows,
  type SortOrder,
} from '../../../../renderer/components/virtual-table';

type Item = { id: string; name: string; size: number };
type Key = 'name' | 'size';

const column = createColumnHelper<Item>();
const COLUMNS = [
  column.accessor('name', { header: 'Name', cell: (c) => c.getValue() }),
  column.accessor('size', { header: 'Size', cell: (c) => c.getValue() }),
];
const ROW_HEIGHT = 30;
const SCROLL_HEIGHT = 600;

const items = (n: number): Item[] =>
  Array.from({ length: n }, (_, i) => ({ id: `item-${i}`, name: `Item ${i}`, size: i * 10 }));

type HarnessProps = {
  data: Item[];
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  onOpen?: (id: string) => void;
};

/** A table built the way the screens build theirs. */
function Harness({
  data,
  hasMore = false,
  loadingMore = false,
  onLoadMore = () => undefined,
  onOpen = () => undefined,
}: HarnessProps) {
  const table = useReactTable({
    data,
    columns: COLUMNS,
    getRowId: (row) => row.id,
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
  return (
    <div role="table" aria-label="Items">
      <div role="rowgroup">
        <HeaderRows table={table} gridClassName="virtual-table-grid" />
      </div>
      <div ref={nav.scrollRef} className="virtual-table-scroll" role="rowgroup">
        <div style={{ height: nav.totalSize }}>
          {nav.items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div
                key={row.id}
                {...nav.rowProps(item, () => onOpen(row.id))}
                data-id={row.id}
                onKeyDown={(event) => {
                  if (nav.navigate(event, item.index)) return;
                  if (event.key === 'Enter') onOpen(row.id);
                }}
              >
                <RowCells row={row} rowHeaderId="name" />
              </div>
            );
          })}
        </div>
      </div>
      {loadingMore && <LoadingMore label="Loading more items…" />}
    </div>
  );
}

// happy-dom lays nothing out; the scrolling box gets the height a browser would give it.
let restore: () => void = () => undefined;
beforeAll(() => {
  const original = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight');
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('virtual-table-scroll')
        ? SCROLL_HEIGHT
        : ((original?.get?.call(this) as number | undefined) ?? 0);
    },
  });
  restore = () => {
    delete (HTMLElement.prototype as unknown as Record<string, unknown>)['clientHeight'];
  };
});
afterAll(() => restore());

const dataRows = () => screen.getAllByRole('row').filter((r) => r.hasAttribute('data-id'));
const focusedId = () => document.activeElement?.getAttribute('data-id');

describe('useVirtualRows with HeaderRows and RowCells', () => {
  it('draws only the rows on screen, with headers and row headers in place', () => {
    render(<Harness data={items(5_000)} />);
    const shown = dataRows();
    // 600 px of 30 px rows plus the overscan: a few dozen rows, not 5,000.
    expect(shown.length).toBeGreaterThanOrEqual(SCROLL_HEIGHT / ROW_HEIGHT);
    expect(shown.length).toBeLessThan(60);
    expect(screen.getAllByRole('columnheader').map((h) => h.className)).toEqual([
      'col-name',
      'col-size',
    ]);
    const first = shown[0];
    expect(first && within(first).getByRole('rowheader').textContent).toBe('Item 0');
    expect(first && within(first).getByRole('cell').className).toBe('col-size');
  });

  it('keeps one row in the Tab order and moves with arrows, Page Down, Home and End', async () => {
    const onOpen = vi.fn();
    // 30 rows: all of them are drawn (a screenful plus the overscan), as happy-dom cannot scroll.
    render(<Harness data={items(30)} onOpen={onOpen} />);
    const user = userEvent.setup();
    expect(
      dataRows()
        .filter((r) => r.tabIndex === 0)
        .map((r) => r.dataset['id']),
    ).toEqual(['item-0']);
    act(() => dataRows()[0]?.focus());

    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowUp}');
    expect(focusedId()).toBe('item-1');
    expect(
      dataRows()
        .filter((r) => r.tabIndex === 0)
        .map((r) => r.dataset['id']),
    ).toEqual(['item-1']);

    // A page is a screenful less one row of context: 600 / 30 - 1 = 19 rows.
    await user.keyboard('{PageDown}');
    expect(focusedId()).toBe('item-20');

    await user.keyboard('{ArrowUp}{Home}{ArrowUp}');
    expect(focusedId()).toBe('item-0');

    await user.keyboard('{End}');
    expect(focusedId()).toBe('item-29');
    await user.keyboard('{ArrowDown}{Enter}');
    expect(focusedId()).toBe('item-29');
    expect(onOpen).toHaveBeenCalledWith('item-29');
  });

  it('opens a clicked row and makes it the Tab stop; rows count after the header row', async () => {
    const onOpen = vi.fn();
    render(<Harness data={items(30)} onOpen={onOpen} />);
    const third = dataRows()[2];
    expect(third?.getAttribute('aria-rowindex')).toBe('4');
    await userEvent.setup().click(within(third as HTMLElement).getByRole('cell'));
    expect(onOpen).toHaveBeenCalledWith('item-2');
    expect(
      dataRows()
        .filter((r) => r.tabIndex === 0)
        .map((r) => r.dataset['id']),
    ).toEqual(['item-2']);
  });

  it('asks for the next page as the end of the loaded rows comes into view, once at a time', () => {
    const onLoadMore = vi.fn();
    const { rerender } = render(<Harness data={items(1_000)} hasMore onLoadMore={onLoadMore} />);
    expect(onLoadMore).not.toHaveBeenCalled();

    rerender(<Harness data={items(70)} hasMore onLoadMore={onLoadMore} />);
    expect(onLoadMore).toHaveBeenCalledTimes(1);

    onLoadMore.mockClear();
    rerender(<Harness data={items(70)} hasMore loadingMore onLoadMore={onLoadMore} />);
    expect(onLoadMore).not.toHaveBeenCalled();
    expect(screen.getByRole('status').textContent).toBe('Loading more items…');

    rerender(<Harness data={items(70)} hasMore={false} onLoadMore={onLoadMore} />);
    expect(onLoadMore).not.toHaveBeenCalled();
  });
});

function SortHarness({ first }: { first: SortOrder<Key> }) {
  const [sort, setSort] = useState(first);
  return (
    <div role="table" aria-label="Sorted">
      <div role="row">
        <SortHeader id="name" label="Name" sortKey="name" sort={sort} onSort={setSort} />
        <SortHeader id="size" label="Size" sortKey="size" sort={sort} onSort={setSort} />
        <SortHeader<Key> id="notes" label="Notes" sort={sort} onSort={setSort} />
      </div>
    </div>
  );
}

describe('SortHeader', () => {
  const ariaSort = () =>
    screen.getAllByRole('columnheader').map((h) => h.getAttribute('aria-sort'));

  it('marks the sorted column with aria-sort and the others with none', () => {
    render(<SortHarness first={{ key: 'size', direction: 'desc' }} />);
    expect(ariaSort()).toEqual(['none', 'descending', null]);
    expect(screen.queryByRole('button', { name: /Notes/ })).toBeNull();
    expect(screen.getAllByRole('columnheader')[2]?.textContent).toBe('Notes');
  });

  it('sorts ascending by a new column, then flips the direction on each click', async () => {
    render(<SortHarness first={{ key: 'size', direction: 'desc' }} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Name' }));
    expect(ariaSort()).toEqual(['ascending', 'none', null]);
    await user.click(screen.getByRole('button', { name: /Name/ }));
    expect(ariaSort()).toEqual(['descending', 'none', null]);
    await user.click(screen.getByRole('button', { name: /Name/ }));
    expect(ariaSort()).toEqual(['ascending', 'none', null]);
  });
});
