import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { installTransport } from '../../../../../renderer/api/api-client';
import { ImportBundleDialog } from '../../../../../renderer/features/bundles/import-dialog';
import type { Transport } from '../../../../../shared/api/client';
import type { OpName } from '../../../../../shared/api/contract';
import type { WireResult } from '../../../../../shared/api/errors';
import type { ImportReport, Inspection } from '../../../../../shared/api/ops/bundles';
import { buildTestBundle, makePublisher } from '../../../../helpers/bundle-kit';
import { inProcessTransport } from '../../../../helpers/in-process-transport';
import { STRONG_PASSWORD, type TestCore } from '../../../../helpers/test-core';

import { openAs } from './real-core';
import { prepareWorkspaceInChildProcess, type PreparedWorkspace } from './workspace-with-bundle';

let prepared: PreparedWorkspace;
let t: TestCore | undefined;
let work: string;

beforeAll(() => {
  prepared = prepareWorkspaceInChildProcess();
  work = mkdtempSync(join(tmpdir(), 'patchdeck-ui-import-'));
}, 120_000);

afterEach(async () => {
  await t?.close();
  t = undefined;
});

afterAll(() => {
  rmSync(prepared.dir, { recursive: true, force: true });
  rmSync(prepared.work, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

type Override = (input: Record<string, unknown>) => Promise<WireResult<unknown>>;

/**
 * The real core in-process, with chosen operations answered by a stand-in. Only the import
 * itself is stood in for: it hashes in worker threads, which cannot start under the DOM test
 * environment (the end-to-end test runs the real one).
 */
function realCoreWith(core: TestCore['core'], overrides: Partial<Record<OpName, Override>>) {
  const real = inProcessTransport(core);
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const calls: { op: string; input: Record<string, unknown> }[] = [];
  const transport: Transport = {
    call(op, input, session) {
      calls.push({ op, input: input as Record<string, unknown> });
      const override = overrides[op as OpName];
      return override ? override(input as Record<string, unknown>) : real.call(op, input, session);
    },
    subscribe(listener) {
      listeners.add(listener);
      const stop = real.subscribe(listener);
      return () => {
        listeners.delete(listener);
        stop();
      };
    },
  };
  installTransport(transport);
  return {
    calls,
    emit(event: string, payload: unknown) {
      for (const listener of listeners) listener(event, payload);
    },
  };
}

function renderDialog() {
  return render(
    <MemoryRouter>
      <ImportBundleDialog onClose={() => undefined} />
    </MemoryRouter>,
  );
}

async function inspect(path: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Bundle folder or .tar file'), path);
  await user.click(screen.getByRole('button', { name: 'Check bundle' }));
  return user;
}

/** A session of the prepared administrator, for reading what the core stored. */
async function adminToken(core: TestCore['core']): Promise<string> {
  const login = await core.dispatch(
    'auth.login',
    { username: 'admin', password: STRONG_PASSWORD },
    { session: undefined },
  );
  if (!login.ok) throw new Error('login failed');
  return (login.value as { token: string }).token;
}

/** The report the core gave for the bundle already in the workspace, as an import would. */
async function storedReport(core: TestCore['core'], taskId: string): Promise<ImportReport> {
  const session = await adminToken(core);
  const [list, detail] = await Promise.all([
    core.dispatch('bundles.list', {}, { session }),
    core.dispatch('bundles.get', { bundleId: prepared.bundleId }, { session }),
  ]);
  if (!list.ok || !detail.ok) throw new Error('bundle not found');
  const bundle = (list.value as ImportReport['bundle'][])[0];
  if (!bundle) throw new Error('no bundle');
  return {
    taskId,
    outcome: 'imported',
    bundle,
    verification: (detail.value as { verification: ImportReport['verification'] }).verification,
    bytesRead: 50_000_000,
    bytesStored: 50_000_000,
    durationMs: 2000,
    megabytesPerSecond: 25,
  };
}

/** Reads a source with the real core and moves the bundle's expiry a day into the past. */
function expiredInspection(core: TestCore['core']): Override {
  return async (input) => {
    const result = await core.dispatch('bundles.inspect', input, {
      session: await adminToken(core),
    });
    if (!result.ok) return result;
    const inspection = result.value as Inspection;
    if (!inspection.bundle) return result;
    const expires = new Date(Date.now() - 86_400_000).toISOString();
    return { ok: true, value: { ...inspection, bundle: { ...inspection.bundle, expires } } };
  };
}

describe('ImportBundleDialog: what a source is, before anything is trusted (real core)', () => {
  it('shows the publisher as trusted, the signing key as a trusted bundle key, and that this bundle is already in', async () => {
    t = await openAs(prepared.dir, 'tech1');
    installTransport(inProcessTransport(t.core));
    renderDialog();
    await inspect(prepared.bundleDir);

    const inspection = await screen.findByTestId('inspection');
    expect(inspection.textContent).toContain('Trusted, root v1');
    expect(inspection.textContent).toContain(prepared.signerFingerprint);
    expect(inspection.textContent).toContain('Trusted bundle key');
    expect(inspection.textContent).toContain('Already imported');
    expect(inspection.textContent).toContain('3 patches, 3 files');
  });

  it('refuses to offer an import from a publisher nobody trusted', async () => {
    t = await openAs(prepared.dir, 'tech1');
    installTransport(inProcessTransport(t.core));
    const stranger = await buildTestBundle(work, makePublisher('unknown-vendor'), { packages: 1 });
    renderDialog();
    await inspect(stranger.dir);

    const inspection = await screen.findByTestId('inspection');
    expect(inspection.textContent).toContain('unknown-vendor');
    expect(inspection.textContent).toContain('Not trusted');
    expect(inspection.textContent).toContain('Not a trusted bundle key');
    expect(screen.getByRole('note').textContent).toMatch(/not a trusted publisher/);
    expect(screen.getByRole('button', { name: 'Import' }).hasAttribute('disabled')).toBe(true);
  });

  it('recognises a root file and sends the operator to the trust store instead', async () => {
    t = await openAs(prepared.dir, 'tech1');
    installTransport(inProcessTransport(t.core));
    renderDialog();
    await inspect(prepared.rootPath);
    expect(await screen.findByText('This is a publisher root file, not a bundle.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Import' })).toBeNull();
  });

  it('shows the core’s own words when the path holds nothing', async () => {
    t = await openAs(prepared.dir, 'tech1');
    installTransport(inProcessTransport(t.core));
    renderDialog();
    await inspect(join(work, 'not-there'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('could not be found on the media');
  });
});

describe('ImportBundleDialog: progress, report and refusal (import answered by a stand-in core)', () => {
  it('moves the bar with this import’s progress events only, then shows the verification report', async () => {
    t = await openAs(prepared.dir, 'tech1');
    let finish: (report: WireResult<unknown>) => void = () => undefined;
    const core = t.core;
    const stub = realCoreWith(core, {
      'bundles.import': () => new Promise((resolve) => (finish = resolve)),
    });
    renderDialog();
    const user = await inspect(prepared.bundleDir);
    await user.click(await screen.findByRole('button', { name: 'Import' }));

    await waitFor(() => expect(stub.calls.some((c) => c.op === 'bundles.import')).toBe(true));
    const input = stub.calls.find((c) => c.op === 'bundles.import')?.input ?? {};
    expect(input).toMatchObject({ source: prepared.bundleDir, allowExpired: false });
    const taskId = String(input['taskId']);
    expect(taskId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

    stub.emit('bundles.importProgress', {
      taskId: 'someone-elses-import',
      phase: 'copying',
      bytesDone: 90,
      bytesTotal: 100,
      bytesPerSecond: 1,
      file: 'other.deb',
    });
    stub.emit('bundles.importProgress', {
      taskId,
      phase: 'copying',
      bytesDone: 25_000_000,
      bytesTotal: 50_000_000,
      bytesPerSecond: 38_200_000,
      file: 'pool/pd-test-1_1.4.1-1_all.deb',
    });
    const bar = await screen.findByRole('progressbar', { name: 'Import progress' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('50'));
    const progress = screen.getByTestId('import-progress');
    expect(progress.textContent).toContain('Reading, hashing and storing files');
    expect(progress.textContent).toContain('25.0 MB of 50.0 MB (50 %)');
    expect(progress.textContent).toContain('38.2 MB/s');
    expect(progress.textContent).toContain('pool/pd-test-1_1.4.1-1_all.deb');
    expect(progress.textContent).not.toContain('other.deb');

    const stored = await storedReport(core, taskId);
    finish({
      ok: true,
      value: { ...stored, bundle: { ...stored.bundle, storeStatus: 'verifying' } },
    });
    const report = await screen.findByRole('region', { name: 'Verification report' });
    expect(screen.getByRole('heading', { name: 'Bundle imported and verified' })).toBeTruthy();
    expect(report.textContent).toContain('hashed as they were written to the workspace store');
    expect(report.textContent).not.toContain('read back');
    // The import ends at the commit; the store copy is then checked in the background.
    const storeCopy = screen.getByTestId('store-status');
    expect(storeCopy.textContent).toBe('Store copy: verifying…');
    expect(screen.getByText(/The media may be removed/)).toBeTruthy();
    stub.emit('bundles.storeVerificationFinished', {
      bundleId: 'some-other-bundle',
      storeStatus: 'corrupt',
      readFromDisk: true,
      bytes: 1,
      durationMs: 1,
      corruptFiles: [],
      alsoQuarantined: [],
    });
    stub.emit('bundles.storeVerificationFinished', {
      bundleId: prepared.bundleId,
      storeStatus: 'corrupt',
      readFromDisk: true,
      bytes: 50_000_000,
      durationMs: 900,
      corruptFiles: [],
      alsoQuarantined: [],
    });
    await waitFor(() =>
      expect(screen.getByTestId('store-status').textContent).toBe(
        'Store copy: corrupt — quarantined',
      ),
    );
    expect(screen.getByText(/import the bundle again from its media to repair it/)).toBeTruthy();
    expect(report.textContent).toContain('Sequence 4 on channel stable');
    expect(report.textContent).toContain('last one seen was 4');
    await user.click(within(report).getByText('Show each file and its hash'));
    const files = within(report).getByRole('table', { name: 'Files and hashes' });
    for (const f of prepared.files) expect(files.textContent).toContain(f.sha256);
  });

  it('names the failed check, the file and what to do when a hash does not match', async () => {
    t = await openAs(prepared.dir, 'tech1');
    realCoreWith(t.core, {
      'bundles.import': () =>
        Promise.resolve({
          ok: false,
          error: {
            code: 'BUNDLE_HASH_MISMATCH',
            message:
              'Hash mismatch for pool/pd-test-2_1.4.2-1_all.deb: the file is not the one the publisher signed.',
            details: { file: 'pool/pd-test-2_1.4.2-1_all.deb' },
          },
        }),
    });
    renderDialog();
    const user = await inspect(prepared.bundleDir);
    await user.click(await screen.findByRole('button', { name: 'Import' }));

    const refusal = await screen.findByTestId('import-refusal');
    expect(refusal.textContent).toContain(
      'Refused: Every file matches its signed length and SHA-256 failed',
    );
    expect(refusal.textContent).toContain('Hash mismatch for pool/pd-test-2_1.4.2-1_all.deb');
    expect(refusal.textContent).toContain('Treat this media as suspect');
    expect(screen.getByRole('heading', { name: 'Import refused' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Import anyway/ })).toBeNull();
  });

  it('lets an administrator import an expired bundle anyway, and says a technician cannot', async () => {
    t = await openAs(prepared.dir, 'admin');
    const admin = realCoreWith(t.core, {
      'bundles.inspect': expiredInspection(t.core),
      'bundles.import': () =>
        Promise.resolve({ ok: false, error: { code: 'BUNDLE_EXPIRED', message: 'expired' } }),
    });
    const view = renderDialog();
    const user = await inspect(prepared.bundleDir);
    expect((await screen.findByTestId('inspection')).textContent).toContain('Expired');
    await user.click(screen.getByRole('button', { name: 'Import anyway (recorded in the audit)' }));
    await waitFor(() =>
      expect(admin.calls.find((c) => c.op === 'bundles.import')?.input).toMatchObject({
        allowExpired: true,
      }),
    );
    view.unmount();
    await t.close();

    t = await openAs(prepared.dir, 'tech1');
    realCoreWith(t.core, { 'bundles.inspect': expiredInspection(t.core) });
    renderDialog();
    await inspect(prepared.bundleDir);
    expect((await screen.findByRole('note')).textContent).toContain(
      'Only an administrator can import an expired bundle.',
    );
    expect(screen.getByRole('button', { name: 'Import' }).hasAttribute('disabled')).toBe(true);
    expect(screen.queryByRole('button', { name: /Import anyway/ })).toBeNull();
  });
});
