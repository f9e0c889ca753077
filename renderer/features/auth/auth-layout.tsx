import { useEffect, useState, type ReactNode } from 'react';

import type { SystemInfo } from '../../../shared/domain/schemas';
import { api } from '../../api/api-client';
import { runAction } from '../../stores/run-action';

/** Props of AuthCard. */
export type AuthCardProps = { title: string; intro?: ReactNode; children: ReactNode };

/** The centred card of the first-run, login and lock screens: brand, title, intro and form. */
export function AuthCard({ title, intro, children }: AuthCardProps) {
  return (
    <div className="auth-card">
      <div className="brand brand-large" aria-hidden="true">
        <span className="brand-mark" />
        PatchDeck
      </div>
      <h1>{title}</h1>
      {intro && <div className="auth-intro">{intro}</div>}
      {children}
    </div>
  );
}

/** Props of AuthLayout. */
export type AuthLayoutProps = AuthCardProps;

/** A page with the auth card, and the workspace it opens underneath. */
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
      <AuthCard title={title} intro={intro}>
        {children}
      </AuthCard>
      {info && (
        <p className="auth-footer">
          {info.productName} {info.version} · Workspace <code>{info.workspacePath}</code>
        </p>
      )}
    </main>
  );
}
