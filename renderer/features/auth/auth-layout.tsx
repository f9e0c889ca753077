import { useEffect, useState, type ReactNode } from 'react';

import type { SystemInfo } from '../../../shared/domain/schemas';
import { api } from '../../api/api-client';
import { runAction } from '../../stores/run-action';

/** Props of AuthLayout. */
export type AuthLayoutProps = { title: string; intro?: ReactNode; children: ReactNode };

/** The centred card used by first run, login and lock, with the workspace underneath. */
export function AuthLayout({ title, intro, children }: AuthLayoutProps) {
  const [info, setInfo] = useState<SystemInfo>();
  useEffect(() => {
    let live = true;
    void runAction('Reading workspace details', () => api.call('system.info', {}), {
      notify: false,
    }).then((value) => {
      if (live && value) setInfo(value);
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <main className="auth-page" id="main-content">
      <div className="auth-card">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" />
          PatchDeck
        </div>
        <h1>{title}</h1>
        {intro && <div className="auth-intro">{intro}</div>}
        {children}
      </div>
      {info && (
        <p className="auth-footer">
          {info.productName} {info.version} · Workspace <code>{info.workspacePath}</code>
        </p>
      )}
    </main>
  );
}
