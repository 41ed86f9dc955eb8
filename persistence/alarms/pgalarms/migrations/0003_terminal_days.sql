-- Terminals' sales and declines per service day (issue 14), as each run (process
-- start) of each member counted them: written with the terminals' beats, summed
-- over members and runs by the ops API, so a terminal's day is whole wherever it
-- paid and across restarts. day is YYYYMMDD (Asia/Shanghai); declines is a JSON
-- object of counts by reason code; updated_at is unix microseconds.
CREATE TABLE terminal_days (
    day         integer NOT NULL CHECK (day BETWEEN 10101 AND 99991231),
    terminal_id text    NOT NULL CHECK (octet_length(terminal_id) BETWEEN 1 AND 128),
    member      text    NOT NULL CHECK (octet_length(member) BETWEEN 1 AND 128),
    run         text    NOT NULL CHECK (octet_length(run) BETWEEN 1 AND 64),
    school_id   text    NOT NULL CHECK (octet_length(school_id) <= 128),
    sales       bigint  NOT NULL CHECK (sales >= 0),
    sales_fen   bigint  NOT NULL CHECK (sales_fen >= 0),
    declines    bigint  NOT NULL CHECK (declines >= 0),
    by_reason   text    NOT NULL CHECK (octet_length(by_reason) <= 4096),
    updated_at  bigint  NOT NULL CHECK (updated_at > 0),
    PRIMARY KEY (day, terminal_id, member, run)
);
CREATE INDEX terminal_days_school ON terminal_days (day, school_id);
