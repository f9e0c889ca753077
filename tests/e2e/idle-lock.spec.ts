import { expect, test } from './fixtures';
import { AuditPage } from './pages/audit-page';
import { FirstRunPage, LockPage, LoginPage } from './pages/auth-pages';
import { Shell } from './pages/shell';

// A workspace of its own: this spec must not depend on what first-run.spec.ts left behind.
test.use({ workspaceName: 'idle-lock' });

const ADMIN = {
  username: 'ines',
  displayName: 'Ines Okafor',
  password: 'marble falcon counts seven lanterns',
};

test('an idle session locks, unlocks with the password, and can switch operator', async ({
  page,
  app,
  screens,
}) => {
  await page.clock.install();
  await page.goto(app.url);
  await new FirstRunPage(page).createAdministrator(ADMIN);

  const shell = new Shell(page);
  const lock = new LockPage(page);
  const audit = new AuditPage(page);
  await expect(shell.operatorName).toHaveText(ADMIN.displayName);
  await audit.open();
  await expect(audit.heading).toBeVisible();

  // Nothing happens for the workspace's idle time (15 minutes by default).
  await page.clock.fastForward('15:01');
  await expect(lock.heading).toBeVisible();
  await expect(lock.signedInAs).toContainText(ADMIN.displayName);
  await expect(audit.heading).toBeHidden();
  await screens.take(page, 'lock');

  await lock.unlock('not my password at all');
  await expect(page.getByRole('alert')).toContainText('The username or password is not correct.');
  await lock.unlock(ADMIN.password);

  // Unlocking returns to the same screen, with its state intact.
  await expect(lock.heading).toBeHidden();
  await expect(audit.heading).toBeVisible();
  await expect(shell.navLink('Audit')).toHaveAttribute('aria-current', 'page');
  await expect(audit.row('auth.unlock')).toHaveCount(2);
  await expect(audit.row('auth.unlock').filter({ hasText: 'Failed' })).toHaveCount(1);

  await page.clock.fastForward('15:01');
  await expect(lock.heading).toBeVisible();
  await lock.switchOperatorButton.click();
  await expect(new LoginPage(page).heading).toBeVisible();
});
