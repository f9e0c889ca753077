import type { Locator, Page } from '@playwright/test';

/** The signed-in frame: header with the operator, left navigation. */
export class Shell {
  readonly nav: Locator;
  readonly operatorName: Locator;
  readonly logoutButton: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.operatorName = page.getByTestId('current-operator');
    this.logoutButton = page.getByRole('button', { name: 'Log out' });
  }

  navLink(label: string): Locator {
    return this.nav.getByRole('link', { name: label, exact: true });
  }

  async goTo(label: string) {
    await this.navLink(label).click();
  }

  async logOut() {
    await this.logoutButton.click();
  }
}
