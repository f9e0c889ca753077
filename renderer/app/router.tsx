import { createHashRouter, Navigate, useRouteError } from 'react-router';

import { AreaPage } from '../features/areas/area-page';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { OperatorsPage } from '../features/operators/operators-page';
import { AboutPanel } from '../features/settings/about-panel';
import { CredentialsSettings } from '../features/settings/credentials-settings';
import { SessionSettings } from '../features/settings/session-settings';
import { SettingsIndex, SettingsLayout } from '../features/settings/settings-layout';
import { TrustSettings } from '../features/settings/trust-settings';

import { AppShell } from './app-shell';
import { ScreenFailed } from './error-boundary';

/*
 * Each area's screens load when first opened, so the first screen (login, dashboard) stays small.
 * The app is local: loading a screen costs a file read, not a network round trip.
 */
const assetsPage = async () => ({
  Component: (await import('../features/assets/assets-page')).AssetsPage,
});
const hostDetailPage = async () => ({
  Component: (await import('../features/assets/host-detail-page')).HostDetailPage,
});
const bundlesPage = async () => ({
  Component: (await import('../features/bundles/bundles-page')).BundlesPage,
});
const bundleDetailPage = async () => ({
  Component: (await import('../features/bundles/bundle-detail-page')).BundleDetailPage,
});
const catalogPage = async () => ({
  Component: (await import('../features/catalog/catalog-page')).CatalogPage,
});
const patchDetailPage = async () => ({
  Component: (await import('../features/catalog/patch-detail-page')).PatchDetailPage,
});
const auditPage = async () => ({
  Component: (await import('../features/audit/audit-page')).AuditPage,
});

function RouteError() {
  const error = useRouteError();
  console.error('Route failed', error);
  return <ScreenFailed />;
}

/**
 * The routes of the signed-in app, in hash mode so they work under the desktop app's own
 * protocol as well as over loopback HTTP.
 */
export function createAppRouter() {
  return createHashRouter([
    {
      path: '/',
      element: <AppShell />,
      errorElement: <RouteError />,
      children: [
        { index: true, element: <Navigate to="/dashboard" replace /> },
        { path: 'dashboard', element: <DashboardPage /> },
        { path: 'assets', lazy: assetsPage },
        { path: 'assets/:hostId', lazy: hostDetailPage },
        { path: 'bundles', lazy: bundlesPage },
        { path: 'bundles/:bundleId', lazy: bundleDetailPage },
        { path: 'patches', lazy: catalogPage },
        { path: 'patches/:patchId', lazy: patchDetailPage },
        { path: 'deployments', element: <AreaPage area="deployments" /> },
        { path: 'compliance', element: <AreaPage area="compliance" /> },
        { path: 'reports', element: <AreaPage area="reports" /> },
        { path: 'audit', lazy: auditPage },
        {
          path: 'settings',
          element: <SettingsLayout />,
          children: [
            { index: true, element: <SettingsIndex /> },
            { path: 'operators', element: <OperatorsPage /> },
            { path: 'credentials', element: <CredentialsSettings /> },
            { path: 'trust', element: <TrustSettings /> },
            { path: 'session', element: <SessionSettings /> },
            { path: 'about', element: <AboutPanel /> },
          ],
        },
        { path: '*', element: <Navigate to="/dashboard" replace /> },
      ],
    },
  ]);
}
