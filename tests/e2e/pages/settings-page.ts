import type { Locator, Page } from '@playwright/test';

import { Shell } from './shell';

/** A new operator as the create dialog takes it. */
export type NewOperator = {
  username: string;
  displayName: string;
  password: string;
  roles: string[];
};

/** Settings with its Operators, Session and About sections. */
export class SettingsPage {
  readonly shell: Shell;
  readonly sections: Locator;
  readonly operatorsTable: Locator;
  readonly newOperatorButton: Locator;
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.sections = page.getByRole('navigation', { name: 'Settings sections' });
    this.operatorsTable = page.getByRole('table', { name: 'Operators' });
    this.newOperatorButton = page.getByRole('button', { name: 'New operator' });
    this.dialog = page.getByRole('dialog');
  }

  async open() {
    await this.shell.goTo('Settings');
  }

  section(label: string): Locator {
    return this.sections.getByRole('link', { name: label, exact: true });
  }

  async openSection(label: string) {
    await this.section(label).click();
  }

  operatorRow(username: string): Locator {
    return this.operatorsTable.getByRole('row').filter({
      has: this.page.getByRole('rowheader', { name: new RegExp(`^${username}\\b`) }),
    });
  }

  async createOperator(operator: NewOperator) {
    await this.fillNewOperator(operator);
    await this.dialog.getByRole('button', { name: 'Create operator' }).click();
  }

  async fillNewOperator(operator: NewOperator) {
    await this.newOperatorButton.click();
    await this.dialog.getByLabel('Username').fill(operator.username);
    await this.dialog.getByLabel('Display name').fill(operator.displayName);
    await this.dialog.getByLabel('Password', { exact: true }).fill(operator.password);
    await this.dialog.getByLabel('Confirm password').fill(operator.password);
    for (const role of operator.roles) {
      await this.dialog.getByRole('checkbox', { name: new RegExp(`^${role}`) }).check();
    }
  }

  async setRole(role: string, on: boolean) {
    await this.dialog.getByRole('checkbox', { name: new RegExp(`^${role}`) }).setChecked(on);
  }

  async submitNewOperator() {
    await this.dialog.getByRole('button', { name: 'Create operator' }).click();
  }
}
