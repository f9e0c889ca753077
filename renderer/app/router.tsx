import { createHashRouter, Navigate, useRouteError } from 'react-router';

import { AreaPage } from '../features/areas/area-page';
import { AuditPage } from '../features/audit/audit-page';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { OperatorsPage } from '../features/operators/operators-page';
import { AboutPanel } from '../features/settings/about-panel';
import { SessionSettings } from '../features/settings/session-settings';
import { SettingsIndex, SettingsLayout } from '../features/settings/settings-layout';

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
        { path: 'assets', element: <AreaPage area="assets" /> },
        { path: 'bundles', element: <AreaPage area="bundles" /> },
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
            { path: 'session', element: <SessionSettings /> },
            { path: 'about', element: <AboutPanel /> },
          ],
        },
        { path: '*', element: <Navigate to="/dashboard" replace /> },
      ],
    },
  ]);
}
