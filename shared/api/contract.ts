import { z } from 'zod';

import {
  ApproverTeamSchema,
  AuditFilterSchema,
  AuditRecordSchema,
  AuditVerificationSchema,
  DisplayName,
  OperatorSchema,
  Password,
  RoleSchema,
  SessionSchema,
  SettingsSchema,
  SystemInfoSchema,
  Username,
} from '../domain/schemas';

import { op } from './op';
import { assetOperations } from './ops/assets';
import { bundleOperations } from './ops/bundles';
import { catalogOperations } from './ops/catalog';

const Empty = z.object({}).strict();
const Done = z.object({ done: z.literal(true) });

/**
 * Every operation the UI can ask of the core, keyed by `domain.verbNoun`.
 *
 * Each takes exactly one object argument and returns one value. Both transports (Electron IPC
 * and loopback HTTP) serve this table unchanged; the dispatcher validates the input and checks
 * `access` before any handler runs. Commands are recorded in the audit log.
 */
export const operations = {
  'system.info': op('query', 'public', Empty, SystemInfoSchema),

  'auth.status': op(
    'query',
    'public',
    Empty,
    z.object({ needsSetup: z.boolean(), idleLockMinutes: z.number() }),
  ),
  'auth.setupAdmin': op(
    'command',
    'public',
    z.object({ username: Username, displayName: DisplayName, password: Password }).strict(),
    SessionSchema,
  ),
  'auth.login': op(
    'command',
    'public',
    z.object({ username: z.string().trim().min(1).max(64), password: Password }).strict(),
    SessionSchema,
  ),
  'auth.unlock': op('command', 'public', z.object({ password: Password }).strict(), SessionSchema),
  'auth.logout': op('command', 'session', Empty, Done),
  'auth.me': op('query', 'session', Empty, OperatorSchema),
  'auth.changePassword': op(
    'command',
    'session',
    z.object({ currentPassword: Password, newPassword: Password }).strict(),
    Done,
  ),

  'operators.list': op('query', 'operators.manage', Empty, z.array(OperatorSchema)),
  'operators.create': op(
    'command',
    'operators.manage',
    z
      .object({
        username: Username,
        displayName: DisplayName,
        password: Password,
        roles: z.array(RoleSchema).min(1, 'Give the operator at least one role.'),
        approverTeams: z.array(ApproverTeamSchema).default([]),
      })
      .strict(),
    OperatorSchema,
  ),
  'operators.update': op(
    'command',
    'operators.manage',
    z
      .object({
        operatorId: z.string().min(1),
        displayName: DisplayName.optional(),
        roles: z.array(RoleSchema).min(1, 'Give the operator at least one role.').optional(),
        approverTeams: z.array(ApproverTeamSchema).optional(),
      })
      .strict(),
    OperatorSchema,
  ),
  'operators.setDisabled': op(
    'command',
    'operators.manage',
    z.object({ operatorId: z.string().min(1), disabled: z.boolean() }).strict(),
    OperatorSchema,
  ),
  'operators.resetPassword': op(
    'command',
    'operators.manage',
    z.object({ operatorId: z.string().min(1), newPassword: Password }).strict(),
    Done,
  ),

  'settings.get': op('query', 'session', Empty, SettingsSchema),
  'settings.update': op(
    'command',
    'settings.manage',
    SettingsSchema.partial().strict(),
    SettingsSchema,
  ),

  'audit.list': op(
    'query',
    'audit.read',
    z
      .object({
        filter: AuditFilterSchema.default({}),
        beforeSeq: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    z.object({ records: z.array(AuditRecordSchema), total: z.number().int() }),
  ),
  'audit.get': op(
    'query',
    'audit.read',
    z.object({ seq: z.number().int().positive() }).strict(),
    AuditRecordSchema,
  ),
  'audit.verify': op('query', 'audit.verify', Empty, AuditVerificationSchema),

  ...assetOperations,
  ...bundleOperations,
  ...catalogOperations,
} as const;

export type { Access, OpKind } from './op';

/** The operation table's type. */
export type Operations = typeof operations;
/** The name of any operation. */
export type OpName = keyof Operations;
/** What a caller passes to an operation (defaults may be left out). */
export type OpInput<N extends OpName> = z.input<Operations[N]['input']>;
/** What a handler receives, after validation and defaults. */
export type OpParsedInput<N extends OpName> = z.output<Operations[N]['input']>;
/** What an operation returns. */
export type OpOutput<N extends OpName> = z.output<Operations[N]['output']>;

/** Every operation name, in table order. */
export const OP_NAMES = Object.keys(operations) as OpName[];

/** True when the string names an operation of the contract. */
export function isOpName(name: string): name is OpName {
  return Object.hasOwn(operations, name);
}

/** Input keys whose values never enter the audit log, logs or digests. */
export const SECRET_INPUT_KEYS: ReadonlySet<string> = new Set([
  'password',
  'currentPassword',
  'newPassword',
  'passphrase',
  'sudoPassword',
  'token',
]);
