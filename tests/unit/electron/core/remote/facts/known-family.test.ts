import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { manualClock } from '../../../../../../electron/core/platform/clock';
import { collectFacts } from '../../../../../../electron/core/remote/facts/collect';
import { debianAdapter } from '../../../../../../electron/core/remote/facts/debian';
import { DETECT_COMMAND } from '../../../../../../electron/core/remote/facts/detect';
import { macosAdapter } from '../../../../../../electron/core/remote/facts/macos';

import { localShellSession, runLocally } from './local-shell';

const recorded = (name: string) =>
  readFileSync(new URL(`../../../../../fixtures/facts/${name}`, import.meta.url), 'utf8');

describe('collectFacts with the family the inventory knows', () => {
  it('sends no probe when the known family is right', async () => {
    const session = localShellSession();
    const facts = await collectFacts(session, {
      family: 'debian',
      clock: manualClock(),
      nonce: 'fixednonce',
    });
    expect(session.sent).toEqual([debianAdapter.command('fixednonce').text]);
    expect(facts.osFamily).toBe('debian');
  });

  it('re-detects when the host runs another family now (known as macOS, this machine is Debian)', async () => {
    const session = localShellSession();
    const facts = await collectFacts(session, {
      family: 'macos',
      clock: manualClock(),
      nonce: 'fixednonce',
    });
    expect(session.sent).toEqual([
      macosAdapter.command('fixednonce').text,
      DETECT_COMMAND.text,
      debianAdapter.command('fixednonce').text,
    ]);
    expect(facts.osFamily).toBe('debian');
    const dpkgCount = (
      await runLocally("dpkg-query -W -f '${db:Status-Abbrev}\\n' | grep -c '^.[itW]'")
    ).stdout.trim();
    expect(facts.packages).toHaveLength(Number(dpkgCount));
  });

  it('fake RHEL host whose rpm fails: the probe confirms the family, so the script error stands', async () => {
    const session = localShellSession();
    session.run = (command) => {
      session.sent.push(command.text);
      const stdout = command.text === DETECT_COMMAND.text ? recorded('probe-rocky.out') : '';
      return Promise.resolve({ code: 0, signal: null, stdout, stderr: '' });
    };
    const scan = collectFacts(session, { family: 'rhel', clock: manualClock() });
    await expect(scan).rejects.toMatchObject({ code: 'REMOTE_COMMAND_FAILED' });
    await expect(scan).rejects.toThrowError(/printed nothing PatchDeck could read/);
    expect(session.sent).toHaveLength(2);
    expect(session.sent[1]).toBe(DETECT_COMMAND.text);
  });
});
