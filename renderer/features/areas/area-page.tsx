import { EmptyState } from '../../components/empty-state';

/** The areas whose screens arrive with later parts of PatchDeck. */
export type AreaName = 'assets' | 'bundles' | 'deployments' | 'compliance' | 'reports';

type AreaCopy = { heading: string; lead: string; title: string; body: string; steps: string[] };

const AREAS: Readonly<Record<AreaName, AreaCopy>> = {
  assets: {
    heading: 'Assets',
    lead: 'The hosts PatchDeck looks after, and what is installed on each of them.',
    title: 'No hosts in this workspace yet',
    body: 'Hosts are added by importing an inventory or by reaching them over SSH. PatchDeck pins every host by its SSH host key: first contact needs your explicit acceptance, and a changed key stops all work on that host.',
    steps: [
      'Import hosts from a CMDB export, an Nmap scan or a known_hosts file.',
      'Group hosts by site, tier and HA cluster so rollouts respect them.',
      'Scan hosts to record their OS, installed packages and end-of-life status.',
    ],
  },
  bundles: {
    heading: 'Bundles',
    lead: 'Signed patch bundles brought in on removable media.',
    title: 'No bundles imported yet',
    body: 'Import a signed patch bundle from removable media. PatchDeck verifies every signature and file before anything reaches a host.',
    steps: [
      'Check each bundle against the publisher keys an administrator trusts, by fingerprint.',
      'Refuse expired bundles, older versions, and any file that is not in the signed manifest.',
      'Copy verified packages into the workspace store, reading the media only once.',
    ],
  },
  deployments: {
    heading: 'Deployments',
    lead: 'Planned rollouts of verified patches to your hosts, ring by ring.',
    title: 'No deployments planned',
    body: 'A deployment is a plan: which patches, which hosts, in which rings, inside which maintenance window, and with whose approval. Nothing runs until the approvals it needs are recorded.',
    steps: [
      'Plan rings (canary, a first share, the rest) with a failure budget that halts the rollout.',
      'Keep reboots within what each HA group can tolerate.',
      'Follow every host step by step, and see a plain diagnosis when one fails.',
    ],
  },
  compliance: {
    heading: 'Compliance',
    lead: 'Where every host stands against the patches it should have.',
    title: 'Nothing to evaluate yet',
    body: 'Once hosts are scanned and bundles imported, this page shows which hosts are missing which patches, how long each gap has been open, and whether it is within its SLA.',
    steps: [
      'See missing patches by tier and severity, and hosts drifting from their baseline.',
      'Follow time-to-patch and SLA ageing over time.',
      'Record approved exceptions with their reason and expiry.',
    ],
  },
  reports: {
    heading: 'Reports',
    lead: 'Signed evidence for auditors, readable without PatchDeck.',
    title: 'No reports exported yet',
    body: 'Export a compliance workbook (XLSX) and a PDF summary, signed so an auditor can verify them offline with stock tools. Every report carries the audit chain head it was built from.',
    steps: [
      'Export to a folder or removable drive you choose.',
      'Verify a report later inside PatchDeck or with openssl.',
      'Hand auditors one file that opens in Excel or LibreOffice.',
    ],
  },
};

/** Props of AreaPage. */
export type AreaPageProps = { area: AreaName };

/** An area without data yet: what it is for and what the operator will do here. */
export function AreaPage({ area }: AreaPageProps) {
  const copy = AREAS[area];
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>{copy.heading}</h1>
          <p className="page-lead">{copy.lead}</p>
        </div>
      </header>
      <EmptyState title={copy.title}>
        <p>{copy.body}</p>
        <h3 className="empty-subtitle">What you will do here</h3>
        <ul className="empty-steps">
          {copy.steps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ul>
      </EmptyState>
    </div>
  );
}
