import type { Locator, Page } from '@playwright/test';

import { Shell } from './shell';

/** The Bundles page, its import dialog and a bundle's own page. */
export class BundlesPage {
  readonly shell: Shell;
  readonly heading: Locator;
  readonly emptyState: Locator;
  readonly importButton: Locator;
  readonly table: Locator;
  readonly dialog: Locator;
  readonly sourcePath: Locator;
  readonly mediaRefresh: Locator;
  readonly checkButton: Locator;
  readonly inspection: Locator;
  readonly startImport: Locator;
  readonly progress: Locator;
  readonly progressBar: Locator;
  readonly report: Locator;
  readonly refusal: Locator;
  readonly chooseAnother: Locator;
  readonly showHashes: Locator;
  readonly fileTable: Locator;
  readonly done: Locator;
  /** The state of the store copy, in the import dialog after the commit. */
  readonly storeCopy: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.heading = page.getByRole('heading', { name: 'Bundles', exact: true });
    this.emptyState = page.getByRole('heading', { name: 'No bundles imported yet' });
    this.importButton = page.getByRole('button', { name: 'Import bundle' }).first();
    this.table = page.getByRole('table', { name: 'Imported bundles' });
    this.dialog = page.getByRole('dialog');
    this.sourcePath = this.dialog.getByLabel('Bundle folder or .tar file');
    this.mediaRefresh = this.dialog.getByRole('button', { name: 'Refresh' });
    this.checkButton = this.dialog.getByRole('button', { name: 'Check bundle' });
    this.inspection = this.dialog.getByTestId('inspection');
    this.startImport = this.dialog.getByRole('button', { name: 'Import', exact: true });
    this.progress = this.dialog.getByTestId('import-progress');
    this.progressBar = this.dialog.getByRole('progressbar', { name: 'Import progress' });
    this.report = this.dialog.getByRole('region', { name: 'Verification report' });
    this.refusal = this.dialog.getByTestId('import-refusal');
    this.chooseAnother = this.dialog.getByRole('button', { name: 'Choose another source' });
    this.showHashes = this.dialog.getByText('Show each file and its hash');
    this.fileTable = this.dialog.getByRole('table', { name: 'Files and hashes' });
    this.done = this.dialog.getByRole('button', { name: 'Done' });
    this.storeCopy = this.dialog.getByTestId('store-status');
  }

  async open() {
    await this.shell.goTo('Bundles');
  }

  /** Opens the import dialog and has the core read what the path holds. */
  async inspect(path: string) {
    if (!(await this.dialog.isVisible())) await this.importButton.click();
    await this.sourcePath.fill(path);
    await this.checkButton.click();
  }

  /** The row of an imported bundle. */
  row(bundleId: string): Locator {
    return this.table.getByRole('row').filter({
      has: this.page.getByRole('rowheader', { name: bundleId, exact: true }),
    });
  }

  /** The store copy state shown in an imported bundle's row. */
  storeStatus(bundleId: string): Locator {
    return this.row(bundleId).getByTestId('store-status');
  }

  /** A check of the verification report, by its title. */
  check(title: string): Locator {
    return this.report.getByRole('listitem').filter({ hasText: title });
  }

  /** Opens a bundle's own page from the list. */
  async openBundle(bundleId: string) {
    await this.row(bundleId).getByRole('link', { name: bundleId }).click();
  }

  /** A tab of a bundle's page. */
  tab(label: string): Locator {
    return this.page.getByRole('tab', { name: new RegExp(`^${label}`) });
  }
}

/** The patch catalog and a patch's page. */
export class CatalogPage {
  readonly shell: Shell;
  readonly heading: Locator;
  readonly freshness: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly search: Locator;
  readonly cve: Locator;
  readonly severity: Locator;
  readonly summary: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.heading = page.getByRole('heading', { name: 'Patches', exact: true });
    this.freshness = page.getByTestId('catalog-freshness');
    this.table = page.getByRole('table', { name: 'Patches' });
    this.rows = this.table.getByRole('row').filter({ has: page.getByRole('rowheader') });
    this.search = page.getByRole('searchbox', { name: 'Search' });
    this.cve = page.getByRole('textbox', { name: 'CVE' });
    this.severity = page.getByRole('combobox', { name: 'Severity' });
    this.summary = page.locator('.table-summary');
  }

  async open() {
    await this.shell.goTo('Patches');
  }

  /** The row of a patch. */
  row(patchId: string): Locator {
    return this.rows.filter({
      has: this.page.getByRole('rowheader', { name: patchId, exact: true }),
    });
  }

  async openPatch(patchId: string) {
    await this.row(patchId).click();
  }
}

/** Settings → Trusted publishers, with its add and revoke dialogs. */
export class TrustSettingsPage {
  readonly shell: Shell;
  readonly heading: Locator;
  readonly addButton: Locator;
  readonly adminOnlyNotice: Locator;
  readonly dialog: Locator;
  readonly rootPath: Locator;
  readonly readRoot: Locator;
  readonly shownFingerprints: Locator;
  readonly typedFingerprint: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.heading = page.getByRole('heading', { name: 'Trusted publishers', exact: true });
    this.addButton = page.getByRole('button', { name: 'Add publisher' });
    this.adminOnlyNotice = page.getByText('Only administrators can add publishers or revoke keys.');
    this.dialog = page.getByRole('dialog');
    this.rootPath = this.dialog.getByLabel("Path to the publisher's root file");
    this.readRoot = this.dialog.getByRole('button', { name: 'Read root file' });
    this.shownFingerprints = this.dialog.getByTestId('root-fingerprint');
    this.typedFingerprint = this.dialog.getByLabel('Fingerprint received from the publisher');
  }

  async open() {
    await this.shell.goTo('Settings');
    await this.page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link', { name: 'Trusted publishers' })
      .click();
  }

  /** Reads a root file in the add dialog, up to the fingerprint check. */
  async readRootFile(path: string) {
    await this.addButton.click();
    await this.rootPath.fill(path);
    await this.readRoot.click();
  }

  /** Types the fingerprint received from the publisher and confirms. */
  async confirmFingerprint(fingerprint: string, publisher: string) {
    await this.typedFingerprint.fill(fingerprint);
    await this.dialog.getByRole('button', { name: `Trust ${publisher}` }).click();
  }

  /** The card of a trusted publisher. */
  publisher(name: string): Locator {
    return this.page.getByRole('region', { name, exact: true });
  }
}
