-- Petri case database, version 2: behaviour strings in search.
-- Applied in one transaction together with PRAGMA user_version = 2.

-- Each distinct behaviour string of a sample once (a domain, an address, a
-- file path, a registry key, a command line …), so that a report with
-- thousands of identical events indexes the string once.
CREATE TABLE behavior_terms (
  sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  text      TEXT NOT NULL,
  kind      TEXT NOT NULL, -- behavior:<category>
  PRIMARY KEY (sample_id, text)
) WITHOUT ROWID;

CREATE TRIGGER behavior_terms_index AFTER INSERT ON behavior_terms
BEGIN
  INSERT INTO search_index (text, kind, sample_id, case_id)
  VALUES (NEW.text, NEW.kind, NEW.sample_id, NULL);
END;

CREATE TRIGGER events_index_target AFTER INSERT ON events
WHEN NEW.target IS NOT NULL AND length(NEW.target) BETWEEN 3 AND 1024
  AND NEW.category IN ('process', 'file', 'registry', 'network', 'command', 'mutex', 'driver',
                       'persistence')
BEGIN
  INSERT OR IGNORE INTO behavior_terms (sample_id, text, kind)
  SELECT sample_id, NEW.target, 'behavior:' || NEW.category FROM analyses
  WHERE id = NEW.analysis_id;
END;

CREATE TRIGGER events_index_command_line AFTER INSERT ON events
WHEN NEW.category = 'process' AND NEW.details IS NOT NULL AND json_valid (NEW.details)
  AND length(json_extract (NEW.details, '$.command_line')) BETWEEN 3 AND 1024
BEGIN
  INSERT OR IGNORE INTO behavior_terms (sample_id, text, kind)
  SELECT sample_id, json_extract (NEW.details, '$.command_line'), 'behavior:command'
  FROM analyses WHERE id = NEW.analysis_id;
END;

-- Events recorded before this version.
INSERT OR IGNORE INTO behavior_terms (sample_id, text, kind)
SELECT a.sample_id, e.target, 'behavior:' || e.category
FROM events e JOIN analyses a ON a.id = e.analysis_id
WHERE e.target IS NOT NULL AND length(e.target) BETWEEN 3 AND 1024
  AND e.category IN ('process', 'file', 'registry', 'network', 'command', 'mutex', 'driver',
                     'persistence');

CREATE INDEX analyses_case ON analyses (case_id);

-- Listing cases counts each case's flagged samples: a small index of just
-- those keeps that fast at 100,000 samples.
CREATE INDEX samples_flagged ON samples (id) WHERE verdict IN ('malicious', 'suspicious');
