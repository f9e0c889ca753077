import { useEffect } from 'react';

import { Button } from '../../components/button';
import { EmptyState, LoadingState } from '../../components/empty-state';

import { useSettingsStore } from './settings.store';

const TRANSPORT_LABELS = {
  ipc: 'Desktop app (Electron IPC)',
  http: 'Browser mode (loopback HTTP on 127.0.0.1)',
  'in-process': 'In-process (tests)',
} as const;

/** Settings → About: which PatchDeck this is and which workspace file it holds. */
export function AboutPanel() {
  const info = useSettingsStore((s) => s.info);
  const status = useSettingsStore((s) => s.infoStatus);
  const loadInfo = useSettingsStore((s) => s.loadInfo);
  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);

  return (
    <section aria-labelledby="about-title">
      <header className="section-header">
        <h2 id="about-title">About</h2>
      </header>
      {status === 'loading' && <LoadingState label="Reading workspace details…" />}
      {status === 'error' && (
        <EmptyState
          title="Workspace details are not available"
          actions={<Button onClick={() => void loadInfo()}>Try again</Button>}
        />
      )}
      {info && (
        <dl className="detail-list detail-list-narrow">
          <dt>Product</dt>
          <dd>{info.productName}</dd>
          <dt>Version</dt>
          <dd data-testid="about-version">{info.version}</dd>
          <dt>Workspace file</dt>
          <dd>
            <code className="path">{info.workspacePath}</code>
          </dd>
          <dt>Schema version</dt>
          <dd>{info.schemaVersion}</dd>
          <dt>Connection</dt>
          <dd>{TRANSPORT_LABELS[info.transport]}</dd>
        </dl>
      )}
    </section>
  );
}
