import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { defaultColumns } from '../../../../../renderer/features/assets/host-columns';
import { HostTable } from '../../../../../renderer/features/assets/host-table';
import type { HostSummary } from '../../../../../shared/domain/assets';

import { giveScrollBoxesASize, renderAt } from './assets-kit';

function aHost(i: number): HostSummary {
  return {
    id: `host-${i}`,
    name: `host-${String(i).padStart(5, '0')}`,
    tier: (i % 4) as 0 | 1 | 2 | 3,
    environment: 'production',
    owner: '',
    businessService: '',
    dataSensitivity: 'internal',
    regulatoryTags: [],
    haGroup: '',
    networkZone: '',
    exposure: 'internal',
    tags: [],
    notes: '',
    address: `127.1.${Math.floor(i / 250)}.${i % 250}`,
    port: 22,
    username: 'patchsvc',
    source: 'cmdb',
    osFamily: null,
    osName: null,
    osVersion: null,
    kernel: null,
    arch: null,
    packageCount: null,
    rebootRequired: null,
    eol: { status: 'unknown', product: null, eolDate: null },
    hostKey: 'unknown',
    lastScanAt: null,
    lastScan: null,
    createdAt: '2026-03-01T08:00:00.000Z',
    updatedAt: '2026-03-01T08:00:00.000Z',
  };
}

let restoreLayout: () => void = () => undefined;
beforeAll(() => {
  restoreLayout = giveScrollBoxesASize();
});
afterAll(() => restoreLayout());

describe('HostTable', () => {
  it('keeps only the rows on screen in the DOM, whatever the size of the inventory', () => {
    const hosts = Array.from({ length: 20_000 }, (_, i) => aHost(i));
    const onLoadMore = vi.fn();
    const started = performance.now();
    renderAt('/', [
      {
        path: '/',
        element: (
          <HostTable
            hosts={hosts}
            total={50_000}
            hasMore
            loadingMore={false}
            columns={defaultColumns()}
            sort={{ key: 'name', direction: 'asc' }}
            selected={new Set()}
            selectable
            onSort={() => undefined}
            onSelect={() => undefined}
            onLoadMore={onLoadMore}
            onOpen={() => undefined}
          />
        ),
      },
    ]);
    const elapsed = performance.now() - started;
    const table = screen.getByRole('table', { name: 'Hosts' });
    const rendered = within(table).getAllByRole('rowheader');
    // 600 px of 36 px rows plus the overscan: a few dozen rows, not 20,000.
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(60);
    expect(table.getAttribute('aria-rowcount')).toBe('50001');
    // The end of the loaded rows is far away: no page is fetched yet.
    expect(onLoadMore).not.toHaveBeenCalled();
    console.info(`HostTable: 20,000 hosts rendered in ${elapsed.toFixed(0)} ms`);
  });

  it('moves through rows with the keyboard and selects with Space', async () => {
    const hosts = Array.from({ length: 50 }, (_, i) => aHost(i));
    const onSelect = vi.fn();
    const onOpen = vi.fn();
    renderAt('/', [
      {
        path: '/',
        element: (
          <HostTable
            hosts={hosts}
            total={50}
            hasMore={false}
            loadingMore={false}
            columns={defaultColumns()}
            sort={{ key: 'name', direction: 'asc' }}
            selected={new Set()}
            selectable
            onSort={() => undefined}
            onSelect={onSelect}
            onLoadMore={() => undefined}
            onOpen={onOpen}
          />
        ),
      },
    ]);
    const user = userEvent.setup();
    const rows = screen.getAllByRole('row').filter((r) => r.hasAttribute('data-host-id'));
    // One tab stop for all rows: only the active row is reachable with Tab.
    expect(rows.filter((r) => r.tabIndex === 0).map((r) => r.dataset['hostId'])).toEqual([
      'host-0',
    ]);
    act(() => rows[0]?.focus());
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(document.activeElement?.getAttribute('data-host-id')).toBe('host-2');
    await user.keyboard(' ');
    expect(onSelect).toHaveBeenCalledWith(['host-2'], true);
    await user.keyboard('{Enter}');
    expect(onOpen).toHaveBeenCalledWith('host-2');
  });
});
