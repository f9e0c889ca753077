import type { MouseEvent } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';

import { ROLE_LABELS } from '../../shared/domain/roles';
import { Button } from '../components/button';
import { useSessionStore } from '../features/auth/session.store';

import { ErrorBoundary } from './error-boundary';
import { NAV_ITEMS } from './nav-items';

/** Header, left navigation and the current page. */
export function AppShell() {
  const operator = useSessionStore((s) => s.operator);
  const logout = useSessionStore((s) => s.logout);
  const location = useLocation();

  return (
    <div className="shell">
      <a className="skip-link" href="#main-content" onClick={focusMain}>
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand" aria-hidden="true">
          <span className="brand-mark" />
          PatchDeck
        </div>
        {operator && (
          <div className="topbar-operator">
            <span className="operator-name" data-testid="current-operator">
              {operator.displayName}
            </span>
            <span className="operator-roles">
              {operator.roles.map((role) => ROLE_LABELS[role]).join(', ')}
            </span>
            <Button size="small" variant="ghost" onClick={() => void logout()}>
              Log out
            </Button>
          </div>
        )}
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {NAV_ITEMS.map((item) => (
            <li key={item.path}>
              <NavLink to={item.path} className="sidenav-link">
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="main-content" tabIndex={-1}>
        <ErrorBoundary key={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}

function focusMain(event: MouseEvent<HTMLAnchorElement>) {
  // The hash belongs to the router, so move focus by hand instead of following the link.
  event.preventDefault();
  document.getElementById('main-content')?.focus();
}
