import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';

import { installTransport } from '../../../../../renderer/api/api-client';
import { AuditPage } from '../../../../../renderer/features/audit/audit-page';
import { useAuditStore } from '../../../../../renderer/features/audit/audit.store';
import { useSessionStore } from '../../../../../renderer/features/auth/session.store';
import type { AuditRecord } from '../../../../../shared/domain/schemas';
import { anOperator, fakeTransport } from '../../fake-transport';

function aRecord(seq: number): AuditRecord {
  return {
    seq,
    at: '2026-01-05T08:00:00.000Z',
    operatorId: 'op-1',
    operatorName: 'Alice Admin',
    op: 'auth.login',
    inputDigest: 'd'.repeat(64),
    outcome: 'ok',
    errorCode: null,
    summary: `Record ${seq}`,
    details: {},
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  };
}

beforeEach(() => {
  useAuditStore.setState({ records: [], status: 'idle', verification: undefined, filter: {} });
  useSessionStore.setState({ phase: 'ready', operator: anOperator() });
});

describe('AuditPage', () => {
  it('shows a red banner naming the record where the chain breaks', async () => {
    const fake = fakeTransport({
      'audit.list': () => ({ records: [aRecord(3), aRecord(2), aRecord(1)], total: 3 }),
      'audit.verify': () => ({
        valid: false,
        checked: 41,
        headSeq: 120,
        headHash: 'c'.repeat(64),
        firstBadSeq: 42,
        problem: 'The stored hash does not match the record contents.',
        verifiedAt: '2026-01-05T09:00:00.000Z',
      }),
    });
    installTransport(fake.transport);
    render(<AuditPage />);

    await userEvent.setup().click(screen.getByRole('button', { name: 'Verify chain' }));

    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toMatch('Audit chain BROKEN at record #42');
    expect(banner.textContent).toMatch('The stored hash does not match the record contents.');
    expect(banner.textContent).toMatch(/export the workspace file for investigation/i);
    expect(banner.textContent).toMatch(/Do not continue deployments/);
  });

  it('adds new records live when the core announces them', async () => {
    let records = [aRecord(2), aRecord(1)];
    const fake = fakeTransport({
      'audit.list': () => ({ records, total: records.length }),
    });
    installTransport(fake.transport);
    render(<AuditPage />);
    expect(
      await screen.findByText(
        'Showing 2 of 2 records, newest first. Select a row for its details.',
      ),
    ).toBeTruthy();

    records = [aRecord(3), ...records];
    fake.emit('audit.appended', {
      seq: 3,
      op: 'auth.logout',
      outcome: 'ok',
      operatorName: 'Alice',
    });
    expect(await screen.findByText(/Showing 3 of 3 records/)).toBeTruthy();
  });
});
