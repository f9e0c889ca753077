import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';

import { api, installTransport } from '../../../../../renderer/api/api-client';
import { useSessionStore } from '../../../../../renderer/features/auth/session.store';
import { resetSessionState } from '../../../../../renderer/stores/session-events';
import { inProcessTransport } from '../../../../helpers/in-process-transport';
import {
  createTestCore,
  OTHER_STRONG_PASSWORD,
  STRONG_PASSWORD,
  type TestCore,
} from '../../../../helpers/test-core';

/** Operators of the prepared workspace, as workspace-with-bundle.ts creates them. */
export type PreparedOperator = 'admin' | 'tech1' | 'audrey';

/**
 * Opens a prepared workspace with a real core in this process, logs the operator in, and points
 * the renderer's API client at it, as the app would after login.
 */
export async function openAs(dir: string, username: PreparedOperator): Promise<TestCore> {
  resetSessionState();
  const t = await createTestCore({ dir });
  const client = t.client();
  const session = await client.call('auth.login', {
    username,
    password: username === 'admin' ? STRONG_PASSWORD : OTHER_STRONG_PASSWORD,
  });
  installTransport(inProcessTransport(t.core));
  api.setSession(session.token);
  useSessionStore.setState({ phase: 'ready', operator: session.operator });
  return t;
}

/** Renders a screen at a path, with the app's routes for the pages it links to. */
export function renderAt(path: string, routes: Record<string, ReactNode>) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        {Object.entries(routes).map(([pattern, element]) => (
          <Route key={pattern} path={pattern} element={element} />
        ))}
        <Route path="*" element={<p>Elsewhere</p>} />
      </Routes>
    </MemoryRouter>,
  );
}
