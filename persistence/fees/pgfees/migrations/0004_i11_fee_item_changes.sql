-- Issue 11: the journal of an item's changes (staff views: "an item's journal of
-- changes"). One row per change, numbered per item (seq, 1, 2 …) in the order the
-- changes were written; change_key (derived from the action's idempotency key)
-- makes a retried action one row. The fee_item_changes of 0002 was never written:
-- it is replaced by this shape (seq, role, account, longer detail).
DROP TABLE IF EXISTS fee_item_changes;
CREATE TABLE fee_item_changes (
    item_id    text   NOT NULL REFERENCES fee_items (item_id),
    seq        bigint NOT NULL CHECK (seq > 0),
    change_key text   NOT NULL CHECK (octet_length(change_key) BETWEEN 1 AND 256),
    kind       text   NOT NULL CHECK (kind IN ('create', 'edit', 'import_amounts', 'publish', 'close', 'exempt',
                                               'cash', 'remind', 'refund', 'add_pupil')),
    staff_id   text   NOT NULL CHECK (octet_length(staff_id) BETWEEN 1 AND 128),
    role       text   NOT NULL CHECK (octet_length(role) <= 32),
    account_id text   NOT NULL CHECK (octet_length(account_id) <= 128),
    at         bigint NOT NULL,
    detail     text   NOT NULL CHECK (char_length(detail) <= 2000),
    PRIMARY KEY (item_id, seq),
    UNIQUE (item_id, change_key)
);
