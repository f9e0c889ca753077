import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { AssetsPage } from '../../../../../renderer/features/assets/assets-page';
import { COLUMNS_STORAGE_KEY } from '../../../../../renderer/features/assets/host-columns';
import type { Role } from '../../../../../shared/domain/roles';

import { giveScrollBoxesASize, renderAt, startCoreAs, type CoreSession } from './assets-kit';

/** Nothing listens here, so a scan started by a test fails at once on loopback. */
const CLOSED_PORT = 9;

let session: CoreSession | undefined;

async function arrange(roles: Role[]): Promise<CoreSession> {
  session = await startCoreAs(roles);
  const { admin } = session;
  await admin.call('hosts.create', {
    name: 'plc-gateway',
    address: '127.0.1.5',
    port: CLOSED_PORT,
    username: 'patchsvc',
    tier: 0,
    environment: 'production',
    tags: ['line-3'],
  });
  await admin.call('hosts.create', {
    name: 'historian',
    address: '127.0.1.6',
    port: CLOSED_PORT,
    username: 'patchsvc',
    tier: 1,
    environment: 'production',
  });
  await admin.call('hosts.create', {
    name: 'test-bench',
    address: '127.0.9.9',
    port: CLOSED_PORT,
    username: 'patchsvc',
    tier: 3,
    environment: 'test',
  });
  return session;
}

function hostRows(): string[] {
  const table = screen.getByRole('table', { name: 'Hosts' });
  return within(table)
    .queryAllByRole('rowheader')
    .map((cell) => cell.textContent ?? '');
}

let restoreLayout: () => void = () => undefined;
beforeAll(() => {
  restoreLayout = giveScrollBoxesASize();
});
afterAll(() => restoreLayout());
beforeEach(() => window.localStorage.clear());
afterEach(async () => {
  await session?.t.dispose();
  session = undefined;
});

describe('AssetsPage over a real core', () => {
  it('lists the inventory with tier badges and the summary counts', async () => {
    await arrange(['technician']);
    renderAt('/assets', [{ path: '/assets', element: <AssetsPage /> }]);

    await waitFor(() => expect(hostRows()).toEqual(['historian', 'plc-gateway', 'test-bench']));
    const summary = screen.getByTestId('assets-summary');
    expect(summary.textContent).toMatch('3 hosts');
    expect(within(summary).getByRole('button', { name: /^Never scanned: 3 hosts/ })).toBeTruthy();
    expect(
      within(summary).getByRole('button', { name: /^Tier 0 — mission critical: 1 host\./ }),
    ).toBeTruthy();
    // The tier meaning travels with the badge for people who do not hover.
    const row = screen.getByRole('rowheader', { name: 'plc-gateway' }).closest('[role="row"]');
    expect(row?.textContent).toMatch('Its failure stops the plant or a safety function.');
  });

  it('sends the chosen filters and sort to hosts.list and shows what the core returns', async () => {
    const s = await arrange(['technician']);
    renderAt('/assets', [{ path: '/assets', element: <AssetsPage /> }]);
    await waitFor(() => expect(hostRows()).toHaveLength(3));
    const user = userEvent.setup();

    await user.selectOptions(screen.getByLabelText('Tier'), 'Tier 0 — mission critical');
    await waitFor(() => expect(hostRows()).toEqual(['plc-gateway']));
    expect(s.callsOf('hosts.list').at(-1)?.input).toMatchObject({
      filter: { tiers: [0] },
      sort: { key: 'name', direction: 'asc' },
      offset: 0,
    });

    await user.selectOptions(screen.getByLabelText('Tier'), 'Any');
    await user.type(screen.getByRole('searchbox', { name: 'Search' }), '127.0.1.');
    await waitFor(() => expect(hostRows()).toEqual(['historian', 'plc-gateway']));
    expect(s.callsOf('hosts.list').at(-1)?.input).toMatchObject({ filter: { text: '127.0.1.' } });

    await user.click(screen.getByRole('button', { name: 'Name' }));
    await waitFor(() => expect(hostRows()).toEqual(['plc-gateway', 'historian']));
    expect(s.callsOf('hosts.list').at(-1)?.input).toMatchObject({
      filter: { text: '127.0.1.' },
      sort: { key: 'name', direction: 'desc' },
    });
  });

  it('adds a host created elsewhere as soon as the core announces it', async () => {
    const s = await arrange(['technician']);
    renderAt('/assets', [{ path: '/assets', element: <AssetsPage /> }]);
    await waitFor(() => expect(hostRows()).toHaveLength(3));

    await s.admin.call('hosts.create', { name: 'new-scada', address: '127.0.1.7', username: 'x' });
    await waitFor(() => expect(hostRows()).toContain('new-scada'));
    expect(screen.getByTestId('assets-summary').textContent).toMatch('4 hosts');
  });

  it('remembers the column choice on this machine', async () => {
    await arrange(['technician']);
    renderAt('/assets', [{ path: '/assets', element: <AssetsPage /> }]);
    await waitFor(() => expect(hostRows()).toHaveLength(3));
    const user = userEvent.setup();
    const table = screen.getByRole('table', { name: 'Hosts' });
    expect(within(table).getByRole('columnheader', { name: 'Address' })).toBeTruthy();
    expect(within(table).queryByRole('columnheader', { name: 'Owner' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Columns' }));
    await user.click(screen.getByRole('checkbox', { name: 'Address' }));
    await user.click(screen.getByRole('checkbox', { name: 'Owner' }));

    expect(within(table).queryByRole('columnheader', { name: 'Address' })).toBeNull();
    expect(within(table).getByRole('columnheader', { name: 'Owner' })).toBeTruthy();
    const saved = JSON.parse(window.localStorage.getItem(COLUMNS_STORAGE_KEY) ?? '{}') as Record<
      string,
      boolean
    >;
    expect(saved).toMatchObject({ address: false, owner: true });
  });

  it('offers an auditor neither adding, importing nor scanning', async () => {
    await arrange(['auditor']);
    renderAt('/assets', [{ path: '/assets', element: <AssetsPage /> }]);
    await waitFor(() => expect(hostRows()).toHaveLength(3));
    expect(screen.queryByRole('button', { name: 'Add host' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Import hosts' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Scan all' })).toBeNull();
    expect(screen.queryByRole('checkbox', { name: 'Select plc-gateway' })).toBeNull();
  });

  it('selects hosts and scans only the selection, with the chosen concurrency', async () => {
    const s = await arrange(['technician']);
    renderAt('/assets', [{ path: '/assets', element: <AssetsPage /> }]);
    await waitFor(() => expect(hostRows()).toHaveLength(3));
    const user = userEvent.setup();

    await user.click(screen.getByRole('checkbox', { name: 'Select historian' }));
    await user.click(screen.getByRole('checkbox', { name: 'Select test-bench' }));
    await user.click(screen.getByRole('button', { name: 'Scan selected (2)' }));
    const dialog = screen.getByRole('dialog', { name: 'Scan selected hosts' });
    await user.selectOptions(within(dialog).getByLabelText('Hosts at the same time'), '2');
    await user.click(within(dialog).getByRole('button', { name: 'Start scan' }));

    await waitFor(() => expect(s.callsOf('scans.start')).toHaveLength(1));
    const input = s.callsOf('scans.start')[0]?.input as { hostIds: string[]; concurrency: number };
    expect(input.concurrency).toBe(2);
    const listed = await s.admin.call('hosts.list', {});
    const idOf = (name: string) => listed.hosts.find((h) => h.name === name)?.id;
    expect([...input.hostIds].sort()).toEqual([idOf('historian'), idOf('test-bench')].sort());
    // The run shows up in the progress panel at once.
    expect(await screen.findByTestId('scan-panel')).toBeTruthy();
  });
});
