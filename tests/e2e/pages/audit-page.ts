import type { Locator, Page } from '@playwright/test';

import { Shell } from './shell';

/** The Audit page: the virtualised log, its filters, the detail panel and chain verification. */
export class AuditPage {
  readonly shell: Shell;
  readonly heading: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly verifyButton: Locator;
  readonly verifyBanner: Locator;
  readonly search: Locator;
  readonly outcome: Locator;
  readonly detail: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.heading = page.getByRole('heading', { name: 'Audit', exact: true });
    this.table = page.getByRole('table', { name: 'Audit records' });
    this.rows = this.table.getByRole('row').filter({ has: page.getByRole('cell') });
    this.verifyButton = page.getByRole('button', { name: 'Verify chain' });
    this.verifyBanner = page.getByTestId('verify-banner');
    this.search = page.getByRole('searchbox', { name: 'Search' });
    this.outcome = page.getByRole('combobox', { name: 'Outcome' });
    this.detail = page.getByRole('complementary', { name: /^Record #/ });
  }

  async open() {
    await this.shell.goTo('Audit');
  }

  /** Rows whose operation and operator match, e.g. `row('auth.login', 'Tom Tech')`. */
  row(op: string, operatorName?: string): Locator {
    let rows = this.rows.filter({ has: this.page.getByRole('cell', { name: op, exact: true }) });
    if (operatorName) {
      rows = rows.filter({
        has: this.page.getByRole('cell', { name: operatorName, exact: true }),
      });
    }
    return rows;
  }

  async filterByOutcome(label: 'Any' | 'OK' | 'Failed' | 'Denied') {
    await this.outcome.selectOption({ label });
  }

  async verifyChain() {
    await this.verifyButton.click();
  }
}
