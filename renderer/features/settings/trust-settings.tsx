import '../../styles/assets.css';
import '../../styles/bundles.css';

import { useCallback, useEffect, useState } from 'react';

import type { Publisher } from '../../../shared/api/ops/bundles';
import { api } from '../../api/api-client';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';
import { formatLocalTime, formatUtcTime } from '../../lib/format';
import { can } from '../../lib/permissions';
import { runAction } from '../../stores/run-action';
import { useSessionStore } from '../auth/session.store';

import { TrustAddDialog } from './trust-add-dialog';
import { TrustRevokeDialog } from './trust-revoke-dialog';

const ROLE_WORDS = { root: 'Root', targets: 'Bundles' } as const;
const ROLE_HINTS = {
  root: 'Signs new roots of the publisher',
  targets: 'Signs bundle manifests',
} as const;

/** A fingerprint on two lines of eight groups, so the key table fits beside its columns. */
function TwoLineFingerprint({ fingerprint }: { fingerprint: string }) {
  const groups = fingerprint.split(' ');
  return (
    <code className="fingerprint-inline fingerprint-two-lines">
      <span>{groups.slice(0, 8).join(' ')}</span> <span>{groups.slice(8).join(' ')}</span>
    </code>
  );
}

function Time({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">Never</span>;
  return (
    <time dateTime={iso} title={formatUtcTime(iso)}>
      {formatLocalTime(iso)}
    </time>
  );
}

/** Props of PublisherCard. */
type PublisherCardProps = {
  publisher: Publisher;
  canManage: boolean;
  onRevoke: (keyid: string) => void;
};

function PublisherCard({ publisher: p, canManage, onRevoke }: PublisherCardProps) {
  return (
    <section
      className="card publisher-card"
      aria-labelledby={`pub-${p.publisher}`}
      data-publisher={p.publisher}
    >
      <header className="publisher-head">
        <h3 id={`pub-${p.publisher}`}>{p.publisher}</h3>
        <Badge tone="ok">Trusted, root v{p.rootVersion}</Badge>
      </header>
      <p className="muted">
        Added <Time iso={p.addedAt} /> by {p.addedBy}
        {p.updatedAt !== p.addedAt && (
          <>
            {' '}
            · updated <Time iso={p.updatedAt} />
          </>
        )}{' '}
        · {p.targetsThreshold} bundle {p.targetsThreshold === 1 ? 'signature' : 'signatures'} and{' '}
        {p.rootThreshold} root {p.rootThreshold === 1 ? 'signature' : 'signatures'} required
      </p>
      <div className="table-wrap">
        <table className="data-table compact key-table" aria-label={`Keys of ${p.publisher}`}>
          <thead>
            <tr>
              <th scope="col">Fingerprint</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Added</th>
              <th scope="col" className="num">
                Bundles verified
              </th>
              <th scope="col">Last used</th>
              {canManage && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {p.keys.map((k) => (
              <tr key={k.keyid} data-keyid={k.keyid}>
                <th scope="row">
                  <span title={`Key id ${k.keyid}`}>
                    <TwoLineFingerprint fingerprint={k.fingerprint} />
                  </span>
                </th>
                <td title={k.roles.map((r) => ROLE_HINTS[r]).join('; ')}>
                  {k.roles.map((r) => ROLE_WORDS[r]).join(', ')}
                </td>
                <td>
                  {k.status === 'active' ? (
                    <Badge tone="ok">Active</Badge>
                  ) : (
                    <span title={k.revokedReason ?? undefined}>
                      <Badge tone="danger">Revoked</Badge>{' '}
                      <span className="muted">
                        <Time iso={k.revokedAt} />
                        {k.revokedReason && `: ${k.revokedReason}`}
                      </span>
                    </span>
                  )}
                </td>
                <td>
                  <Time iso={p.addedAt} />
                </td>
                <td className="num">{k.bundlesVerified.toLocaleString()}</td>
                <td>
                  <Time iso={k.lastUsedAt} />
                </td>
                {canManage && (
                  <td className="row-actions">
                    {k.status === 'active' && (
                      <Button size="small" variant="ghost" onClick={() => onRevoke(k.keyid)}>
                        Revoke
                      </Button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p.channels.length > 0 && (
        <p className="muted channel-marks">
          Newest bundle seen per channel:{' '}
          {p.channels.map((c) => `${c.channel} #${c.sequence} (${c.bundleId})`).join('; ')}. Older
          sequences are refused as rollbacks.
        </p>
      )}
    </section>
  );
}

/** Settings → Trusted publishers: whose bundles this workspace accepts, and their keys. */
export function TrustSettings() {
  const operator = useSessionStore((s) => s.operator);
  const canManage = can(operator, 'trust.manage');
  const [publishers, setPublishers] = useState<Publisher[] | null>();
  const [adding, setAdding] = useState(false);
  const [revoking, setRevoking] = useState<{ publisher: Publisher; keyid: string }>();

  const load = useCallback(async () => {
    const found = await runAction('Loading trusted publishers', () => api.call('trust.list', {}));
    setPublishers(found ?? null);
  }, []);
  useEffect(() => {
    let live = true;
    void runAction('Loading trusted publishers', () => api.call('trust.list', {})).then((found) => {
      if (live) setPublishers(found ?? null);
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <section aria-labelledby="trust-title" className="trust-settings">
      <header className="section-header">
        <div>
          <h2 id="trust-title">Trusted publishers</h2>
          <p className="muted">
            Bundles are imported only when a threshold of a trusted publisher&apos;s keys signed
            them. A publisher is added by its root file and confirmed by a fingerprint received from
            the publisher by another channel.
          </p>
        </div>
        {canManage && (
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add publisher
          </Button>
        )}
      </header>
      {!canManage && (
        <div className="notice" role="note">
          <p>
            <strong>Only administrators can add publishers or revoke keys.</strong> Trusting a
            publisher decides what software may reach every host, so it is kept to the administrator
            role and recorded in the audit log. Ask an administrator if a publisher is missing or a
            key must be revoked.
          </p>
        </div>
      )}
      {publishers === undefined && <LoadingState label="Loading trusted publishers…" />}
      {publishers === null && (
        <EmptyState
          title="The trusted publishers could not be loaded"
          actions={<Button onClick={() => void load()}>Try again</Button>}
        />
      )}
      {publishers && publishers.length === 0 && (
        <EmptyState title="No trusted publishers yet">
          <p>
            Until a publisher is added, no bundle can be imported.
            {canManage && ' Add one with its root file and the fingerprint it gave you.'}
          </p>
        </EmptyState>
      )}
      {publishers?.map((p) => (
        <PublisherCard
          key={p.publisher}
          publisher={p}
          canManage={canManage}
          onRevoke={(keyid) => setRevoking({ publisher: p, keyid })}
        />
      ))}
      {adding && <TrustAddDialog onClose={() => setAdding(false)} onAdded={() => void load()} />}
      {revoking && (
        <TrustRevokeDialog
          publisher={revoking.publisher}
          keyid={revoking.keyid}
          onClose={() => setRevoking(undefined)}
          onRevoked={() => void load()}
        />
      )}
    </section>
  );
}
