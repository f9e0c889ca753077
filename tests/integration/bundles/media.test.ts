import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { stagingRoot, storeRoot } from '../../../electron/core/bundles/content-store';
import { listMedia, systemMediaProbe, type MediaProbe } from '../../../electron/core/bundles/media';
import type { ApiClient } from '../../../shared/api/client';
import { keyFingerprint } from '../../../shared/domain/bundle-manifest';
import {
  buildTestBundle,
  makePublisher,
  whenStoreChecked,
  writeRootFile,
  type TestPublisher,
} from '../../helpers/bundle-kit';
import { createTestCore, withAdmin, type TestCore } from '../../helpers/test-core';

/*
 * Removable media for real: an ext4 image on a loop device stands in for the USB stick. Needs
 * root (mount). Each test unmounts what it mounted.
 */

const MiB = 1024 * 1024;

let t: TestCore;
let admin: ApiClient;
let work: string;
let publisher: TestPublisher;
const mounted: string[] = [];

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Makes an ext4 image, mounts it on a loop device, and returns the mount point and device. */
function mountStick(sizeMiB: number, options = 'rw'): { mnt: string; image: string } {
  const image = join(work, `stick-${mounted.length}.img`);
  sh('truncate', ['-s', `${sizeMiB}M`, image]);
  sh('mkfs.ext4', ['-q', '-F', image]);
  const mnt = join(work, 'media', `STICK${mounted.length}`);
  mkdirSync(mnt, { recursive: true });
  sh('mount', ['-o', `loop,${options}`, image, mnt]);
  mounted.push(mnt);
  return { mnt, image };
}

function remount(mnt: string, image: string, options: string): void {
  sh('umount', [mnt]);
  sh('mount', ['-o', `loop,${options}`, image, mnt]);
}

function loopDeviceOf(mnt: string): string {
  const line = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[1] === mnt);
  if (!line) throw new Error(`${mnt} is not mounted`);
  return basename(realpathSync(line.split(' ')[0] ?? ''));
}

/** Bytes the block device has delivered so far (sectors read x 512, /sys/block/<dev>/stat). */
function bytesReadFromDevice(device: string): number {
  const fields = readFileSync(`/sys/block/${device}/stat`, 'utf8').trim().split(/\s+/);
  return Number(fields[2]) * 512;
}

async function trust(p: TestPublisher): Promise<void> {
  await admin.call('trust.addPublisher', {
    rootPath: writeRootFile(work, p),
    confirmFingerprint: keyFingerprint(p.roots[0]?.signed.roles.root.keyids[0] ?? ''),
  });
}

function nothingLeft(): void {
  expect(readdirSync(stagingRoot(t.dir))).toEqual([]);
  const objects = join(storeRoot(t.dir), 'sha256');
  expect(existsSync(objects) ? readdirSync(objects) : []).toEqual([]);
}

beforeEach(async () => {
  t = await createTestCore();
  admin = await withAdmin(t);
  work = mkdtempSync(join(tmpdir(), 'patchdeck-media-'));
  publisher = makePublisher();
  await trust(publisher);
});

afterEach(async () => {
  for (const mnt of mounted.splice(0).reverse()) {
    try {
      sh('umount', [mnt]);
    } catch {
      // Already unmounted by the test.
    }
  }
  await t.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('import from removable media', () => {
  it('reads the media exactly once, from a read-only mount, and lists it as media', async () => {
    const { mnt, image } = mountStick(256);
    const payload = [40 * MiB, 24 * MiB, 16 * MiB];
    const bundle = await buildTestBundle(mnt, publisher, {
      packages: 1,
      randomFiles: payload.map((bytes, i) => ({ path: `data/blob-${i}.bin`, bytes })),
    });
    // A fresh read-only mount: nothing of the stick is in the page cache any more.
    remount(mnt, image, 'ro');
    const bundleDir = join(mnt, readdirSync(mnt).find((n) => n.startsWith('bundle-')) ?? '');
    const device = loopDeviceOf(mnt);

    const media = await listMedia({ ...systemMediaProbe, mediaRoots: [join(work, 'media')] });
    const stick = media.find((m) => m.path === mnt);
    expect(stick).toMatchObject({ path: mnt, readOnly: true, label: basename(mnt) });
    expect(stick?.device).toContain('loop');

    const before = bytesReadFromDevice(device);
    const checked = whenStoreChecked(t.core.events, bundle.manifest.signed.bundleId);
    const report = await admin.call('bundles.import', { source: bundleDir });
    // The store check after the commit reads the workspace's disk, never the stick again.
    expect((await checked).storeStatus).toBe('verified');
    const readFromStick = bytesReadFromDevice(device) - before;

    const total = report.verification.bytes;
    expect(total).toBeGreaterThan(80 * MiB);
    expect(report.bytesRead).toBe(total);
    // Each payload byte once, plus metadata and file-system blocks; a second pass would double it.
    expect(readFromStick).toBeGreaterThanOrEqual(total);
    expect(readFromStick).toBeLessThan(total + 4 * MiB);
    expect(readdirSync(stagingRoot(t.dir))).toEqual([]);
  });

  it('fails cleanly when the stick goes away mid-import (EIO), and a retry works', async () => {
    const { mnt, image } = mountStick(384);
    const bundle = await buildTestBundle(mnt, publisher, {
      packages: 1,
      randomFiles: [0, 1, 2, 3].map((i) => ({ path: `data/blob-${i}.bin`, bytes: 32 * MiB })),
    });
    remount(mnt, image, 'rw');
    let pulled = false;
    const stop = t.core.events.subscribe((event, payload) => {
      const p = payload as { phase: string; bytesDone: number };
      if (
        event === 'bundles.importProgress' &&
        p.phase === 'copying' &&
        p.bytesDone > 0 &&
        !pulled
      ) {
        pulled = true;
        // EXT4_IOC_SHUTDOWN: every later read of this file system fails with EIO, as a pulled stick.
        sh('python3', [
          '-c',
          'import fcntl,os,struct,sys; fd=os.open(sys.argv[1],os.O_RDONLY); fcntl.ioctl(fd,0x8004587D,struct.pack("I",2))',
          mnt,
        ]);
      }
    });
    const error = await admin
      .call('bundles.import', { source: bundle.dir })
      .catch((e: unknown) => e);
    stop();
    expect(pulled).toBe(true);
    expect(error).toMatchObject({ code: 'BUNDLE_READ_FAILED' });
    expect((error as Error).message).toContain('EIO');
    nothingLeft();
    expect(await admin.call('bundles.list', {})).toEqual([]);

    // Plug it back in (the journal replays on mount): the same bundle imports.
    remount(mnt, image, 'rw');
    const report = await admin.call('bundles.import', { source: bundle.dir });
    expect(report.outcome).toBe('imported');
    expect(report.bytesRead).toBe(report.verification.bytes);
  });

  it('imports from a read-only bind mount of a folder', async () => {
    const bundle = await buildTestBundle(work, publisher, { packages: 2 });
    const ro = join(work, 'media', 'ro-bind');
    mkdirSync(ro, { recursive: true });
    sh('mount', ['--bind', bundle.dir, ro]);
    mounted.push(ro);
    sh('mount', ['-o', 'remount,bind,ro', ro]);
    expect(() => sh('touch', [join(ro, 'probe')])).toThrow();
    const report = await admin.call('bundles.import', { source: ro });
    expect(report.outcome).toBe('imported');
  });

  it('cleans staging folders an interrupted import left behind when the core starts', async () => {
    const stale = join(stagingRoot(t.dir), 'import-deadbeef');
    mkdirSync(join(stale, 'x'), { recursive: true });
    await t.close();
    await t.reopen();
    expect(existsSync(stale)).toBe(false);
  });
});

describe('listing media on other systems', () => {
  const fakeProbe = (over: Partial<MediaProbe>): MediaProbe => ({
    ...systemMediaProbe,
    readFile: () => Promise.reject(new Error('no such file')),
    readdir: () => Promise.resolve([]),
    realpath: (p) => Promise.resolve(p),
    run: () => Promise.reject(new Error('not here')),
    ...over,
  });

  it('Windows (fake host: PowerShell output as Get-Volume prints it) lists removable drive letters', async () => {
    const calls: string[][] = [];
    const media = await listMedia(
      fakeProbe({
        platform: 'win32',
        run: (command, args) => {
          calls.push([command, ...args]);
          return Promise.resolve(
            '[{"DriveLetter":"E","FileSystemLabel":"PATCHES"},{"DriveLetter":null,"FileSystemLabel":"EFI"}]',
          );
        },
      }),
    );
    expect(calls[0]?.[0]).toBe('powershell.exe');
    expect(calls[0]?.join(' ')).toContain("DriveType -eq 'Removable'");
    expect(media).toEqual([
      { path: 'E:\\', label: 'PATCHES', removable: true, device: 'E:', readOnly: false },
    ]);
  });

  it('macOS (fake host) lists /Volumes except the start-up disk', async () => {
    const media = await listMedia(
      fakeProbe({
        platform: 'darwin',
        readdir: () => Promise.resolve(['Macintosh HD', 'PATCHES']),
        realpath: (p) => Promise.resolve(p.endsWith('Macintosh HD') ? '/' : p),
      }),
    );
    expect(media.map((m) => m.path)).toEqual(['/Volumes/PATCHES']);
  });
});
