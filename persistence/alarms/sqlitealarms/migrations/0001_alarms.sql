-- Operators' alarms (issue 14, seed 2 §7): the PostgreSQL schema of pgalarms,
-- column for column. At most one open alarm per dedupe key.
CREATE TABLE alarms (
    alarm_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT    NOT NULL CHECK (length(CAST(dedupe_key AS BLOB)) BETWEEN 1 AND 200),
    kind       TEXT    NOT NULL CHECK (length(CAST(kind AS BLOB)) BETWEEN 1 AND 64),
    level      TEXT    NOT NULL CHECK (level IN ('warning', 'critical')),
    school_id  TEXT    NOT NULL CHECK (length(CAST(school_id AS BLOB)) <= 128),
    subject    TEXT    NOT NULL CHECK (length(CAST(subject AS BLOB)) <= 128),
    message    TEXT    NOT NULL CHECK (length(message) <= 500),
    raised_at  INTEGER NOT NULL CHECK (raised_at > 0),
    last_seen  INTEGER NOT NULL CHECK (last_seen >= raised_at),
    seen_count INTEGER NOT NULL CHECK (seen_count >= 1),
    cleared_at INTEGER NOT NULL DEFAULT 0 CHECK (cleared_at = 0 OR cleared_at >= raised_at),
    acked_by   TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(acked_by AS BLOB)) <= 128),
    acked_at   INTEGER NOT NULL DEFAULT 0 CHECK ((acked_at = 0) = (acked_by = ''))
) STRICT;
CREATE UNIQUE INDEX alarms_open_key ON alarms (dedupe_key) WHERE cleared_at = 0;
CREATE INDEX alarms_open ON alarms (alarm_id) WHERE cleared_at = 0;
