import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { runChecked } from './processes';

/** A tiny RPM package: one text file, `/usr/share/doc/<name>/VERSION`, holding its EVR. */
export type LabRpmSpec = { name: string; version: string; release: string; arch?: string };

/** The packages every RPM-family lab host starts with (names and versions as on Rocky Linux 9.3). */
export const LAB_RPM_BASELINE: readonly LabRpmSpec[] = [
  { name: 'openssl-libs', version: '3.0.7', release: '24.el9' },
  { name: 'curl', version: '7.76.1', release: '26.el9' },
  { name: 'tzdata', version: '2023c', release: '1.el9', arch: 'noarch' },
];

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;

function specText(spec: LabRpmSpec): string {
  const arch = spec.arch ?? 'x86_64';
  const file = `/usr/share/doc/${spec.name}/VERSION`;
  return [
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    `Release: ${spec.release}`,
    `Summary: Lab package ${spec.name}`,
    'License: MIT',
    `BuildArch: ${arch}`,
    '%description',
    `Lab package ${spec.name} ${spec.version}-${spec.release}.`,
    '%install',
    `mkdir -p %{buildroot}/usr/share/doc/${spec.name}`,
    `echo ${spec.version}-${spec.release} > %{buildroot}${file}`,
    '%files',
    file,
    '',
  ].join('\n');
}

/**
 * Builds a real RPM with `rpmbuild -bb` and copies it into `outDir`; returns its path. Tests use
 * it to make a newer package than the one a host has, for a real `rpm -U`.
 */
export async function buildLabRpm(outDir: string, spec: LabRpmSpec): Promise<string> {
  for (const field of [spec.name, spec.version, spec.release, spec.arch ?? 'x86_64']) {
    if (!NAME_PATTERN.test(field)) throw new Error(`Not a safe RPM name or version: ${field}`);
  }
  mkdirSync(outDir, { recursive: true });
  const top = mkdtempSync(join(outDir, '.rpmbuild-'));
  try {
    const specPath = join(top, `${spec.name}.spec`);
    writeFileSync(specPath, specText(spec));
    await runChecked(
      'rpmbuild',
      [
        '-bb',
        '--quiet',
        '--define',
        `_topdir ${top}`,
        '--define',
        '_build_id_links none',
        specPath,
      ],
      { timeoutMs: 60_000 },
    );
    const arch = spec.arch ?? 'x86_64';
    const rpmDir = join(top, 'RPMS', arch);
    const built = readdirSync(rpmDir).find((name) => name.endsWith('.rpm'));
    if (built === undefined) throw new Error(`rpmbuild wrote no package for ${spec.name}`);
    const target = join(outDir, built);
    copyFileSync(join(rpmDir, built), target);
    return target;
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}
