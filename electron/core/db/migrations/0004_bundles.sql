-- Signed patch bundles: the trust store (publishers, their roots and keys), per-channel
-- high-water marks, imported bundles with their files and patches, and every import attempt.

CREATE TABLE bundle_publishers (
  publisher TEXT PRIMARY KEY,
  root_version INTEGER NOT NULL,
  root_json TEXT NOT NULL,
  added_at TEXT NOT NULL,
  added_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Every root version accepted for a publisher, oldest first (the rotation history).
CREATE TABLE bundle_publisher_roots (
  publisher TEXT NOT NULL REFERENCES bundle_publishers (publisher),
  version INTEGER NOT NULL,
  root_json TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  accepted_at TEXT NOT NULL,
  accepted_by TEXT NOT NULL,
  PRIMARY KEY (publisher, version)
);

CREATE TABLE bundle_trusted_keys (
  keyid TEXT PRIMARY KEY,
  publisher TEXT NOT NULL REFERENCES bundle_publishers (publisher),
  public_key TEXT NOT NULL,
  roles TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
  added_at TEXT NOT NULL,
  revoked_at TEXT,
  revoked_by TEXT,
  revoked_reason TEXT,
  bundles_verified INTEGER NOT NULL DEFAULT 0,
  last_used_at TEXT
);

CREATE INDEX bundle_trusted_keys_publisher ON bundle_trusted_keys (publisher);

-- Rollback and time-ratchet protection: the newest bundle accepted per publisher and channel.
CREATE TABLE bundle_channel_marks (
  publisher TEXT NOT NULL,
  channel TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  bundle_id TEXT NOT NULL,
  created TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (publisher, channel)
);

CREATE TABLE bundles (
  bundle_id TEXT PRIMARY KEY,
  publisher TEXT NOT NULL,
  channel TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  created TEXT NOT NULL,
  expires TEXT NOT NULL,
  root_version INTEGER NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  manifest_json TEXT NOT NULL,
  source_kind TEXT NOT NULL CHECK (source_kind IN ('directory', 'tar')),
  file_count INTEGER NOT NULL,
  total_bytes INTEGER NOT NULL,
  patch_count INTEGER NOT NULL,
  expiry_overridden INTEGER NOT NULL DEFAULT 0,
  verification TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  -- The copy in the workspace store, read again from the disk after the import committed:
  -- 'verifying' until that check ends (and again after a crash), then 'verified' or 'corrupt'
  -- (quarantined). Only a 'verified' bundle may be offered for deployment.
  store_status TEXT NOT NULL DEFAULT 'verifying'
    CHECK (store_status IN ('verifying', 'verified', 'corrupt')),
  store_checked_at TEXT,
  -- 1 when the check read the disk itself (O_DIRECT, Linux), 0 when through the OS file cache.
  store_read_direct INTEGER CHECK (store_read_direct IN (0, 1))
);

CREATE INDEX bundles_store_status ON bundles (store_status);

CREATE INDEX bundles_channel ON bundles (publisher, channel, sequence);

CREATE TABLE bundle_files (
  bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
  path TEXT NOT NULL,
  length INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (bundle_id, path)
);

CREATE INDEX bundle_files_sha256 ON bundle_files (sha256);

CREATE TABLE bundle_patches (
  bundle_id TEXT NOT NULL REFERENCES bundles (bundle_id),
  patch_id TEXT NOT NULL,
  title TEXT NOT NULL,
  vendor TEXT NOT NULL,
  severity TEXT NOT NULL,
  released_at TEXT NOT NULL,
  os_family TEXT NOT NULL,
  os_releases TEXT NOT NULL,
  reboot_required INTEGER NOT NULL,
  -- On CISA's Known Exploited Vulnerabilities list: 1, 0, or NULL when the bundle does not say.
  known_exploited INTEGER CHECK (known_exploited IN (0, 1)),
  supersedes TEXT NOT NULL,
  prerequisites TEXT NOT NULL,
  pre_steps TEXT NOT NULL,
  post_steps TEXT NOT NULL,
  cvss TEXT NOT NULL,
  PRIMARY KEY (bundle_id, patch_id)
);

CREATE INDEX bundle_patches_patch ON bundle_patches (patch_id);

CREATE TABLE bundle_patch_packages (
  bundle_id TEXT NOT NULL,
  patch_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  arch TEXT NOT NULL,
  kind TEXT NOT NULL,
  file TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  length INTEGER NOT NULL,
  PRIMARY KEY (bundle_id, patch_id, position),
  FOREIGN KEY (bundle_id, patch_id) REFERENCES bundle_patches (bundle_id, patch_id)
);

CREATE INDEX bundle_patch_packages_name ON bundle_patch_packages (name, arch);

CREATE TABLE bundle_patch_cves (
  bundle_id TEXT NOT NULL,
  patch_id TEXT NOT NULL,
  cve TEXT NOT NULL,
  PRIMARY KEY (bundle_id, patch_id, cve),
  FOREIGN KEY (bundle_id, patch_id) REFERENCES bundle_patches (bundle_id, patch_id)
);

CREATE INDEX bundle_patch_cves_cve ON bundle_patch_cves (cve);

CREATE TABLE bundle_patch_advisories (
  bundle_id TEXT NOT NULL,
  patch_id TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  PRIMARY KEY (bundle_id, patch_id, advisory_id),
  FOREIGN KEY (bundle_id, patch_id) REFERENCES bundle_patches (bundle_id, patch_id)
);

CREATE INDEX bundle_patch_advisories_id ON bundle_patch_advisories (advisory_id);

-- Every import attempt, refused ones included (no bundle rows exist for those).
CREATE TABLE bundle_import_attempts (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  operator_id TEXT,
  source TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'already-imported', 'repaired', 'refused')),
  error_code TEXT,
  message TEXT,
  bundle_id TEXT,
  publisher TEXT,
  channel TEXT,
  sequence INTEGER,
  bytes_read INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0,
  allow_expired INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX bundle_import_attempts_at ON bundle_import_attempts (at);
