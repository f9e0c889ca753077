import { expect, test } from './fixtures';
import { ApiProbe } from './pages/api-probe';
import { AuditPage } from './pages/audit-page';
import { FirstRunPage, LoginPage } from './pages/auth-pages';
import { SettingsPage } from './pages/settings-page';
import { Shell } from './pages/shell';

const ADMIN = {
  username: 'alice',
  displayName: 'Alice Admin',
  password: 'copper kettle rides lunar tram',
};
const TECHNICIAN = {
  username: 'tom',
  displayName: 'Tom Tech',
  password: 'granite owl sketches blue harbour',
  roles: ['Technician'],
};

test('first run, operators, roles enforced by the core, and an intact audit trail', async ({
  page,
  app,
  screens,
}) => {
  const firstRun = new FirstRunPage(page);
  const login = new LoginPage(page);
  const shell = new Shell(page);
  const settings = new SettingsPage(page);
  const audit = new AuditPage(page);

  await page.goto(app.url);
  await expect(firstRun.heading).toBeVisible();
  // The access token leaves the address bar as soon as the page has read it.
  await expect.poll(() => page.url()).not.toContain('token=');

  await firstRun.fill({ ...ADMIN, password: 'password123' });
  await expect(firstRun.strength).toHaveAttribute('aria-valuetext', /weak/i);
  await firstRun.fill(ADMIN);
  await expect(firstRun.strength).toHaveAttribute('aria-valuetext', /strong/i);
  await screens.take(page, 'first-run');
  await firstRun.submit.click();

  // Setting up logs the administrator in.
  await expect(shell.operatorName).toHaveText(ADMIN.displayName);
  await expect(shell.navLink('Dashboard')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText('Intact')).toBeVisible();
  await screens.take(page, 'dashboard');

  await settings.open();
  await expect(settings.section('Operators')).toHaveAttribute('aria-current', 'page');
  await expect(settings.operatorRow(ADMIN.username)).toBeVisible();
  await settings.fillNewOperator({ ...TECHNICIAN, roles: ['Technician', 'Approver'] });
  await screens.take(page, 'operator-dialog');
  await settings.setRole('Approver', false);
  await settings.submitNewOperator();
  await expect(settings.dialog).toBeHidden();
  await expect(settings.operatorRow(TECHNICIAN.username)).toContainText('Technician');
  await expect(settings.operatorRow(TECHNICIAN.username)).toContainText('Active');
  await screens.take(page, 'operators');

  await shell.logOut();
  await expect(login.heading).toBeVisible();
  await screens.take(page, 'login');

  // A fresh window opens on login without downloading the password-strength dictionaries.
  const fresh = await page.context().newPage();
  const scripts: string[] = [];
  fresh.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(request.url());
  });
  await fresh.goto(app.url);
  await expect(new LoginPage(fresh).heading).toBeVisible();
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.filter((url) => url.includes('password-policy'))).toEqual([]);
  await fresh.close();

  await login.logIn(TECHNICIAN.username, TECHNICIAN.password);
  await expect(shell.operatorName).toHaveText(TECHNICIAN.displayName);

  // The UI does not offer operator management to a technician…
  await settings.open();
  await expect(settings.section('Session')).toHaveAttribute('aria-current', 'page');
  await expect(settings.section('Operators')).toHaveCount(0);
  await expect(settings.newOperatorButton).toHaveCount(0);

  // …and the core refuses it even when asked directly with the technician's session.
  const probe = new ApiProbe(page);
  const listed = await probe.call('operators.list', {});
  expect(listed.ok).toBe(false);
  expect(listed.error?.code).toBe('PERMISSION_DENIED');
  const created = await probe.call('operators.create', {
    username: 'mallory',
    displayName: 'Mallory',
    password: 'violet canyon drums quietly',
    roles: ['administrator'],
  });
  expect(created.error?.code).toBe('PERMISSION_DENIED');

  await audit.open();
  await expect(audit.heading).toBeVisible();
  await expect(audit.row('auth.setupAdmin')).toHaveCount(1);
  await expect(audit.row('operators.create', ADMIN.username)).toContainText('OK');
  await expect(audit.row('auth.logout', ADMIN.username)).toHaveCount(1);
  await expect(audit.row('auth.login', TECHNICIAN.username)).toContainText('OK');
  await expect(audit.row('operators.list', TECHNICIAN.username)).toContainText('Denied');
  await expect(audit.row('operators.create', TECHNICIAN.username)).toContainText('Denied');

  await audit.row('operators.list', TECHNICIAN.username).click();
  await expect(audit.detail).toContainText('PERMISSION_DENIED');
  await expect(audit.detail).toContainText('Previous hash');

  await audit.filterByOutcome('Denied');
  await expect(audit.rows).toHaveCount(2);
  await audit.filterByOutcome('Any');
  await expect(audit.rows).toHaveCount(6);

  await audit.verifyChain();
  await expect(audit.verifyBanner).toContainText('Audit chain verified');
  await screens.take(page, 'audit');

  await shell.goTo('Bundles');
  await expect(page.getByRole('heading', { name: 'No bundles imported yet' })).toBeVisible();
  await screens.take(page, 'empty-area');
});
