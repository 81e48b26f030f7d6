-- Petri case database, version 1.
-- Applied in one transaction together with PRAGMA user_version = 1.
-- Times are Unix seconds (UTC) unless noted.

CREATE TABLE petri_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cases (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
  created INTEGER NOT NULL,
  notes   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE samples (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
  sha1        TEXT NOT NULL CHECK (length(sha1) = 40),
  md5         TEXT NOT NULL CHECK (length(md5) = 32),
  size        INTEGER NOT NULL CHECK (size >= 0),
  mime        TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  ssdeep      TEXT NOT NULL DEFAULT '',
  first_seen  INTEGER NOT NULL,
  -- Cached from the latest result of each engine (engine_results keeps the history).
  verdict     TEXT NOT NULL DEFAULT 'pending'
              CHECK (verdict IN ('pending', 'malicious', 'suspicious', 'clean', 'error')),
  detections  INTEGER NOT NULL DEFAULT 0,
  engines     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX samples_sha1 ON samples (sha1);
CREATE INDEX samples_md5 ON samples (md5);

-- A sample in a case: one row per (case, sample), whatever the number of
-- names it was seen under.
CREATE TABLE case_samples (
  case_id         INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  sample_id       INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  added           INTEGER NOT NULL,
  notes           TEXT NOT NULL DEFAULT '',
  analyst_verdict TEXT CHECK (analyst_verdict IN ('malicious', 'suspicious', 'clean', 'unknown')),
  analyst_comment TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (case_id, sample_id)
) WITHOUT ROWID;
CREATE INDEX case_samples_sample ON case_samples (sample_id);

-- Every file name and path a sample was taken in under, per case.
CREATE TABLE sightings (
  id        INTEGER PRIMARY KEY,
  case_id   INTEGER NOT NULL,
  sample_id INTEGER NOT NULL,
  name      TEXT NOT NULL, -- display form (UTF-8; invalid bytes as \xNN)
  path      TEXT NOT NULL, -- display form
  path_raw  BLOB NOT NULL, -- the bytes of the original path
  root      TEXT,          -- the dropped or named folder it was found in, if any
  added     INTEGER NOT NULL,
  UNIQUE (case_id, sample_id, path_raw),
  FOREIGN KEY (case_id, sample_id) REFERENCES case_samples (case_id, sample_id) ON DELETE CASCADE
);
CREATE INDEX sightings_sample ON sightings (sample_id);

CREATE TABLE tags (
  case_id   INTEGER NOT NULL,
  sample_id INTEGER NOT NULL,
  tag       TEXT NOT NULL CHECK (length(tag) > 0),
  PRIMARY KEY (case_id, sample_id, tag),
  FOREIGN KEY (case_id, sample_id) REFERENCES case_samples (case_id, sample_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- Appended, never overwritten: a rescan adds rows, history stays.
CREATE TABLE engine_results (
  id             INTEGER PRIMARY KEY,
  sample_id      INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  engine         TEXT NOT NULL,
  engine_version TEXT NOT NULL DEFAULT '',
  signatures     TEXT NOT NULL DEFAULT '', -- signature-set version/description
  result         TEXT NOT NULL CHECK (result IN ('detected', 'clean', 'error')),
  names          TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
  heuristic      INTEGER NOT NULL DEFAULT 0,
  details        TEXT,                       -- JSON object (YARA matches, limits …)
  error          TEXT,
  scanned        INTEGER NOT NULL
);
CREATE INDEX engine_results_sample ON engine_results (sample_id, engine, id);
CREATE INDEX engine_results_scanned ON engine_results (scanned);

CREATE TABLE analyses (
  id        INTEGER PRIMARY KEY,
  sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  case_id   INTEGER REFERENCES cases (id) ON DELETE SET NULL,
  source    TEXT NOT NULL DEFAULT 'petri', -- petri, cape, cuckoo
  vm        TEXT NOT NULL DEFAULT '',
  platform  TEXT NOT NULL DEFAULT '',
  status    TEXT NOT NULL CHECK (status IN ('not_eligible', 'queued', 'starting', 'running',
                                            'collecting', 'done', 'failed')),
  reason    TEXT NOT NULL DEFAULT '',
  queued    INTEGER NOT NULL,
  started   INTEGER,
  finished  INTEGER,
  duration  INTEGER, -- configured run time, seconds
  summary   TEXT     -- JSON object
);
CREATE INDEX analyses_sample ON analyses (sample_id, id);

CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  analysis_id INTEGER NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
  seq         INTEGER NOT NULL,
  ts          REAL NOT NULL DEFAULT 0, -- seconds since the sample started
  category    TEXT NOT NULL, -- process, file, registry, network, injection, driver, evasion, persistence
  action      TEXT NOT NULL, -- exec, fork, exit, create, write, delete, connect, ioctl …
  pid         INTEGER,
  ppid        INTEGER,
  process     TEXT,
  target      TEXT,          -- path, address, key … what the action was on
  details     TEXT           -- JSON object
);
CREATE INDEX events_analysis ON events (analysis_id, seq);

-- Files a sample dropped (or a report listed) that became samples of their own.
CREATE TABLE sample_links (
  parent_id   INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  child_id    INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  analysis_id INTEGER REFERENCES analyses (id) ON DELETE SET NULL,
  relation    TEXT NOT NULL DEFAULT 'dropped',
  path        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (parent_id, child_id, relation)
) WITHOUT ROWID;
CREATE INDEX sample_links_child ON sample_links (child_id);

-- Every detection name a sample ever got, with when it first appeared
-- (the retro-hunt's "new detection since").
CREATE TABLE detection_names (
  sample_id  INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  engine     TEXT NOT NULL,
  name       TEXT NOT NULL,
  heuristic  INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (sample_id, engine, name)
) WITHOUT ROWID;
CREATE INDEX detection_names_first_seen ON detection_names (first_seen);

-- Full-text search over file names, paths and detection names (and later
-- behaviour strings). Substring matching through the trigram tokenizer.
CREATE VIRTUAL TABLE search_index USING fts5 (
  text,
  kind UNINDEXED,      -- name, path, detection
  sample_id UNINDEXED,
  case_id UNINDEXED,   -- NULL for detections (they belong to the sample)
  tokenize = 'trigram'
);

INSERT INTO petri_meta (key, value) VALUES ('format', 'petri-cases');
