import type { ReactNode } from 'react';

/** Props of Badge. */
export type BadgeProps = {
  tone: 'ok' | 'danger' | 'warn' | 'neutral' | 'info';
  children: ReactNode;
};

/** A small status pill; colour always comes with a word, never alone. */
export function Badge({ tone, children }: BadgeProps) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
