import { createHashRouter, Navigate, useRouteError } from 'react-router';

import { AreaPage } from '../features/areas/area-page';
import { AssetsPage } from '../features/assets/assets-page';
import { HostDetailPage } from '../features/assets/host-detail-page';
import { AuditPage } from '../features/audit/audit-page';
import { BundleDetailPage } from '../features/bundles/bundle-detail-page';
import { BundlesPage } from '../features/bundles/bundles-page';
import { CatalogPage } from '../features/catalog/catalog-page';
import { PatchDetailPage } from '../features/catalog/patch-detail-page';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { OperatorsPage } from '../features/operators/operators-page';
import { AboutPanel } from '../features/settings/about-panel';
import { CredentialsSettings } from '../features/settings/credentials-settings';
import { SessionSettings } from '../features/settings/session-settings';
import { SettingsIndex, SettingsLayout } from '../features/settings/settings-layout';
import { TrustSettings } from '../features/settings/trust-settings';

import { AppShell } from './app-shell';
import { ScreenFailed } from './error-boundary';

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
        { path: 'assets', element: <AssetsPage /> },
        { path: 'assets/:hostId', element: <HostDetailPage /> },
        { path: 'bundles', element: <BundlesPage /> },
        { path: 'bundles/:bundleId', element: <BundleDetailPage /> },
        { path: 'patches', element: <CatalogPage /> },
        { path: 'patches/:patchId', element: <PatchDetailPage /> },
        { path: 'deployments', element: <AreaPage area="deployments" /> },
        { path: 'compliance', element: <AreaPage area="compliance" /> },
        { path: 'reports', element: <AreaPage area="reports" /> },
        { path: 'audit', element: <AuditPage /> },
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
