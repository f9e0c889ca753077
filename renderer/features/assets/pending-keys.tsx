import type { HostKeySighting } from '../../../shared/domain/assets';
import { Badge } from '../../components/badge';
import { Button } from '../../components/button';
import { formatLocalTime } from '../../lib/format';

import { useHostKeyReviewStore } from './host-key-review.store';

/** Props of PendingKeys. */
export type PendingKeysProps = { sightings: HostKeySighting[] };

/** Host keys waiting for a decision: no host on this list is scanned until someone decides. */
export function PendingKeys({ sightings }: PendingKeysProps) {
  const show = useHostKeyReviewStore((s) => s.show);
  if (sightings.length === 0) return null;
  const changed = sightings.filter((s) => s.kind === 'changed').length;
  return (
    <section
      className={changed > 0 ? 'pending-keys has-changed' : 'pending-keys'}
      aria-labelledby="pending-keys-title"
      data-testid="pending-keys"
    >
      <header className="pending-keys-head">
        <h2 id="pending-keys-title">
          Pending host keys: {sightings.length.toLocaleString()}
          {changed > 0 && <span className="pending-changed"> ({changed} changed)</span>}
        </h2>
        <p className="muted">
          These hosts presented an SSH key PatchDeck does not trust yet. Nothing was sent to them.
        </p>
      </header>
      <div className="table-wrap">
        <table className="data-table" aria-label="Pending host keys">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Address</th>
              <th scope="col">Key</th>
              <th scope="col">Fingerprint</th>
              <th scope="col">Seen</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sightings.slice(0, 100).map((s) => (
              <tr key={`${s.hostId}-${s.fingerprint}`}>
                <th scope="row">{s.hostName}</th>
                <td>
                  <code>
                    {s.address}:{s.port}
                  </code>
                </td>
                <td>
                  {s.kind === 'changed' ? (
                    <Badge tone="danger">Changed</Badge>
                  ) : (
                    <Badge tone="neutral">New</Badge>
                  )}{' '}
                  <code className="muted">{s.keyType}</code>
                </td>
                <td>
                  <code className="fp-cell" title={s.fingerprint}>
                    {s.fingerprint}
                  </code>
                </td>
                <td>{formatLocalTime(s.seenAt)}</td>
                <td className="row-actions">
                  <Button
                    size="small"
                    variant={s.kind === 'changed' ? 'danger' : 'secondary'}
                    aria-label={`Review key of ${s.hostName}`}
                    onClick={() => show(s)}
                  >
                    Review key
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sightings.length > 100 && (
        <p className="table-summary">
          Showing the first 100. Importing a known_hosts file from the hosts' build records pins
          many keys at once.
        </p>
      )}
    </section>
  );
}
