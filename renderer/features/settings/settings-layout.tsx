import { Navigate, NavLink, Outlet } from 'react-router';

import { can } from '../../lib/permissions';
import { useSessionStore } from '../auth/session.store';

/** Settings with its sections; Operators is offered to administrators only. */
export function SettingsLayout() {
  const operator = useSessionStore((s) => s.operator);
  const sections = [
    ...(can(operator, 'operators.manage') ? [{ path: 'operators', label: 'Operators' }] : []),
    { path: 'credentials', label: 'Credentials' },
    { path: 'trust', label: 'Trusted publishers' },
    { path: 'session', label: 'Session' },
    { path: 'about', label: 'About' },
  ];
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Settings</h1>
          <p className="page-lead">How this workspace is run and who may use it.</p>
        </div>
      </header>
      <nav className="subnav" aria-label="Settings sections">
        {sections.map((section) => (
          <NavLink key={section.path} to={section.path} className="subnav-link">
            {section.label}
          </NavLink>
        ))}
      </nav>
      <div className="subpage">
        <Outlet />
      </div>
    </div>
  );
}

/** Opens the first section the operator may use. */
export function SettingsIndex() {
  const operator = useSessionStore((s) => s.operator);
  return <Navigate to={can(operator, 'operators.manage') ? 'operators' : 'session'} replace />;
}
