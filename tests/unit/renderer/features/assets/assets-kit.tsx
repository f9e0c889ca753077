import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';

import { api, installTransport } from '../../../../../renderer/api/api-client';
import { useSessionStore } from '../../../../../renderer/features/auth/session.store';
import { resetSessionState } from '../../../../../renderer/stores/session-events';
import type { ApiClient, Transport } from '../../../../../shared/api/client';
import type { OpName } from '../../../../../shared/api/contract';
import type { Role } from '../../../../../shared/domain/roles';
import { inProcessTransport } from '../../../../helpers/in-process-transport';
import {
  createTestCore,
  OTHER_STRONG_PASSWORD,
  STRONG_PASSWORD,
  withAdmin,
  withOperator,
  type TestCore,
} from '../../../../helpers/test-core';

/** A real core with an operator of the given roles logged in to the renderer's API client. */
export type CoreSession = {
  t: TestCore;
  /** An administrator client, to arrange data through the API. */
  admin: ApiClient;
  /** Every call the renderer made, in order (the core answered each one for real). */
  calls: { op: string; input: unknown }[];
  callsOf: (op: OpName) => { op: string; input: unknown }[];
};

/** Wraps a transport to record the calls that pass through it; answers are untouched. */
function recording(transport: Transport, calls: CoreSession['calls']): Transport {
  return {
    call: (op, input, session) => {
      calls.push({ op, input });
      return transport.call(op, input, session);
    },
    subscribe: (listener) => transport.subscribe(listener),
  };
}

/**
 * Starts a real core in a temp folder, logs an operator with `roles` in through the renderer's
 * own API client, and marks the renderer's session as ready.
 */
export async function startCoreAs(roles: Role[]): Promise<CoreSession> {
  resetSessionState();
  const t = await createTestCore();
  const admin = await withAdmin(t);
  const calls: CoreSession['calls'] = [];
  installTransport(recording(inProcessTransport(t.core), calls));
  let username = 'admin';
  let password = STRONG_PASSWORD;
  if (!(roles.length === 1 && roles[0] === 'administrator')) {
    username = 'operator1';
    password = OTHER_STRONG_PASSWORD;
    await withOperator(t, admin, username, roles);
  }
  const session = await api.call('auth.login', { username, password });
  api.setSession(session.token);
  useSessionStore.setState({ phase: 'ready', operator: session.operator });
  calls.length = 0;
  return { t, admin, calls, callsOf: (op) => calls.filter((c) => c.op === op) };
}

/** Renders a screen inside a memory router at `path`, with the routes the screen links to. */
export function renderAt(path: string, routes: { path: string; element: ReactNode }[]) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(<RouterProvider router={router} />);
  return router;
}

/**
 * happy-dom lays nothing out, so every element measures 0×0 and a virtualised table would show
 * no rows. This gives the scrolling boxes of the virtualised tables a window-sized box, the one
 * thing a browser would supply; returns the function that restores happy-dom's own getters.
 */
export function giveScrollBoxesASize(): () => void {
  const proto = HTMLElement.prototype;
  const original = {
    clientHeight: Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight'),
    clientWidth: Object.getOwnPropertyDescriptor(Element.prototype, 'clientWidth'),
  };
  const isScrollBox = (el: HTMLElement) =>
    el.classList.contains('host-scroll') || el.classList.contains('pkg-scroll');
  Object.defineProperty(proto, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return isScrollBox(this) ? 600 : ((original.clientHeight?.get?.call(this) as number) ?? 0);
    },
  });
  Object.defineProperty(proto, 'clientWidth', {
    configurable: true,
    get(this: HTMLElement) {
      return isScrollBox(this) ? 1200 : ((original.clientWidth?.get?.call(this) as number) ?? 0);
    },
  });
  return () => {
    delete (proto as unknown as Record<string, unknown>)['clientHeight'];
    delete (proto as unknown as Record<string, unknown>)['clientWidth'];
  };
}
