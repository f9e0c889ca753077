import type { z } from 'zod';

import type { Permission } from '../domain/roles';

/** How an operation may be used: queries never change state, commands may. */
export type OpKind = 'query' | 'command';

/**
 * Who may call an operation.
 *
 * - `public`: anyone who reached the transport (first-run setup, login, status);
 * - `session`: any logged-in operator whose session is not locked;
 * - a permission: a logged-in operator one of whose roles grants it.
 */
export type Access = 'public' | 'session' | Permission;

/** One entry of the operation table: its kind, who may call it, and its input and output. */
export function op<I extends z.ZodType, O extends z.ZodType>(
  kind: OpKind,
  access: Access,
  input: I,
  output: O,
) {
  return { kind, access, input, output } as const;
}
