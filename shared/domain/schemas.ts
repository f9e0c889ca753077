import { z } from 'zod';

import { APPROVER_TEAMS, ROLES } from './roles';

/** An ISO-8601 timestamp in UTC, as every time crosses the wire. */
export const IsoTime = z.iso.datetime({ offset: true });

/** A login name: letters, digits, dot, dash, underscore; case-insensitive and unique. */
export const Username = z
  .string()
  .trim()
  .min(2, 'Use at least 2 characters.')
  .max(64, 'Use at most 64 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits, dot, dash or underscore.');

/** A person's name as shown in the UI and the audit. */
export const DisplayName = z.string().trim().min(1, 'Enter a name.').max(120);

/** A password as typed; strength is judged by the core, not by the schema. */
export const Password = z.string().min(1, 'Enter a password.').max(1024);

/** One of the operator roles. */
export const RoleSchema = z.enum(ROLES);

/** One of the approver teams. */
export const ApproverTeamSchema = z.enum(APPROVER_TEAMS);

/** An operator as the UI sees it: never a password hash. */
export const OperatorSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(RoleSchema),
  approverTeams: z.array(ApproverTeamSchema),
  disabled: z.boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  lastLoginAt: IsoTime.nullable(),
});
/** An operator as the UI sees it. */
export type Operator = z.infer<typeof OperatorSchema>;

/** What a successful login or unlock gives the client. */
export const SessionSchema = z.object({
  token: z.string(),
  operator: OperatorSchema,
  idleLockMinutes: z.number(),
});
/** What a successful login or unlock gives the client. */
export type Session = z.infer<typeof SessionSchema>;

/** Workspace-wide settings an administrator may change. */
export const SettingsSchema = z.object({
  idleLockMinutes: z.number().int().min(1).max(240),
});
/** Workspace-wide settings. */
export type Settings = z.infer<typeof SettingsSchema>;

/** How a recorded action ended. */
export const AuditOutcomeSchema = z.enum(['ok', 'error', 'denied']);
/** How a recorded action ended. */
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

/** One record of the hash-chained audit log. */
export const AuditRecordSchema = z.object({
  seq: z.number().int().positive(),
  at: IsoTime,
  operatorId: z.string().nullable(),
  operatorName: z.string(),
  op: z.string(),
  inputDigest: z.string(),
  outcome: AuditOutcomeSchema,
  errorCode: z.string().nullable(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
/** One record of the hash-chained audit log. */
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** Filters of the audit list; every field narrows the result. */
export const AuditFilterSchema = z.object({
  operatorId: z.string().optional(),
  op: z.string().max(100).optional(),
  outcome: AuditOutcomeSchema.optional(),
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  text: z.string().max(200).optional(),
});
/** Filters of the audit list. */
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/** The result of checking the whole audit chain. */
export const AuditVerificationSchema = z.object({
  valid: z.boolean(),
  checked: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  firstBadSeq: z.number().int().nullable(),
  problem: z.string().nullable(),
  verifiedAt: IsoTime,
});
/** The result of checking the whole audit chain. */
export type AuditVerification = z.infer<typeof AuditVerificationSchema>;

/** Facts about the running PatchDeck, shown on About and login screens. */
export const SystemInfoSchema = z.object({
  productName: z.string(),
  version: z.string(),
  workspacePath: z.string(),
  schemaVersion: z.number().int(),
  transport: z.enum(['ipc', 'http', 'in-process']),
});
/** Facts about the running PatchDeck. */
export type SystemInfo = z.infer<typeof SystemInfoSchema>;
