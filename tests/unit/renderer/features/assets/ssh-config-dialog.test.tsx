import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { AssetsPage } from '../../../../../renderer/features/assets/assets-page';
import { useCredentialsStore } from '../../../../../renderer/features/assets/credentials.store';

import { giveScrollBoxesASize, renderAt, startCoreAs, type CoreSession } from './assets-kit';

let session: CoreSession | undefined;
let keyDir = '';
let keyPath = '';
let restoreLayout: () => void = () => undefined;

beforeAll(() => {
  restoreLayout = giveScrollBoxesASize();
  keyDir = mkdtempSync(join(tmpdir(), 'patchdeck-sshcfg-ui-'));
  keyPath = join(keyDir, 'id_plant');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
});
afterAll(() => {
  restoreLayout();
  rmSync(keyDir, { recursive: true, force: true });
});
beforeEach(() => {
  window.localStorage.clear();
  useCredentialsStore.setState({ credentials: [], status: 'idle' });
});
afterEach(async () => {
  await session?.t.dispose();
  session = undefined;
});

function siteConfig(): string {
  return [
    'Host bastion', // 1
    '  HostName 10.60.0.1', // 2
    '  User ops', // 3
    `  IdentityFile ${keyPath}`, // 4
    'Host web1', // 5
    '  HostName 10.60.1.1', // 6
    '  ProxyJump bastion', // 7
    'Host db1', // 8
    '  HostName 10.60.2.1', // 9
    '  ProxyJump bastion,web1', // 10
    'Host orphan', // 11
    '  HostName 10.60.9.1', // 12
    '  ProxyJump gone', // 13
    'Host *', // 14
    '  User patchsvc', // 15
    '  IdentityFile ~/.ssh/id_plant_missing', // 16
    '',
  ].join('\n');
}

function hostRows(): string[] {
  const table = screen.getByRole('table', { name: 'Hosts' });
  return within(table)
    .queryAllByRole('rowheader')
    .map((cell) => cell.textContent ?? '');
}

async function openDialog() {
  renderAt('/assets', [{ path: '/assets', element: <AssetsPage /> }]);
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Import ssh_config' }));
  const dialog = screen.getByRole('dialog', { name: 'Import ssh_config' });
  return { user, dialog };
}

describe('Import ssh_config over a real core', () => {
  it('imports the hosts and jump hosts, matches the key credential and reports what it skipped', async () => {
    session = await startCoreAs(['technician']);
    const credential = await session.admin.call('credentials.create', {
      name: 'plant key',
      kind: 'key',
      keyPath,
    });
    const { user, dialog } = await openDialog();
    // The credential list comes from the core; the default matches IdentityFile.
    await within(dialog).findByRole('option', { name: 'plant key' });
    expect(within(dialog).getByLabelText<HTMLSelectElement>('Credential').value).toBe('match');

    await user.upload(
      within(dialog).getByLabelText('ssh_config file'),
      new File([siteConfig()], 'config', { type: 'text/plain' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Import hosts' }));

    const report = await within(dialog).findByTestId('ssh-config-report');
    const counts = Object.fromEntries(
      within(report)
        .getAllByRole('term')
        .map((term) => [term.textContent, term.nextElementSibling?.textContent]),
    );
    expect(counts).toEqual({ Added: '3', Updated: '0', Unchanged: '0', Skipped: '1' });
    expect(report.textContent).toMatch(
      'orphan (line 11): Its ProxyJump names gone, which is neither a Host in this file nor a host in the inventory.',
    );
    expect(report.textContent).toMatch(`1 host logs in with plant key (${keyPath}).`);
    const unmatched = within(report).getByRole('region', {
      name: '1 identity file without a key credential',
    });
    expect(unmatched.textContent).toMatch(/id_plant_missing: web1, db1/);

    // Only the file's bytes and the default credential choice went to the core.
    const sent = session.callsOf('hosts.importSshConfig');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.input).toEqual({
      source: { fileName: 'config', contentBase64: btoa(siteConfig()) },
    });

    // The core really holds the hosts, routed through the bastion.
    const page = await session.admin.call('hosts.list', {});
    const byName = new Map(page.hosts.map((h) => [h.name, h.id]));
    const bastion = await session.admin.call('hosts.get', { hostId: byName.get('bastion')! });
    const db1 = await session.admin.call('hosts.get', { hostId: byName.get('db1')! });
    expect(bastion.connection.credentialId).toBe(credential.id);
    expect(db1.connection.jumpHostId).toBe(byName.get('web1'));

    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(hostRows()).toEqual(['bastion', 'db1', 'web1']));
  });

  it('sends the chosen credential, and shows a refused ProxyCommand with its line', async () => {
    session = await startCoreAs(['technician']);
    const credential = await session.admin.call('credentials.create', {
      name: 'plant key',
      kind: 'key',
      keyPath,
    });
    const { user, dialog } = await openDialog();
    await within(dialog).findByRole('option', { name: 'plant key' });
    await user.selectOptions(within(dialog).getByLabelText('Credential'), 'plant key');
    const hostile = 'Host web1\n  HostName 10.60.1.1\n  User patchsvc\n  ProxyCommand nc %h %p\n';
    await user.upload(
      within(dialog).getByLabelText('ssh_config file'),
      new File([hostile], 'config', { type: 'text/plain' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Import hosts' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toMatch('Line 4 of config sets ProxyCommand');
    expect(session.callsOf('hosts.importSshConfig')[0]?.input).toMatchObject({
      credentialId: credential.id,
    });
    expect((await session.admin.call('hosts.list', {})).total).toBe(0);
    expect(within(dialog).queryByTestId('ssh-config-report')).toBeNull();
  });

  it('is not offered to an auditor', async () => {
    session = await startCoreAs(['auditor']);
    renderAt('/assets', [{ path: '/assets', element: <AssetsPage /> }]);
    await screen.findByRole('heading', { name: 'Assets' });
    expect(screen.queryByRole('button', { name: 'Import ssh_config' })).toBeNull();
  });
});
