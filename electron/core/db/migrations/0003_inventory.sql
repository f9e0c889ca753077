-- The host inventory: hosts, their latest facts and packages, scans and what each scan changed,
-- host keys waiting for a decision, stored credentials and the vault that encrypts their secrets.
-- Relations are kept by the inventory code (the workspace does not enforce foreign keys).

-- Secrets are only ever stored encrypted (AES-256-GCM under the vault key): *_enc columns.
CREATE TABLE credentials (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('key', 'agent', 'password')),
  key_path TEXT,
  agent_socket TEXT,
  passphrase_enc TEXT,
  password_enc TEXT,
  sudo TEXT NOT NULL CHECK (sudo IN ('none', 'nopasswd', 'password')),
  sudo_password_enc TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- One row at most: the KDF salt and parameters, and a verifier (a known text encrypted under the
-- derived key) that tells a wrong passphrase from a right one.
CREATE TABLE vault (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  kdf TEXT NOT NULL,
  salt TEXT NOT NULL,
  params TEXT NOT NULL,
  verifier TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- Hosts carry their connection, the operator's attributes, and a summary of the latest facts and
-- scan, so the host table sorts and filters on one table.
CREATE TABLE hosts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  address TEXT NOT NULL COLLATE NOCASE,
  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  username TEXT NOT NULL,
  credential_id TEXT,
  jump_host_id TEXT,
  tier INTEGER NOT NULL CHECK (tier BETWEEN 0 AND 3),
  environment TEXT NOT NULL,
  owner TEXT NOT NULL COLLATE NOCASE DEFAULT '',
  business_service TEXT NOT NULL COLLATE NOCASE DEFAULT '',
  data_sensitivity TEXT NOT NULL,
  regulatory_tags TEXT NOT NULL DEFAULT '[]',
  ha_group TEXT NOT NULL DEFAULT '',
  network_zone TEXT NOT NULL COLLATE NOCASE DEFAULT '',
  exposure TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  notes TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL CHECK (source IN ('manual', 'cmdb', 'nmap', 'known_hosts', 'ssh_config')),
  cmdb_id TEXT,
  os_family TEXT,
  os_id TEXT,
  os_name TEXT COLLATE NOCASE,
  os_version TEXT,
  kernel TEXT,
  arch TEXT,
  package_count INTEGER,
  reboot_required INTEGER,
  eol_product TEXT,
  eol_date TEXT,
  last_scan_id TEXT,
  last_scan_at TEXT,
  last_scan_status TEXT CHECK (last_scan_status IN ('ok', 'failed')),
  last_scan_failure_kind TEXT,
  last_scan_message TEXT,
  last_scan_action TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (address, port)
);

-- One (column, name, id) index per sortable column: a page is read along the index.
CREATE INDEX hosts_name ON hosts (name, id);
CREATE INDEX hosts_address ON hosts (address, name, id);
CREATE INDEX hosts_tier ON hosts (tier, name, id);
CREATE INDEX hosts_environment ON hosts (environment, name, id);
CREATE INDEX hosts_os_name ON hosts (os_name, name, id);
CREATE INDEX hosts_eol_date ON hosts (eol_date, name, id);
CREATE INDEX hosts_last_scan_at ON hosts (last_scan_at, name, id);
CREATE INDEX hosts_package_count ON hosts (package_count, name, id);
CREATE INDEX hosts_owner ON hosts (owner, name, id);
CREATE INDEX hosts_business_service ON hosts (business_service, name, id);
CREATE INDEX hosts_network_zone ON hosts (network_zone, name, id);
CREATE INDEX hosts_last_scan_status ON hosts (last_scan_status);
CREATE INDEX hosts_cmdb_id ON hosts (cmdb_id) WHERE cmdb_id IS NOT NULL;
CREATE INDEX hosts_credential ON hosts (credential_id) WHERE credential_id IS NOT NULL;
CREATE INDEX hosts_jump_host ON hosts (jump_host_id) WHERE jump_host_id IS NOT NULL;

-- The facts of the latest successful scan, without the package list (JSON of HostFacts), and a
-- digest of the package list as stored in host_packages (SHA-256 of the sorted entries; NULL when
-- unknown): a scan whose list has the same digest leaves host_packages alone.
CREATE TABLE host_facts (
  host_id TEXT PRIMARY KEY,
  scan_id TEXT NOT NULL,
  facts TEXT NOT NULL,
  collected_at TEXT NOT NULL,
  package_digest TEXT
);

-- The packages installed on each host as of its latest successful scan.
CREATE TABLE host_packages (
  host_id TEXT NOT NULL,
  name TEXT NOT NULL,
  arch TEXT NOT NULL,
  kind TEXT NOT NULL,
  version TEXT NOT NULL,
  publisher TEXT,
  PRIMARY KEY (host_id, name, arch, kind, version)
);

CREATE INDEX host_packages_name ON host_packages (name, host_id);

-- A scan run: several hosts scanned with a concurrency limit.
CREATE TABLE scan_runs (
  id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  started_by TEXT NOT NULL,
  concurrency INTEGER NOT NULL,
  total INTEGER NOT NULL,
  ok INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX scan_runs_unfinished ON scan_runs (started_at) WHERE finished_at IS NULL;

-- One scan of one host inside a run; counts of the package changes against the previous
-- successful scan of the same host.
CREATE TABLE scans (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  host_id TEXT NOT NULL,
  host_name TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'connecting', 'collecting', 'done', 'failed')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT CHECK (status IN ('ok', 'failed')),
  failure_kind TEXT,
  message TEXT,
  action TEXT,
  package_count INTEGER,
  previous_scan_id TEXT,
  added INTEGER NOT NULL DEFAULT 0,
  removed INTEGER NOT NULL DEFAULT 0,
  changed INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX scans_host ON scans (host_id, started_at, seq);
CREATE INDEX scans_run ON scans (run_id, seq);

-- What one scan found changed: added and removed packages, and version changes.
CREATE TABLE scan_package_changes (
  scan_id TEXT NOT NULL,
  change TEXT NOT NULL CHECK (change IN ('added', 'removed', 'changed')),
  name TEXT NOT NULL,
  arch TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_version TEXT,
  to_version TEXT
);

CREATE INDEX scan_package_changes_scan ON scan_package_changes (scan_id, change, name);

-- The latest untrusted key a host presented (first contact or a changed key), waiting for a
-- decision. Credentials are never sent to such a host.
CREATE TABLE host_key_sightings (
  host_id TEXT PRIMARY KEY,
  address TEXT NOT NULL COLLATE NOCASE,
  port INTEGER NOT NULL,
  key_type TEXT NOT NULL,
  public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('unknown', 'changed')),
  pinned_fingerprint TEXT,
  seen_at TEXT NOT NULL
);
