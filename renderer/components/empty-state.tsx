import type { ReactNode } from 'react';

/** Props of EmptyState. */
export type EmptyStateProps = { title: string; children?: ReactNode; actions?: ReactNode };

/** A calm panel for "nothing here yet", explaining what will appear and why. */
export function EmptyState({ title, children, actions }: EmptyStateProps) {
  return (
    <div className="empty-state">
      <h2 className="empty-title">{title}</h2>
      {children && <div className="empty-body">{children}</div>}
      {actions && <div className="empty-actions">{actions}</div>}
    </div>
  );
}

/** Props of LoadingState. */
export type LoadingStateProps = { label: string };

/** A quiet loading line, announced to screen readers. */
export function LoadingState({ label }: LoadingStateProps) {
  return (
    <div className="loading-state" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
