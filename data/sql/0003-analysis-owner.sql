-- Petri case database, version 3: which process runs an unfinished analysis.
-- Applied in one transaction together with PRAGMA user_version = 3.

-- "<boot id> <pid> <process start time>" of the Petri process that queued
-- the analysis, for as long as it is not finished. A process that stops
-- (killed, crashed, machine rebooted) leaves its analyses unfinished; the
-- next Petri to open the database finds that owner gone and marks them
-- failed instead of showing them as running forever.
ALTER TABLE analyses ADD COLUMN owner TEXT NOT NULL DEFAULT '';

CREATE INDEX analyses_unfinished ON analyses (id)
WHERE status IN ('queued', 'starting', 'running', 'collecting');
