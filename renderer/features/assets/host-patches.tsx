import { useEffect, useState } from 'react';
import { Link } from 'react-router';

import type { OpOutput } from '../../../shared/api/contract';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { runAction } from '../../stores/run-action';
import { SeverityBadge } from '../catalog/severity-badge';

type HostApplicability = OpOutput<'catalog.hostApplicability'>;
type HostPatch = HostApplicability['patches'][number];

/** Missing first, then superseded, then installed; within each, the most severe first. */
const STATUS_ORDER: Readonly<Record<HostPatch['status'], number>> = {
  missing: 0,
  superseded: 1,
  installed: 2,
  'not-applicable': 3,
};
const SEVERITY_ORDER: Readonly<Record<HostPatch['severity'], number>> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  none: 4,
  unknown: 5,
};

const STATUS_LABELS: Readonly<Record<HostPatch['status'], string>> = {
  missing: 'Missing',
  installed: 'Installed',
  superseded: 'Superseded',
  'not-applicable': 'Not applicable',
};

function statusTone(status: HostPatch['status']): 'danger' | 'ok' | 'neutral' {
  if (status === 'missing') return 'danger';
  if (status === 'installed') return 'ok';
  return 'neutral';
}

/** Props of HostPatches. */
export type HostPatchesProps = { hostId: string; scanStamp: string | null };

/**
 * The catalog's verdict for one host: which imported patches it misses, has, or no longer needs,
 * judged from its last scan with dpkg's or rpm's version ordering.
 */
export function HostPatches({ hostId, scanStamp }: HostPatchesProps) {
  const [data, setData] = useState<HostApplicability | null>();

  useEffect(() => {
    let live = true;
    void runAction('Loading the patches of this host', () =>
      api.call('catalog.hostApplicability', { hostId }),
    ).then((result) => {
      if (live) setData(result ?? null);
    });
    return () => {
      live = false;
    };
  }, [hostId, scanStamp]);

  if (data === undefined) return <LoadingState label="Loading the patches of this host…" />;
  if (data === null) {
    return <p className="muted">The patches of this host could not be loaded.</p>;
  }
  if (data.collectedAt === null) {
    return (
      <EmptyState title="Not scanned yet">
        Scan this host first: which patches it needs is judged from its installed packages.
      </EmptyState>
    );
  }
  if (data.patches.length === 0) {
    return (
      <EmptyState title="No imported patch applies to this host">
        Import a bundle for this host&apos;s operating system on the Bundles page.
      </EmptyState>
    );
  }
  const patches = [...data.patches].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.patchId.localeCompare(b.patchId),
  );
  return (
    <div className="host-patches" data-testid="host-patches">
      <p className="muted">
        {data.counts.missing.toLocaleString()} missing, {data.counts.installed.toLocaleString()}{' '}
        installed, {data.counts.superseded.toLocaleString()} superseded — judged from the scan of{' '}
        {new Date(data.collectedAt).toLocaleString()}.
      </p>
      <table className="data-table" aria-label="Patches for this host">
        <thead>
          <tr>
            <th scope="col">Patch</th>
            <th scope="col">Title</th>
            <th scope="col">Severity</th>
            <th scope="col">Status</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {patches.map((patch) => (
            <tr key={patch.patchId}>
              <td>
                <Link to={`/patches/${encodeURIComponent(patch.patchId)}`}>{patch.patchId}</Link>
              </td>
              <td>{patch.title}</td>
              <td>
                <SeverityBadge severity={patch.severity} />
              </td>
              <td>
                <Badge tone={statusTone(patch.status)}>{STATUS_LABELS[patch.status]}</Badge>
                {patch.rebootRequired && patch.status === 'missing' && (
                  <span className="muted"> · needs a reboot</span>
                )}
              </td>
              <td>
                {patch.supersededBy ? `Replaced by ${patch.supersededBy}. ` : ''}
                {patch.reason}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
