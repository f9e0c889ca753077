import type { Locator, Page } from '@playwright/test';

/** The first-run screen: create the workspace's administrator. */
export class FirstRunPage {
  readonly heading: Locator;
  readonly username: Locator;
  readonly displayName: Locator;
  readonly password: Locator;
  readonly confirm: Locator;
  readonly strength: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Set up this workspace' });
    this.username = page.getByLabel('Username');
    this.displayName = page.getByLabel('Display name');
    this.password = page.getByLabel('Password', { exact: true });
    this.confirm = page.getByLabel('Confirm password');
    this.strength = page.getByRole('meter', { name: 'Password strength' });
    this.submit = page.getByRole('button', { name: 'Create administrator' });
  }

  async fill(user: { username: string; displayName: string; password: string }) {
    await this.username.fill(user.username);
    await this.displayName.fill(user.displayName);
    await this.password.fill(user.password);
    await this.confirm.fill(user.password);
  }

  async createAdministrator(user: { username: string; displayName: string; password: string }) {
    await this.fill(user);
    await this.submit.click();
  }
}

/** The login screen. */
export class LoginPage {
  readonly heading: Locator;
  readonly username: Locator;
  readonly password: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Log in' });
    this.username = page.getByLabel('Username');
    this.password = page.getByLabel('Password');
    this.submit = page.getByRole('button', { name: 'Log in' });
  }

  async logIn(username: string, password: string) {
    await this.username.fill(username);
    await this.password.fill(password);
    await this.submit.click();
  }
}

/** The lock screen shown when a session has been idle. */
export class LockPage {
  readonly heading: Locator;
  readonly signedInAs: Locator;
  readonly password: Locator;
  readonly unlockButton: Locator;
  readonly switchOperatorButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Session locked' });
    this.signedInAs = page.getByText(/Signed in as/);
    this.password = page.getByLabel('Password');
    this.unlockButton = page.getByRole('button', { name: 'Unlock' });
    this.switchOperatorButton = page.getByRole('button', { name: 'Switch operator' });
  }

  async unlock(password: string) {
    await this.password.fill(password);
    await this.unlockButton.click();
  }
}
