import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { installTransport } from '../../../../../renderer/api/api-client';
import { ImportWizard } from '../../../../../renderer/features/assets/import-wizard';
import { useSessionStore } from '../../../../../renderer/features/auth/session.store';
import type { Reconciliation } from '../../../../../shared/domain/assets';
import { anOperator, fakeTransport } from '../../fake-transport';

// The core parses import files in a worker thread, which cannot start under happy-dom (Vite
// rewrites the worker's file URL for the browser), so the core's answers are faked here. The
// e2e spec imports a real CSV through the real core.
const CSV = [
  'Hostname,IP Address,Owner',
  'line3-hmi,127.0.2.1,Plant ops',
  'line3-plc-gw,127.0.2.2,Plant ops',
].join('\n');

const RECONCILIATION: Reconciliation = {
  importId: 'imp-1',
  sourceName: 'cmdb-export.csv',
  rowCount: 2,
  newHosts: [{ key: 'new:2', row: 2, name: 'line3-hmi', address: '127.0.2.1' }],
  mismatches: [
    {
      key: 'mm:3:owner',
      row: 3,
      hostId: 'host-2',
      hostName: 'line3-plc-gw',
      field: 'owner',
      inventoryValue: 'Controls team',
      sourceValue: 'Plant ops',
    },
  ],
  neverReached: [],
  notInSource: [
    { key: 'nis:host-9', hostId: 'host-9', hostName: 'old-historian', address: '127.0.2.9' },
  ],
  unchanged: 0,
};

function setup() {
  const fake = fakeTransport({
    'imports.preview': (input) => {
      const { source } = input as { source: { contentBase64: string } };
      const rows = atob(source.contentBase64)
        .split('\n')
        .map((line) => line.split(','));
      return {
        importId: 'imp-1',
        sourceName: 'cmdb-export.csv',
        sheets: [],
        columns: rows[0],
        sampleRows: rows.slice(1),
        rowCount: rows.length - 1,
        mapping: { name: 'Hostname', address: 'IP Address', owner: 'Owner' },
        mappingRemembered: false,
      };
    },
    'imports.reconcile': () => RECONCILIATION,
    'imports.apply': (input) => {
      const { decisions } = input as { decisions: { decision: string }[] };
      return {
        added: decisions.filter((d) => d.decision === 'add').length,
        updated: decisions.filter((d) => d.decision === 'take-source').length,
        removed: decisions.filter((d) => d.decision === 'remove').length,
        deferred: decisions.filter((d) => d.decision === 'later').length,
      };
    },
  });
  installTransport(fake.transport);
  useSessionStore.setState({ phase: 'ready', operator: anOperator({ roles: ['technician'] }) });
  render(<ImportWizard onClose={() => undefined} />);
  return fake;
}

async function toMapping() {
  const fake = setup();
  const user = userEvent.setup();
  const dialog = screen.getByRole('dialog', { name: 'Import hosts' });
  await user.upload(
    within(dialog).getByLabelText('File'),
    new File([CSV], 'cmdb-export.csv', { type: 'text/csv' }),
  );
  expect(within(dialog).getByLabelText<HTMLSelectElement>('Format').value).toBe('csv');
  await user.click(within(dialog).getByRole('button', { name: 'Preview' }));
  await within(dialog).findByRole('table', { name: 'Column mapping' });
  return { fake, user, dialog };
}

describe('ImportWizard', () => {
  it('sends the chosen file as base64 with the format its name says', async () => {
    const { fake, dialog } = await toMapping();
    expect(fake.callsOf('imports.preview')[0]?.input).toEqual({
      format: 'csv',
      source: { fileName: 'cmdb-export.csv', contentBase64: btoa(CSV) },
    });
    const preview = within(dialog).getByRole('table', { name: 'First rows of the file' });
    expect(within(preview).getByText('line3-plc-gw')).toBeTruthy();
  });

  it('refuses to continue without an address mapping, and says why', async () => {
    const { fake, user, dialog } = await toMapping();
    const address = within(dialog).getByLabelText<HTMLSelectElement>(/^Address/);
    expect(address.value).toBe('IP Address');

    await user.selectOptions(address, 'Not imported');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));

    expect(within(dialog).getByTestId('mapping-error').textContent).toMatch(
      'Map a column to Address',
    );
    expect(address.getAttribute('aria-invalid')).toBe('true');
    expect(fake.callsOf('imports.reconcile')).toHaveLength(0);

    await user.selectOptions(address, 'IP Address');
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(fake.callsOf('imports.reconcile')).toHaveLength(1));
    expect(fake.callsOf('imports.reconcile')[0]?.input).toEqual({
      importId: 'imp-1',
      mapping: { name: 'Hostname', address: 'IP Address', owner: 'Owner' },
    });
  });

  it('applies per-category decisions: safe defaults unless the operator chooses otherwise', async () => {
    const { fake, user, dialog } = await toMapping();
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    const mismatches = await within(dialog).findByTestId('reconcile-mismatches');
    expect(within(mismatches).getByText('Controls team')).toBeTruthy();
    expect(within(mismatches).getByText('Plant ops')).toBeTruthy();

    await user.click(within(mismatches).getByRole('button', { name: 'Take source all' }));
    const stale = within(dialog).getByTestId('reconcile-notInSource');
    await user.click(within(stale).getByRole('button', { name: 'Remove all' }));
    expect(within(dialog).getByRole('status').textContent).toMatch(
      '1 host will be removed from the inventory',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Apply import' }));

    const result = await within(dialog).findByTestId('import-result');
    expect(fake.callsOf('imports.apply')[0]?.input).toEqual({
      importId: 'imp-1',
      decisions: [
        { key: 'new:2', decision: 'add' },
        { key: 'mm:3:owner', decision: 'take-source' },
        { key: 'nis:host-9', decision: 'remove' },
      ],
    });
    expect(within(result).getByText('Removed').nextSibling?.textContent).toBe('1');
  });
});
