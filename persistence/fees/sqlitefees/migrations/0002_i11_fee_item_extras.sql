-- Issue 11, second round, as in the PostgreSQL schema: refunded amounts and the
-- 'refunded' state in the bill read model (SQLite cannot change a CHECK, so the
-- table is rebuilt), per-pupil amounts of a draft item and the change journal.
CREATE TABLE fee_bills_v2 (
    item_id      TEXT    NOT NULL REFERENCES fee_items (item_id),
    account_id   TEXT    NOT NULL CHECK (length(CAST(account_id AS BLOB)) BETWEEN 1 AND 128),
    school_id    TEXT    NOT NULL CHECK (length(CAST(school_id AS BLOB)) BETWEEN 1 AND 128),
    class_id     TEXT    NOT NULL CHECK (length(CAST(class_id AS BLOB)) <= 128),
    due_fen      INTEGER NOT NULL CHECK (due_fen > 0),
    paid_fen     INTEGER NOT NULL CHECK (paid_fen >= 0),
    exempted_fen INTEGER NOT NULL CHECK (exempted_fen >= 0),
    status       TEXT    NOT NULL CHECK (status IN ('unpaid', 'partly_paid', 'paid', 'exempt', 'closed', 'refunded')),
    seq          INTEGER NOT NULL CHECK (seq > 0),
    updated_at   INTEGER NOT NULL,
    refunded_fen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, account_id),
    CHECK (paid_fen <= due_fen AND exempted_fen <= due_fen - paid_fen),
    CHECK (refunded_fen >= 0 AND refunded_fen <= paid_fen)
) STRICT;
INSERT INTO fee_bills_v2 (item_id, account_id, school_id, class_id, due_fen, paid_fen, exempted_fen, status, seq, updated_at)
    SELECT item_id, account_id, school_id, class_id, due_fen, paid_fen, exempted_fen, status, seq, updated_at FROM fee_bills;
DROP TABLE fee_bills;
ALTER TABLE fee_bills_v2 RENAME TO fee_bills;
CREATE INDEX fee_bills_by_class ON fee_bills (item_id, class_id, account_id);

CREATE TABLE fee_item_amounts (
    item_id    TEXT    NOT NULL REFERENCES fee_items (item_id),
    account_id TEXT    NOT NULL CHECK (length(CAST(account_id AS BLOB)) BETWEEN 1 AND 128),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 100000000),
    PRIMARY KEY (item_id, account_id)
) STRICT;

CREATE TABLE fee_item_changes (
    item_id    TEXT    NOT NULL REFERENCES fee_items (item_id),
    change_key TEXT    NOT NULL CHECK (length(CAST(change_key AS BLOB)) BETWEEN 1 AND 256),
    school_id  TEXT    NOT NULL CHECK (length(CAST(school_id AS BLOB)) BETWEEN 1 AND 128),
    staff_id   TEXT    NOT NULL CHECK (length(CAST(staff_id AS BLOB)) BETWEEN 1 AND 128),
    kind       TEXT    NOT NULL CHECK (kind IN ('create', 'edit', 'publish', 'import_amounts', 'add_pupil', 'close')),
    detail     TEXT    NOT NULL CHECK (length(detail) <= 200),
    at         INTEGER NOT NULL,
    PRIMARY KEY (item_id, change_key)
) STRICT;
CREATE INDEX fee_item_changes_by_time ON fee_item_changes (item_id, at, change_key);
