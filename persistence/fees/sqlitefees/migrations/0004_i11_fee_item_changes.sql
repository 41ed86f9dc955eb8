-- Issue 11, as in the PostgreSQL schema: the journal of an item's changes, numbered
-- per item (seq), one row per change key; replaces the never-written table of 0002.
DROP TABLE IF EXISTS fee_item_changes;
CREATE TABLE fee_item_changes (
    item_id    TEXT    NOT NULL REFERENCES fee_items (item_id),
    seq        INTEGER NOT NULL CHECK (seq > 0),
    change_key TEXT    NOT NULL CHECK (length(CAST(change_key AS BLOB)) BETWEEN 1 AND 256),
    kind       TEXT    NOT NULL CHECK (kind IN ('create', 'edit', 'import_amounts', 'publish', 'close', 'exempt',
                                                'cash', 'remind', 'refund', 'add_pupil')),
    staff_id   TEXT    NOT NULL CHECK (length(CAST(staff_id AS BLOB)) BETWEEN 1 AND 128),
    role       TEXT    NOT NULL CHECK (length(CAST(role AS BLOB)) <= 32),
    account_id TEXT    NOT NULL CHECK (length(CAST(account_id AS BLOB)) <= 128),
    at         INTEGER NOT NULL,
    detail     TEXT    NOT NULL CHECK (length(detail) <= 2000),
    PRIMARY KEY (item_id, seq),
    UNIQUE (item_id, change_key)
) STRICT;
