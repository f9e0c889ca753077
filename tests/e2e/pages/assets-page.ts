import type { Locator, Page } from '@playwright/test';

import { Shell } from './shell';

/** Settings → Credentials: the vault and the stored SSH credentials. */
export class CredentialsSection {
  readonly table: Locator;
  readonly newButton: Locator;
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Credentials' });
    this.newButton = page.getByRole('button', { name: 'New credential' });
    this.dialog = page.getByRole('dialog');
  }

  async open() {
    await new Shell(this.page).goTo('Settings');
    await this.page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link', { name: 'Credentials', exact: true })
      .click();
  }

  /** Creates a key-file credential whose account may sudo without a password. */
  async createKeyCredential(name: string, keyPath: string) {
    await this.newButton.click();
    await this.dialog.getByLabel('Name').fill(name);
    await this.dialog.getByRole('radio', { name: /Private key file/ }).check();
    await this.dialog.getByLabel('Key file path').fill(keyPath);
    await this.dialog.getByRole('radio', { name: /sudo without a password/ }).check();
    await this.dialog.getByRole('button', { name: 'Create credential' }).click();
  }

  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }
}

/** The Assets page: inventory table, summary, import, scans and host-key decisions. */
export class AssetsPage {
  readonly shell: Shell;
  readonly heading: Locator;
  readonly table: Locator;
  readonly summary: Locator;
  readonly dialog: Locator;
  readonly keyDialog: Locator;
  readonly fingerprint: Locator;
  readonly keyType: Locator;
  readonly scanPanel: Locator;
  readonly pendingKeys: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.heading = page.getByRole('heading', { name: 'Assets', exact: true });
    this.table = page.getByRole('table', { name: 'Hosts' });
    this.summary = page.getByTestId('assets-summary');
    this.dialog = page.getByRole('dialog');
    this.keyDialog = page.getByRole('dialog', { name: /host key/i });
    this.fingerprint = this.keyDialog.getByTestId('host-key-fingerprint');
    this.keyType = this.keyDialog.getByTestId('host-key-type');
    this.scanPanel = page.getByTestId('scan-panel');
    this.pendingKeys = page.getByTestId('pending-keys');
  }

  async open() {
    await this.shell.goTo('Assets');
    await this.heading.waitFor();
  }

  /** The row of a host, by its name. */
  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  /** Opens the import wizard, chooses the file and previews it; stops at the column mapping. */
  async previewImport(fileName: string, content: string) {
    await this.page.getByRole('button', { name: 'Import hosts' }).first().click();
    await this.dialog.getByLabel('File').setInputFiles({
      name: fileName,
      mimeType: 'text/csv',
      buffer: Buffer.from(content, 'utf8'),
    });
    await this.dialog.getByRole('button', { name: 'Preview' }).click();
    await this.dialog.getByRole('table', { name: 'Column mapping' }).waitFor();
  }

  /** Maps a column of the file to a PatchDeck field in the wizard's mapping table. */
  async mapColumn(field: string, column: string) {
    await this.dialog
      .getByRole('table', { name: 'Column mapping' })
      .getByLabel(field, { exact: true })
      .selectOption(column);
  }

  async continueImport() {
    await this.dialog.getByRole('button', { name: 'Continue' }).click();
    await this.dialog.getByRole('button', { name: 'Apply import' }).waitFor();
  }

  async applyImport() {
    await this.dialog.getByRole('button', { name: 'Apply import' }).click();
    await this.dialog.getByTestId('import-result').waitFor();
  }

  async finishImport() {
    await this.dialog.getByRole('button', { name: 'Done' }).click();
  }

  async selectAllShown() {
    await this.table.getByRole('checkbox', { name: 'Select all hosts shown' }).check();
  }

  async setCredentialForSelection(credentialName: string) {
    await this.page.getByRole('button', { name: 'Set credential…' }).click();
    await this.dialog.getByLabel('Credential').selectOption({ label: credentialName });
    await this.dialog.getByRole('button', { name: 'Set credential' }).click();
  }

  async scanAll(concurrency?: number) {
    await this.page.getByRole('button', { name: 'Scan all' }).click();
    if (concurrency !== undefined) {
      await this.dialog.getByLabel('Hosts at the same time').selectOption(String(concurrency));
    }
    await this.dialog.getByRole('button', { name: 'Start scan' }).click();
  }

  /** The newest scan run in the progress panel. */
  latestRun(): Locator {
    return this.scanPanel.getByTestId('scan-run').first();
  }

  failure(hostName: string): Locator {
    return this.latestRun().getByTestId('scan-failure').filter({ hasText: hostName });
  }

  async reviewKeyFromScan(hostName: string) {
    await this.latestRun()
      .getByRole('button', { name: `Review key of ${hostName}` })
      .click();
  }

  async reviewKeyFromPending(hostName: string) {
    await this.pendingKeys.getByRole('button', { name: `Review key of ${hostName}` }).click();
  }

  /** Confirms the fingerprint was compared, then accepts the key. */
  async acceptKey() {
    await this.keyDialog.getByRole('checkbox', { name: /I compared this fingerprint/ }).check();
    await this.keyDialog.getByRole('button', { name: 'Accept and pin key' }).click();
  }

  async dismissFinishedScans() {
    for (const button of await this.scanPanel.getByRole('button', { name: 'Dismiss' }).all()) {
      await button.click();
    }
  }

  /** Closes the notifications, so a screenshot shows the page under them. */
  async dismissNotifications() {
    const buttons = this.page
      .getByRole('region', { name: 'Notifications' })
      .getByRole('button', { name: /^Dismiss/ });
    // Success notices also leave by themselves, so one may be gone before it is clicked.
    for (let i = 0; i < 10 && (await buttons.count()) > 0; i++) {
      await buttons
        .first()
        .click({ timeout: 2_000 })
        .catch(() => undefined);
    }
  }

  async openHost(name: string) {
    await this.table.getByRole('link', { name, exact: true }).click();
  }
}

/** One host's page: facts, packages, scan history, settings. */
export class HostPage {
  readonly heading: Locator;
  readonly packagesTable: Locator;
  readonly packageSearch: Locator;
  readonly history: Locator;
  readonly system: Locator;

  constructor(readonly page: Page) {
    this.history = page.getByRole('region', { name: 'Scan history' });
    this.system = page.getByRole('region', { name: 'System' });
    this.heading = page.getByRole('heading', { level: 1 });
    this.packagesTable = page.getByRole('table', { name: 'Packages' });
    this.packageSearch = page.getByRole('searchbox', { name: 'Search packages' });
  }

  async openTab(label: 'Overview' | 'Packages' | 'Scan history' | 'Settings') {
    await this.page.getByRole('tab', { name: new RegExp(`^${label}`) }).click();
  }

  packageRow(name: string): Locator {
    return this.packagesTable
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }
}
