-- Terminals' last signs of life and leases: the PostgreSQL schema of pgalarms,
-- column for column (online is 0 or 1).
CREATE TABLE terminal_beats (
    terminal_id TEXT    PRIMARY KEY CHECK (length(CAST(terminal_id AS BLOB)) BETWEEN 1 AND 128),
    school_id   TEXT    NOT NULL CHECK (length(CAST(school_id AS BLOB)) <= 128),
    member      TEXT    NOT NULL CHECK (length(CAST(member AS BLOB)) <= 128),
    online      INTEGER NOT NULL CHECK (online IN (0, 1)),
    last_seen   INTEGER NOT NULL CHECK (last_seen > 0)
) STRICT;
CREATE INDEX terminal_beats_seen ON terminal_beats (last_seen);
CREATE TABLE leases (
    name       TEXT    PRIMARY KEY CHECK (length(CAST(name AS BLOB)) BETWEEN 1 AND 64),
    holder     TEXT    NOT NULL CHECK (length(CAST(holder AS BLOB)) BETWEEN 1 AND 128),
    expires_at INTEGER NOT NULL CHECK (expires_at > 0)
) STRICT;
