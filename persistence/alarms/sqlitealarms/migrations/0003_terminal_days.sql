-- Terminals' sales and declines per service day: the PostgreSQL schema of
-- pgalarms, column for column.
CREATE TABLE terminal_days (
    day         INTEGER NOT NULL CHECK (day BETWEEN 10101 AND 99991231),
    terminal_id TEXT    NOT NULL CHECK (length(CAST(terminal_id AS BLOB)) BETWEEN 1 AND 128),
    member      TEXT    NOT NULL CHECK (length(CAST(member AS BLOB)) BETWEEN 1 AND 128),
    run         TEXT    NOT NULL CHECK (length(CAST(run AS BLOB)) BETWEEN 1 AND 64),
    school_id   TEXT    NOT NULL CHECK (length(CAST(school_id AS BLOB)) <= 128),
    sales       INTEGER NOT NULL CHECK (sales >= 0),
    sales_fen   INTEGER NOT NULL CHECK (sales_fen >= 0),
    declines    INTEGER NOT NULL CHECK (declines >= 0),
    by_reason   TEXT    NOT NULL CHECK (length(CAST(by_reason AS BLOB)) <= 4096),
    updated_at  INTEGER NOT NULL CHECK (updated_at > 0),
    PRIMARY KEY (day, terminal_id, member, run)
) STRICT;
CREATE INDEX terminal_days_school ON terminal_days (day, school_id);
