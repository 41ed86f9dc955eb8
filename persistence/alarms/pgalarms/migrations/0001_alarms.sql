-- Operators' alarms (issue 14, seed 2 §7). Times are unix microseconds (0: not
-- yet), as in the SQLite schema, so that one implementation (sqlstore) serves
-- both. At most one open alarm per dedupe key.
CREATE TABLE alarms (
    alarm_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key text   NOT NULL CHECK (octet_length(dedupe_key) BETWEEN 1 AND 200),
    kind       text   NOT NULL CHECK (octet_length(kind) BETWEEN 1 AND 64),
    level      text   NOT NULL CHECK (level IN ('warning', 'critical')),
    school_id  text   NOT NULL CHECK (octet_length(school_id) <= 128),
    subject    text   NOT NULL CHECK (octet_length(subject) <= 128),
    message    text   NOT NULL CHECK (char_length(message) <= 500),
    raised_at  bigint NOT NULL CHECK (raised_at > 0),
    last_seen  bigint NOT NULL CHECK (last_seen >= raised_at),
    seen_count bigint NOT NULL CHECK (seen_count >= 1),
    cleared_at bigint NOT NULL DEFAULT 0 CHECK (cleared_at = 0 OR cleared_at >= raised_at),
    acked_by   text   NOT NULL DEFAULT '' CHECK (octet_length(acked_by) <= 128),
    acked_at   bigint NOT NULL DEFAULT 0 CHECK ((acked_at = 0) = (acked_by = ''))
);
CREATE UNIQUE INDEX alarms_open_key ON alarms (dedupe_key) WHERE cleared_at = 0;
CREATE INDEX alarms_open ON alarms (alarm_id) WHERE cleared_at = 0;
