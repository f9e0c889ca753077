/** What an operator may be: each role grants a fixed set of permissions. */
export const ROLES = ['administrator', 'technician', 'approver', 'auditor'] as const;

/** One of the four operator roles. */
export type Role = (typeof ROLES)[number];

/** The teams an approver signs off for. */
export const APPROVER_TEAMS = ['infrastructure', 'security', 'application-owner', 'cab'] as const;

/** One approver team. */
export type ApproverTeam = (typeof APPROVER_TEAMS)[number];

/** Everything the dispatcher can require of an operator, one name per capability. */
export const PERMISSIONS = [
  'workspace.read',
  'audit.read',
  'audit.verify',
  'operators.manage',
  'settings.manage',
  'reports.export',
  'hosts.manage',
  'hosts.scan',
  'hostkeys.accept',
  'hostkeys.repin',
  'credentials.manage',
  'bundles.import',
  'bundles.overrideExpiry',
  'trust.manage',
] as const;

/** One permission checked by the dispatcher. */
export type Permission = (typeof PERMISSIONS)[number];

const READ_ONLY: readonly Permission[] = ['workspace.read', 'audit.read', 'audit.verify'];

/**
 * The permissions each role grants.
 *
 * Technicians and approvers get more as deployments and approvals land; the auditor stays
 * read-only, with export.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  administrator: PERMISSIONS,
  technician: [...READ_ONLY, 'hosts.manage', 'hosts.scan', 'hostkeys.accept', 'bundles.import'],
  approver: READ_ONLY,
  auditor: [...READ_ONLY, 'reports.export'],
};

/** Human labels for roles, for the UI and the audit. */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  administrator: 'Administrator',
  technician: 'Technician',
  approver: 'Approver',
  auditor: 'Auditor',
};

/** Human labels for approver teams. */
export const APPROVER_TEAM_LABELS: Readonly<Record<ApproverTeam, string>> = {
  infrastructure: 'Infrastructure',
  security: 'Security',
  'application-owner': 'Application owner',
  cab: 'Change advisory board',
};

/** True when any of the roles grants the permission. */
export function rolesGrant(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}
