import { rolesGrant, type Permission } from '../../shared/domain/roles';
import type { Operator } from '../../shared/domain/schemas';

/** True when the operator's roles grant the permission (the core decides; this only hides UI). */
export function can(operator: Operator | undefined, permission: Permission): boolean {
  return operator !== undefined && rolesGrant(operator.roles, permission);
}
