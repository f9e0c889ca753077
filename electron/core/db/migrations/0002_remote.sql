-- Pinned SSH host keys. A host is trusted only through a key pinned here; a revoked key is
-- refused for every host. Revocations that name no single host use address '*' and port 0.

CREATE TABLE host_keys (
  address TEXT NOT NULL COLLATE NOCASE,
  port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
  key_type TEXT NOT NULL,
  public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pinned', 'revoked')),
  source TEXT NOT NULL CHECK (source IN ('accepted', 'known_hosts', 'repinned')),
  pinned_by TEXT NOT NULL,
  pinned_at TEXT NOT NULL,
  PRIMARY KEY (address, port, fingerprint)
);

CREATE INDEX host_keys_fingerprint ON host_keys (fingerprint, status);
