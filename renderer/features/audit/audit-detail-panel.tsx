import { useEffect, useRef } from 'react';

import type { AuditRecord } from '../../../shared/domain/schemas';
import { Button } from '../../components/button';
import { LoadingState } from '../../components/empty-state';
import { formatLocalTime, formatUtcTime } from '../../lib/format';

import { OutcomeBadge } from './outcome-badge';

/** Props of AuditDetailPanel. */
export type AuditDetailPanelProps = {
  seq: number;
  record: AuditRecord | undefined;
  onClose: () => void;
};

/** Every field of one audit record, including the hashes that chain it to the previous one. */
export function AuditDetailPanel({ seq, record, onClose }: AuditDetailPanelProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [seq]);

  return (
    <aside
      className="audit-detail"
      aria-labelledby="audit-detail-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="audit-detail-header">
        <h2 id="audit-detail-title" ref={heading} tabIndex={-1}>
          Record #{seq}
        </h2>
        <Button size="small" variant="ghost" onClick={onClose}>
          Close
        </Button>
      </header>
      {!record ? (
        <LoadingState label="Loading record…" />
      ) : (
        <>
          <dl className="detail-list">
            <dt>Time</dt>
            <dd>
              {formatLocalTime(record.at)}
              <span className="muted block">{formatUtcTime(record.at)}</span>
            </dd>
            <dt>Operator</dt>
            <dd>
              {record.operatorName}
              {record.operatorId && <span className="muted block">id {record.operatorId}</span>}
            </dd>
            <dt>Operation</dt>
            <dd>
              <code>{record.op}</code>
            </dd>
            <dt>Outcome</dt>
            <dd>
              <OutcomeBadge outcome={record.outcome} />
              {record.errorCode && <code className="error-code">{record.errorCode}</code>}
            </dd>
            <dt>Summary</dt>
            <dd>{record.summary}</dd>
            <dt>Input digest</dt>
            <dd>
              <code className="hash-full">{record.inputDigest}</code>
            </dd>
            <dt>Previous hash</dt>
            <dd>
              <code className="hash-full">{record.prevHash}</code>
            </dd>
            <dt>Hash</dt>
            <dd>
              <code className="hash-full">{record.hash}</code>
            </dd>
          </dl>
          <h3 className="detail-subtitle">Details</h3>
          <pre className="json" tabIndex={0} aria-label="Details as JSON">
            {JSON.stringify(record.details, null, 2)}
          </pre>
        </>
      )}
    </aside>
  );
}
