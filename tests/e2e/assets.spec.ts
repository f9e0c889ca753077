import { startLab, type Lab, type LabHost } from '../lab/lab';

import { expect, test } from './fixtures';
import { AssetsPage, CredentialsSection, HostPage } from './pages/assets-page';
import { FirstRunPage } from './pages/auth-pages';
import { Shell } from './pages/shell';

const ADMIN = {
  username: 'alice',
  displayName: 'Alice Admin',
  password: 'copper kettle rides lunar tram',
};
const CREDENTIAL = 'patchsvc (lab key)';

// Its own workspace: the first-run flow below must meet an empty one.
test.use({ workspaceName: 'assets' });
test.describe.configure({ mode: 'serial' });

let lab: Lab | undefined;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  lab = await startLab({ hosts: 2 });
});

test.afterAll(async () => {
  await lab?.stop();
});

function labOf(): Lab {
  if (!lab) throw new Error('The lab did not start.');
  return lab;
}

function hostAt(index: number): LabHost {
  const host = labOf().hosts[index];
  if (!host) throw new Error(`The lab has no host #${index}.`);
  return host;
}

/** The fingerprint the host really presents for a key type, as ssh-keygen prints it. */
function fingerprintOf(host: LabHost, keyType: string): string {
  const key = host.hostKeys.find((k) => k.type === keyType);
  if (!key) throw new Error(`${host.name} has no ${keyType} host key.`);
  return key.fingerprint;
}

test('import a CSV, accept a host key, scan, and see the packages of a real host', async ({
  page,
  app,
  screens,
}) => {
  test.setTimeout(300_000);
  const [first, second] = [hostAt(0), hostAt(1)];
  const assets = new AssetsPage(page);
  const credentials = new CredentialsSection(page);
  const hostPage = new HostPage(page);

  await page.goto(app.url);
  await new FirstRunPage(page).createAdministrator(ADMIN);
  await expect(new Shell(page).operatorName).toHaveText(ADMIN.displayName);

  // A credential for the lab's service-account key; no passphrase, so no vault is needed.
  await credentials.open();
  await credentials.createKeyCredential(CREDENTIAL, first.userKeyPath);
  await expect(credentials.row(CREDENTIAL)).toContainText(first.userKeyPath);
  await expect(credentials.row(CREDENTIAL)).toContainText('No password');
  await screens.take(page, 'assets-credentials');

  await assets.open();
  await expect(page.getByRole('heading', { name: 'No hosts in this workspace yet' })).toBeVisible();
  await screens.take(page, 'assets-empty');

  const csv = [
    'Hostname,IP address,Login,Criticality,Environment,Owner',
    `${first.name},${first.address},${first.user},1,production,Plant ops`,
    `${second.name},${second.address},${second.user},3,test,Plant ops`,
  ].join('\n');
  await assets.previewImport('plant-cmdb.csv', csv);
  await expect(assets.dialog.getByLabel(/^Address/)).toHaveValue('IP address');
  // The guess maps the common column names; the operator checks it before going on.
  await expect(
    assets.dialog
      .getByRole('table', { name: 'Column mapping' })
      .getByLabel('Login name', { exact: true }),
  ).toHaveValue('Login');
  await screens.take(page, 'assets-import-mapping');
  await assets.continueImport();
  await expect(assets.dialog.getByTestId('reconcile-newHosts')).toContainText('New hosts: 2');
  await screens.take(page, 'assets-import-reconcile');
  await assets.applyImport();
  await expect(assets.dialog.getByTestId('import-result')).toContainText('Added2');
  await screens.take(page, 'assets-import-result');
  await assets.finishImport();

  await expect(assets.row(first.name)).toBeVisible();
  await expect(assets.row(second.name)).toBeVisible();
  await expect(assets.row(first.name)).toContainText(first.address);
  await expect(assets.summary).toContainText('2 hosts');

  // Imported hosts have no credential yet: give both the lab key.
  await assets.selectAllShown();
  await assets.setCredentialForSelection(CREDENTIAL);
  await expect(assets.dialog).toBeHidden();
  await assets.dismissNotifications();
  await screens.take(page, 'assets-table-imported');

  // First contact: the scan stops before authenticating and shows the key to check.
  await assets.scanAll(2);
  await expect(assets.latestRun()).toContainText('Scan finished: 2 of 2 hosts', {
    timeout: 60_000,
  });
  await expect(assets.failure(first.name)).toContainText('host key unknown');
  await expect(assets.pendingKeys).toContainText(first.name);
  await screens.take(page, 'assets-scan-host-key-unknown');

  await assets.reviewKeyFromScan(first.name);
  await expect(assets.keyDialog).toBeVisible();
  const keyType = (await assets.keyType.textContent()) ?? '';
  await expect(assets.fingerprint).toHaveText(fingerprintOf(first, keyType));
  await expect(assets.keyDialog).toContainText(`${first.address}:22`);
  await screens.take(page, 'assets-host-key-dialog');
  await assets.acceptKey();
  await expect(assets.keyDialog).toBeHidden();

  await assets.reviewKeyFromPending(second.name);
  const secondType = (await assets.keyType.textContent()) ?? '';
  await expect(assets.fingerprint).toHaveText(fingerprintOf(second, secondType));
  await assets.acceptKey();
  await expect(assets.pendingKeys).toBeHidden();

  // With both keys pinned the scan collects facts and packages.
  await assets.dismissFinishedScans();
  await assets.scanAll();
  await expect(assets.latestRun()).toContainText('Scan finished: 2 of 2 hosts', {
    timeout: 120_000,
  });
  await expect(assets.latestRun()).toContainText('2 OK');
  await expect(assets.row(first.name)).toContainText('Pinned');
  await expect(assets.row(first.name)).toContainText('OK');
  await assets.dismissNotifications();
  await screens.take(page, 'assets-table-scanned');
  await assets.dismissFinishedScans();

  // What dpkg on the host itself says is installed.
  const probe = await labOf().exec(
    first,
    "dpkg-query -W -f='${Package} ${Version}' openssh-server",
  );
  expect(probe.code).toBe(0);
  const [pkgName, pkgVersion] = probe.stdout.trim().split(' ');
  expect(pkgName).toBe('openssh-server');

  await assets.openHost(first.name);
  await expect(hostPage.heading).toHaveText(first.name);
  await expect(hostPage.system).toContainText('Debian');
  await assets.dismissNotifications();
  await screens.take(page, 'assets-host-overview');

  await hostPage.openTab('Packages');
  await hostPage.packageSearch.fill('openssh-server');
  await expect(hostPage.packageRow('openssh-server')).toContainText(pkgVersion ?? 'missing');
  await screens.take(page, 'assets-host-packages');

  await hostPage.openTab('Scan history');
  await expect(hostPage.history.getByRole('button').first()).toContainText('OK');
  await screens.take(page, 'assets-host-history');

  await hostPage.openTab('Settings');
  await expect(page.getByLabel('Credential')).toHaveValue(/.+/);
  await screens.take(page, 'assets-host-settings');
});
