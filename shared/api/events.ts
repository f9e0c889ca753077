import { z } from 'zod';

import { AuditRecordSchema } from '../domain/schemas';

import { assetEvents } from './ops/assets';
import { bundleEvents } from './ops/bundles';

/**
 * Every event the core pushes to its clients, keyed by `domain.pastOrNoun`.
 *
 * Events carry no secrets: a client that is not logged in may still be subscribed.
 */
export const events = {
  /** A record was appended to the audit log. */
  'audit.appended': z.object({
    seq: z.number().int(),
    op: z.string(),
    outcome: z.string(),
    operatorName: z.string(),
  }),
  /** Operators were created, changed, disabled or had their password reset. */
  'operators.changed': z.object({ operatorId: z.string() }),
  /** Workspace settings changed. */
  'settings.changed': z.object({ idleLockMinutes: z.number() }),
  /** The workspace was saved to disk as a full snapshot (journal compacted). */
  'workspace.snapshotted': z.object({ at: z.string(), bytes: z.number() }),
  /** A save to disk failed; the last change was not kept. */
  'workspace.storageFailed': z.object({ message: z.string() }),
  /** Long work moved on: the shape every long task shares. */
  'task.progress': z.object({
    taskId: z.string(),
    kind: z.string(),
    done: z.number(),
    total: z.number().nullable(),
    message: z.string(),
  }),

  ...assetEvents,
  ...bundleEvents,
} as const;

/** The event table's type. */
export type Events = typeof events;
/** The name of any event. */
export type EventName = keyof Events;
/** The payload of an event. */
export type EventPayload<N extends EventName> = z.infer<Events[N]>;

/** True when the string names an event of the contract. */
export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

/** Re-exported so a client can type an appended record when it fetches it. */
export { AuditRecordSchema };
