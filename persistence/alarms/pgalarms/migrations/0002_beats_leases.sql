-- Terminals' last signs of life as every member sees them (issue 14: a terminal
-- served by one member is not "offline" on another), and leases: one holder of
-- a named job (the wallet auditor) at a time. Times are unix microseconds.
CREATE TABLE terminal_beats (
    terminal_id text    PRIMARY KEY CHECK (octet_length(terminal_id) BETWEEN 1 AND 128),
    school_id   text    NOT NULL CHECK (octet_length(school_id) <= 128),
    member      text    NOT NULL CHECK (octet_length(member) <= 128),
    online      boolean NOT NULL,
    last_seen   bigint  NOT NULL CHECK (last_seen > 0)
);
CREATE INDEX terminal_beats_seen ON terminal_beats (last_seen);
CREATE TABLE leases (
    name       text   PRIMARY KEY CHECK (octet_length(name) BETWEEN 1 AND 64),
    holder     text   NOT NULL CHECK (octet_length(holder) BETWEEN 1 AND 128),
    expires_at bigint NOT NULL CHECK (expires_at > 0)
);
