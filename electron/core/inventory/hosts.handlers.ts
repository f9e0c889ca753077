import { AppError } from '../../../shared/api/errors';
import type { HostDetail } from '../../../shared/domain/assets';
import type { ReadDb } from '../db/workspace';
import type { AreaHandlers } from '../platform/handlers';

import {
  deleteHosts,
  findHostByAddress,
  findJumpDependents,
  getHostDetail,
  getHostRow,
  insertHost,
  listHosts,
  searchHostPackages,
  updateHostAttributes,
  updateHostConnection,
  type HostRow,
} from './hosts.repository';
import {
  hostLabel,
  requireCredential,
  requireHost,
  type InventoryContext,
} from './inventory.context';
import { getScanDiff, listHostScans } from './scans.repository';

/** The host operations. */
export type HostOps =
  | 'hosts.list'
  | 'hosts.get'
  | 'hosts.packages'
  | 'hosts.create'
  | 'hosts.update'
  | 'hosts.delete'
  | 'hosts.scanHistory'
  | 'hosts.scanDiff';

function refuseTakenAddress(db: ReadDb, address: string, port: number, self?: string): void {
  const other = findHostByAddress(db, address, port);
  if (other && other.id !== self) {
    throw new AppError(
      'HOST_ADDRESS_TAKEN',
      `${other.name} already has the address ${address}:${port}. Open that host instead, or correct the address.`,
      { hostId: other.id, address, port },
    );
  }
}

/** A jump host must exist, must not be the host itself, and must not lead back to it. */
function checkJumpHost(db: ReadDb, jumpHostId: string | null, self?: string): void {
  if (jumpHostId === null) return;
  const seen = new Set<string>(self === undefined ? [] : [self]);
  let current: HostRow | undefined = getHostRow(db, jumpHostId);
  if (!current) {
    throw new AppError('HOST_NOT_FOUND', 'The chosen jump host is not in the inventory.', {
      jumpHostId,
    });
  }
  while (current) {
    if (seen.has(current.id)) {
      throw new AppError(
        'VALIDATION_FAILED',
        'A host cannot be reached through itself: the jump hosts would form a loop.',
        { issues: [{ path: 'jumpHostId', message: 'The jump hosts would form a loop.' }] },
      );
    }
    seen.add(current.id);
    current = current.jumpHostId === null ? undefined : getHostRow(db, current.jumpHostId);
  }
}

function detail(ctx: InventoryContext, hostId: string, now: Date): HostDetail {
  const host = getHostDetail(ctx.workspace, hostId, now);
  if (!host) throw new Error(`host ${hostId} vanished after it was written`);
  return host;
}

/** Handlers of the host inventory: list, read, create, change, delete, scan history. */
export function hostHandlers(ctx: InventoryContext): AreaHandlers<HostOps> {
  const { workspace, events, ids } = ctx;
  return {
    'hosts.list': (input, call) => Promise.resolve(listHosts(workspace, input, call.now)),

    'hosts.get': (input, call) => {
      requireHost(workspace, input.hostId);
      return Promise.resolve(detail(ctx, input.hostId, call.now));
    },

    'hosts.packages': (input) => {
      requireHost(workspace, input.hostId);
      return Promise.resolve(searchHostPackages(workspace, input));
    },

    'hosts.create': (input, call) => {
      const { address, port, username, credentialId, jumpHostId, ...attributes } = input;
      refuseTakenAddress(workspace, address, port);
      if (credentialId !== null) requireCredential(workspace, credentialId);
      checkJumpHost(workspace, jumpHostId);
      const id = ids.next('host');
      const name = attributes.name ?? address;
      call.describe(`Added host ${hostLabel({ name, address, port })}`, {
        hostId: id,
        address,
        port,
        username,
        credentialId,
        jumpHostId,
      });
      call.commit((tx) => {
        refuseTakenAddress(tx, address, port);
        insertHost(tx, {
          ...attributes,
          id,
          name,
          address,
          port,
          username,
          credentialId,
          jumpHostId,
          source: 'manual',
          at: call.now.toISOString(),
        });
      });
      events.emit('hosts.changed', { hostIds: [id] });
      return Promise.resolve(detail(ctx, id, call.now));
    },

    'hosts.update': (input, call) => {
      const { hostId, address, port, username, credentialId, jumpHostId, ...attributes } = input;
      const host = requireHost(workspace, hostId);
      const nextAddress = address ?? host.address;
      const nextPort = port ?? host.port;
      if (address !== undefined || port !== undefined) {
        refuseTakenAddress(workspace, nextAddress, nextPort, hostId);
      }
      if (credentialId !== undefined && credentialId !== null) {
        requireCredential(workspace, credentialId);
      }
      if (jumpHostId !== undefined) checkJumpHost(workspace, jumpHostId, hostId);
      const changed = Object.keys(input).filter((key) => key !== 'hostId');
      call.describe(`Changed host ${hostLabel(host)}: ${changed.join(', ') || 'nothing'}`, {
        hostId,
        fields: changed,
      });
      const at = call.now.toISOString();
      call.commit((tx) => {
        if (address !== undefined || port !== undefined) {
          refuseTakenAddress(tx, nextAddress, nextPort, hostId);
        }
        updateHostAttributes(tx, hostId, attributes, at);
        updateHostConnection(
          tx,
          hostId,
          {
            ...(address === undefined ? {} : { address }),
            ...(port === undefined ? {} : { port }),
            ...(username === undefined ? {} : { username }),
            ...(credentialId === undefined ? {} : { credentialId }),
            ...(jumpHostId === undefined ? {} : { jumpHostId }),
          },
          at,
        );
      });
      events.emit('hosts.changed', { hostIds: [hostId] });
      return Promise.resolve(detail(ctx, hostId, call.now));
    },

    'hosts.delete': (input, call) => {
      const ids = [...new Set(input.hostIds)];
      const dependents = findJumpDependents(workspace, ids, new Set(ids));
      if (dependents.length > 0) {
        const names = dependents.slice(0, 5).map((h) => h.name);
        throw new AppError(
          'HOST_IS_JUMP_HOST',
          `${names.join(', ')}${dependents.length > 5 ? ` and ${dependents.length - 5} more` : ''} reach the network through a host you are removing. Change their jump host first, or remove them too.`,
          { hostIds: dependents.map((h) => h.id) },
        );
      }
      const single = ids.length === 1 ? getHostRow(workspace, ids[0]!) : undefined;
      call.describe(single ? `Removed host ${hostLabel(single)}` : `Removed ${ids.length} hosts`, {
        hostIds: ids.length <= 1000 ? ids : ids.slice(0, 1000),
        count: ids.length,
      });
      const deleted = call.commit((tx) => deleteHosts(tx, ids));
      events.emit('hosts.changed', { hostIds: ids.length > 1000 ? 'all' : ids });
      events.emit('hostKeys.changed', { hostId: null });
      return Promise.resolve({ deleted });
    },

    'hosts.scanHistory': (input) => {
      requireHost(workspace, input.hostId);
      return Promise.resolve(listHostScans(workspace, input.hostId, input.limit));
    },

    'hosts.scanDiff': (input) => {
      const diff = getScanDiff(workspace, input.scanId);
      if (!diff) {
        throw new AppError('SCAN_NOT_FOUND', 'That scan is not known (any more).', {
          scanId: input.scanId,
        });
      }
      return Promise.resolve(diff);
    },
  };
}
