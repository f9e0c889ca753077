import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { sh } from '../../../../../electron/core/remote/command';
import {
  SUDO_PROMPT,
  SUDO_READY,
  SudoExchange,
  sudoFailure,
  wrapWithSudo,
} from '../../../../../electron/core/remote/sudo';

const endpoint = { address: '10.0.0.5', port: 22, username: 'patchsvc' };
const PASSWORD = "s3cret 'pw' $(id)";

describe('wrapWithSudo', () => {
  it('uses sudo -n for NOPASSWD hosts and sudo -S with a prompt for password hosts', () => {
    const command = sh`dpkg-query -W -- ${'openssh-server'}`;
    const nopasswd = wrapWithSudo(command, { kind: 'nopasswd' }).text;
    const password = wrapWithSudo(command, { kind: 'password', password: PASSWORD }).text;
    expect(nopasswd.startsWith('sudo -n -- sh -c ')).toBe(true);
    expect(password.startsWith(`sudo -S -p '${SUDO_PROMPT}' -- sh -c `)).toBe(true);
  });

  it('never puts the password on the command line', () => {
    const text = wrapWithSudo(sh`id -u`, { kind: 'password', password: PASSWORD }).text;
    expect(text).not.toContain('s3cret');
  });

  it('hands the shell exactly the marker line and the command (run with a real sh)', () => {
    // Strip "sudo <options> --" and run what sudo would run, with a real POSIX shell.
    const text = wrapWithSudo(sh`printf '%s' ${"it's $HOME"}`, { kind: 'nopasswd' }).text;
    const withoutSudo = text.replace(/^sudo -n -- /, '');
    const result = execFileSync('/bin/sh', ['-c', `${withoutSudo} 2>&1`], { encoding: 'utf8' });
    expect(result).toBe(`${SUDO_READY}\nit's $HOME`);
  });
});

describe('SudoExchange', () => {
  it('answers the first prompt, then passes the command stderr through without markers', () => {
    const exchange = new SudoExchange({ kind: 'password', password: PASSWORD });
    const chunks = [SUDO_PROMPT.slice(0, 5), SUDO_PROMPT.slice(5), `${SUDO_READY.slice(0, 9)}`];
    const steps = chunks.map((c) => exchange.push(c));
    expect(steps.map((s) => s.write).filter(Boolean)).toEqual([`${PASSWORD}\n`]);
    expect(exchange.isReady).toBe(false);
    const ready = exchange.push(`${SUDO_READY.slice(9)}\nwarning: from the command\n`);
    expect(ready.ready).toBe(true);
    expect(ready.output).toBe('warning: from the command\n');
    expect(exchange.push(`${SUDO_PROMPT} later`).output).toBe(`${SUDO_PROMPT} later`);
    expect(exchange.sudoOutput).toBe('');
  });

  it('gives up on a second prompt (wrong password) and reports SUDO_REFUSED', () => {
    const exchange = new SudoExchange({ kind: 'password', password: PASSWORD });
    expect(exchange.push(SUDO_PROMPT).write).toBe(`${PASSWORD}\n`);
    const second = exchange.push(`Sorry, try again.\n${SUDO_PROMPT}`);
    expect(second.write).toBeUndefined();
    expect(second.giveUp).toBe(true);
    exchange.push('sudo: 1 incorrect password attempt\n');
    const error = sudoFailure(exchange, { kind: 'password', password: PASSWORD }, endpoint);
    expect(error?.code).toBe('SUDO_REFUSED');
    expect(error?.message).toMatch(/did not accept the stored sudo password/);
    expect(JSON.stringify(error?.details)).not.toContain('s3cret');
  });

  it('never writes the password when sudo -n is used, even if something prompts', () => {
    const exchange = new SudoExchange({ kind: 'nopasswd' });
    const step = exchange.push(SUDO_PROMPT);
    expect(step.write).toBeUndefined();
    expect(step.giveUp).toBe(true);
  });
});

describe('sudoFailure', () => {
  const failureOf = (said: string, mode: 'nopasswd' | 'password') => {
    const exchange = new SudoExchange(
      mode === 'nopasswd' ? { kind: 'nopasswd' } : { kind: 'password', password: PASSWORD },
    );
    exchange.push(said);
    return sudoFailure(
      exchange,
      mode === 'nopasswd' ? { kind: 'nopasswd' } : { kind: 'password', password: PASSWORD },
      endpoint,
    );
  };

  it('maps sudo -n "a password is required" to SUDO_PASSWORD_REQUIRED', () => {
    expect(failureOf('sudo: a password is required\n', 'nopasswd')?.code).toBe(
      'SUDO_PASSWORD_REQUIRED',
    );
  });

  it('maps "not in the sudoers file" and "not allowed" to SUDO_REFUSED', () => {
    const a = failureOf(
      'patchsvc is not in the sudoers file.  This incident will be reported.\n',
      'nopasswd',
    );
    const b = failureOf(
      "Sorry, user patchsvc is not allowed to execute '/bin/sh -c id' as root on lab-01.\n",
      'password',
    );
    expect([a?.code, b?.code]).toEqual(['SUDO_REFUSED', 'SUDO_REFUSED']);
    expect(a?.message).toMatch(/sudoers/);
  });

  it('reports nothing once the command started: its own failures are not sudo failures', () => {
    const exchange = new SudoExchange({ kind: 'nopasswd' });
    exchange.push(`${SUDO_READY}\nsudo: a password is required\n`);
    expect(sudoFailure(exchange, { kind: 'nopasswd' }, endpoint)).toBeUndefined();
  });

  it('explains a missing sudo binary', () => {
    const error = failureOf('sh: 1: sudo: not found\n', 'nopasswd');
    expect(error?.code).toBe('SUDO_REFUSED');
    expect(error?.message).toMatch(/sudo: not found/);
  });
});
