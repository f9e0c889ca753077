import { execFileSync } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestCore, withAdmin, type TestCore } from '../../helpers/test-core';
import { startLab, type Lab } from '../../lab/lab';
import { probeSshPort } from '../../lab/processes';

import { allHosts, seedHosts } from './import-kit';

let lab: Lab;
let t: TestCore;

beforeAll(async () => {
  lab = await startLab({ hosts: 2 });
  t = await createTestCore();
});

afterAll(async () => {
  await t?.dispose();
  await lab?.stop();
});

describe('Nmap discovery of lab hosts', () => {
  it('imports what a real nmap -oX scan of the lab finds, marking the hosts SSH answers on', async () => {
    const [first, second] = lab.hosts;
    if (!first || !second) throw new Error('the lab has two hosts');
    // Five loopback addresses from the lab's first host (127.0.0.11-15 when nothing else runs).
    const [a, b, c, d] = first.address.split('.').map(Number) as [number, number, number, number];
    expect(a).toBe(127);
    const range = `${a}.${b}.${c}.${d}-${d + 4}`;
    const xml = execFileSync('nmap', ['-oX', '-', '-p', '22', '-sT', range], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(xml).toContain('<nmaprun scanner="nmap"');

    const admin = await withAdmin(t);
    seedHosts(t, [
      { id: 'h-known', name: 'known-lab-host', address: first.address, reached: true },
    ]);
    const preview = await admin.call('imports.preview', {
      format: 'nmap-xml',
      source: { fileName: 'lab-scan.xml', contentBase64: Buffer.from(xml).toString('base64') },
    });
    expect(preview.sourceName).toBe('scanner:nmap');
    expect(preview.columns).toEqual(['Address', 'Host name', 'OS', 'SSH port', 'Open ports']);
    expect(preview.mapping).toEqual({
      address: 'Address',
      name: 'Host name',
      osName: 'OS',
      port: 'SSH port',
    });
    const byAddress = new Map(preview.sampleRows.map((row) => [row[0], row]));
    // Both lab hosts answer SSH on 22. Every loopback address is up; the SSH column says 22
    // exactly where something accepts a connection on port 22 (other labs may run beside this one).
    expect(byAddress.get(first.address)?.[3]).toBe('22');
    expect(byAddress.get(second.address)?.[3]).toBe('22');
    expect(byAddress.get(second.address)?.[4]).toBe('22/tcp (ssh)');
    expect(preview.rowCount).toBe(5);
    for (let n = d; n <= d + 4; n++) {
      const address = `${a}.${b}.${c}.${n}`;
      const listening = (await probeSshPort(address, 22)) !== 'refused';
      expect(byAddress.get(address)?.[3] === '22').toBe(listening);
    }

    const r = await admin.call('imports.reconcile', {
      importId: preview.importId,
      mapping: preview.mapping,
    });
    // The known host matched by address; a discovery scan never lists hosts as "never reached".
    expect(r.newHosts.map((h) => h.address)).not.toContain(first.address);
    expect(r.newHosts.map((h) => h.address)).toContain(second.address);
    expect(r.neverReached).toEqual([]);
    const sshRows = new Set(
      preview.sampleRows.filter((row) => row[3] === '22').map((row) => row[0]),
    );
    const result = await admin.call('imports.apply', {
      importId: preview.importId,
      decisions: r.newHosts.map((h) => ({
        key: h.key,
        decision: sshRows.has(h.address) ? ('add' as const) : ('skip' as const),
      })),
    });
    expect(result.added).toBe(sshRows.size - 1); // all SSH hosts but the one already known
    const added = allHosts(t).find((h) => h.address === second.address);
    expect(added).toMatchObject({ source: 'nmap', port: 22, username: 'root' });

    const again = await admin.call('imports.preview', {
      format: 'nmap-xml',
      source: { fileName: 'lab-scan.xml', contentBase64: Buffer.from(xml).toString('base64') },
    });
    expect(again.mappingRemembered).toBe(true);
  });
});
