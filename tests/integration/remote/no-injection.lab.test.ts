import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DurableWorkspace } from '../../../electron/core/db/open-workspace';
import {
  checkHostname,
  checkPackageName,
  checkRemotePath,
  sh,
} from '../../../electron/core/remote/command';
import type { RemoteSession } from '../../../electron/core/remote/session';
import { connect } from '../../../electron/core/remote/ssh-connection';
import { startLab, type Lab, type LabHost } from '../../lab/lab';

import { openKeyWorkspace, policyOf, targetFor, trustLab } from './remote-kit';

let lab: Lab;
let host: LabHost;
let ws: DurableWorkspace;
let session: RemoteSession;

const MARKER = '/tmp/pwned';
const HOSTILE = [
  `foo;touch ${MARKER}`,
  `$(touch ${MARKER})`,
  `\`touch ${MARKER}\``,
  `a'b;touch ${MARKER}`,
  `a\ntouch ${MARKER}`,
  '--force-all',
  `-oProxyCommand=touch ${MARKER}`,
];

async function markerExists(): Promise<boolean> {
  const result = await lab.exec(host, `test -e ${MARKER} && echo yes || echo no`);
  return result.stdout.trim() === 'yes';
}

beforeAll(async () => {
  lab = await startLab({ hosts: 1 });
  host = lab.hosts[0]!;
  ws = await openKeyWorkspace();
  trustLab(ws, lab);
  session = await connect(targetFor(host), { hostKeys: policyOf(ws) });
});

afterAll(async () => {
  await session?.close();
  await ws?.close();
  await lab?.stop();
});

describe('no command injection on a real host (SECURITY.md SSH-07, SSH-08)', () => {
  it.each(HOSTILE)(
    'refuses %j as a package name and as a host name before any command exists',
    (value) => {
      expect(() => checkPackageName(value)).toThrowError(
        expect.objectContaining({ code: 'UNSAFE_REMOTE_ARGUMENT' }),
      );
      expect(() => checkHostname(value)).toThrowError(
        expect.objectContaining({ code: 'UNSAFE_REMOTE_ARGUMENT' }),
      );
    },
  );

  it('refuses paths that escape or break lines', () => {
    for (const path of [`/tmp/a\ntouch ${MARKER}`, '/var/../etc/shadow', `-oProxyCommand=x`]) {
      expect(() => checkRemotePath(path)).toThrowError(
        expect.objectContaining({ code: 'UNSAFE_REMOTE_ARGUMENT' }),
      );
    }
  });

  it('passes allowed-but-tricky values through quoting verbatim, interpreting nothing', async () => {
    const values = [
      checkRemotePath(`/tmp/dir with spaces/$HOME/$(touch ${MARKER})/\`id\`/a'b;c`),
      `$(touch ${MARKER})`,
      `\`touch ${MARKER}\``,
      `x; touch ${MARKER}`,
      `two\nlines; touch ${MARKER}`,
      `"quoted" 'single' \\back`,
    ];
    for (const value of values) {
      const result = await session.runChecked(sh`printf '%s' ${value}`);
      expect(result.stdout).toBe(value);
    }
    expect(await markerExists()).toBe(false);
  });

  it('creates and lists a file whose path holds shell syntax, as that exact path', async () => {
    const dir = checkRemotePath(`/tmp/patchdeck test $USER;$(id)`);
    const file = checkRemotePath(`${dir}/pkg \`x\`.deb`);
    await session.runChecked(sh`mkdir -p -- ${dir} && printf 'data' > ${file}`);
    const listed = await lab.exec(host, `ls -1 '/tmp/patchdeck test $USER;$(id)'`);
    expect(listed.stdout.trim()).toBe('pkg `x`.deb');
    const read = await session.runChecked(sh`cat -- ${file}`);
    expect(read.stdout).toBe('data');
    expect(await markerExists()).toBe(false);
  });

  it('passes a value to a real program as one operand after --, never as an option', async () => {
    const result = await session.run(
      sh`dpkg-query -W -- ${checkPackageName('no-such-package-xyz')}`,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no-such-package-xyz/);
    const installed = await session.runChecked(sh`dpkg-query -W -f ${'${Version}'} -- ${'dpkg'}`);
    expect(installed.stdout).toMatch(/^[0-9]/);
  });
});
