-- Host imports (CMDB spreadsheets, Nmap scans): the column mapping last confirmed for each source,
-- and which hosts each source has described, so later imports of the same source can tell which
-- of its hosts were never reached. A source is named by a signature of its header row
-- ('header:<sha256 prefix>') or by the scanner that wrote it ('scanner:nmap').

CREATE TABLE import_sources (
  source_name TEXT PRIMARY KEY,
  format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'xls', 'ods', 'nmap-xml')),
  columns TEXT NOT NULL,
  mapping TEXT NOT NULL,
  file_name TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  imported_at TEXT NOT NULL
);

CREATE TABLE import_source_hosts (
  source_name TEXT NOT NULL,
  host_id TEXT NOT NULL,
  row_number INTEGER NOT NULL,
  seen_at TEXT NOT NULL,
  PRIMARY KEY (source_name, host_id)
);

CREATE INDEX import_source_hosts_host ON import_source_hosts (host_id);
