-- Issue 11, second round: refunded amounts in the bill read model (and the
-- 'refunded' state: everything paid went back), per-pupil amounts of a draft item
-- (imported from XLSX/CSV, billed on publish) and the item's change journal.
ALTER TABLE fee_bills ADD COLUMN refunded_fen bigint NOT NULL DEFAULT 0
    CHECK (refunded_fen >= 0 AND refunded_fen <= paid_fen);
ALTER TABLE fee_bills DROP CONSTRAINT fee_bills_status_check;
ALTER TABLE fee_bills ADD CONSTRAINT fee_bills_status_check
    CHECK (status IN ('unpaid', 'partly_paid', 'paid', 'exempt', 'closed', 'refunded'));

-- One amount per pupil of a draft item; publishing bills each pupil this amount.
CREATE TABLE fee_item_amounts (
    item_id    text   NOT NULL REFERENCES fee_items (item_id),
    account_id text   NOT NULL CHECK (octet_length(account_id) BETWEEN 1 AND 128),
    amount_fen bigint NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 100000000),
    PRIMARY KEY (item_id, account_id)
);

-- Every change to an item, with the staff member and the time. change_key makes a
-- retried change one row (e.g. the same pupil added twice).
CREATE TABLE fee_item_changes (
    item_id    text   NOT NULL REFERENCES fee_items (item_id),
    change_key text   NOT NULL CHECK (octet_length(change_key) BETWEEN 1 AND 256),
    school_id  text   NOT NULL CHECK (octet_length(school_id) BETWEEN 1 AND 128),
    staff_id   text   NOT NULL CHECK (octet_length(staff_id) BETWEEN 1 AND 128),
    kind       text   NOT NULL CHECK (kind IN ('create', 'edit', 'publish', 'import_amounts', 'add_pupil', 'close')),
    detail     text   NOT NULL CHECK (char_length(detail) <= 200),
    at         bigint NOT NULL,
    PRIMARY KEY (item_id, change_key)
);
CREATE INDEX fee_item_changes_by_time ON fee_item_changes (item_id, at, change_key);
