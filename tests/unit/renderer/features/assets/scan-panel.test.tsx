import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Link } from 'react-router';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { installTransport } from '../../../../../renderer/api/api-client';
import { AssetsPage } from '../../../../../renderer/features/assets/assets-page';
import { ScanPanel } from '../../../../../renderer/features/assets/scan-panel';
import { trackScans, useScansStore } from '../../../../../renderer/features/assets/scans.store';
import { useSessionStore } from '../../../../../renderer/features/auth/session.store';
import { resetSessionState } from '../../../../../renderer/stores/session-events';
import type { ScanRun } from '../../../../../shared/domain/assets';
import { anOperator, fakeTransport } from '../../fake-transport';

import { giveScrollBoxesASize, renderAt, startCoreAs, type CoreSession } from './assets-kit';

let session: CoreSession | undefined;
let restoreLayout: () => void = () => undefined;
beforeAll(() => {
  restoreLayout = giveScrollBoxesASize();
});
afterAll(() => restoreLayout());
afterEach(async () => {
  resetSessionState();
  await session?.t.dispose();
  session = undefined;
});

describe('Scan progress', () => {
  it('follows a real scan to its end, with the failure and what to do, across pages', async () => {
    session = await startCoreAs(['technician']);
    // Loopback, and nothing listens on port 9: the scan fails at once with a real refusal.
    await session.admin.call('hosts.create', {
      name: 'dead-end',
      address: '127.0.0.1',
      port: 9,
      username: 'patchsvc',
    });
    const router = renderAt('/assets', [
      { path: '/assets', element: <AssetsPage /> },
      { path: '/elsewhere', element: <Link to="/assets">Back to assets</Link> },
    ]);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Scan all' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Scan all hosts' })).getByRole('button', {
        name: 'Start scan',
      }),
    );

    const panel = await screen.findByTestId('scan-panel');
    await waitFor(() => expect(panel.textContent).toMatch('Scan finished: 1 of 1 host'), {
      timeout: 20_000,
    });
    const failure = within(panel).getByTestId('scan-failure');
    expect(failure.textContent).toMatch('dead-end');
    expect(failure.textContent).toMatch(/refused/i);
    const [host] = (await session.admin.call('hosts.list', {})).hosts;
    expect(host?.lastScan?.status).toBe('failed');
    // What the panel says is what the core recorded.
    expect(failure.textContent).toMatch(host?.lastScan?.message ?? 'no message');
    expect(failure.textContent).toMatch(host?.lastScan?.action ?? 'no action');
    // The table picked the outcome up from the core's events too.
    await waitFor(() =>
      expect(screen.getByRole('table', { name: 'Hosts' }).textContent).toMatch('Failed'),
    );

    // The run lives in the store: another page and back, and it is still there.
    await router.navigate('/elsewhere');
    await waitFor(() => expect(screen.queryByTestId('scan-panel')).toBeNull());
    await user.click(screen.getByRole('link', { name: 'Back to assets' }));
    expect((await screen.findByTestId('scan-panel')).textContent).toMatch(
      'Scan finished: 1 of 1 host',
    );
    expect(useScansStore.getState().runs).toHaveLength(1);
  }, 30_000);

  it('picks up a run already under way after a reload, and offers the key review', async () => {
    const run: ScanRun = {
      id: 'run-1',
      startedAt: '2026-03-01T08:00:00.000Z',
      finishedAt: null,
      startedBy: 'tom',
      concurrency: 4,
      hosts: [
        {
          hostId: 'h1',
          hostName: 'historian',
          state: 'failed',
          outcome: {
            status: 'failed',
            failureKind: 'host-key-unknown',
            message: 'historian presented a host key that is not pinned yet.',
            action: 'Review the key and accept it if it matches the host.',
          },
        },
        { hostId: 'h2', hostName: 'hmi-1', state: 'collecting', outcome: null },
        { hostId: 'h3', hostName: 'hmi-2', state: 'queued', outcome: null },
      ],
    };
    // A run in progress needs hosts that take time to answer; the core's answers are faked.
    const fake = fakeTransport({ 'scans.active': () => [run] });
    installTransport(fake.transport);
    useSessionStore.setState({ phase: 'ready', operator: anOperator({ roles: ['technician'] }) });
    trackScans();
    renderAt('/', [{ path: '/', element: <ScanPanel /> }]);

    const panel = await screen.findByTestId('scan-panel');
    expect(panel.textContent).toMatch('Scanning: 1 of 3 hosts');
    expect(panel.textContent).toMatch('hmi-1 (collecting facts)');
    expect(within(panel).getByRole('button', { name: 'Review key of historian' })).toBeTruthy();
    expect(panel.textContent).toMatch('Review the key and accept it if it matches the host.');

    fake.emit('scans.progress', {
      runId: 'run-1',
      hostId: 'h2',
      hostName: 'hmi-1',
      state: 'done',
      outcome: { status: 'ok', failureKind: null, message: null, action: null },
      done: 2,
      total: 3,
    });
    await waitFor(() => expect(panel.textContent).toMatch('Scanning: 2 of 3 hosts'));
    expect(within(panel).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('2');

    fake.emit('scans.finished', { runId: 'run-1', ok: 2, failed: 1 });
    await waitFor(() => expect(panel.textContent).toMatch('Scan finished: 3 of 3 hosts'));
    expect(panel.textContent).toMatch('2 OK');
    expect(panel.textContent).toMatch('1 failed');
  });
});
