-- Refunds of paid online orders, same invariants as the PostgreSQL schema; times are
-- unix microseconds (UTC).
CREATE TABLE order_refunds (
    refund_no          TEXT    PRIMARY KEY CHECK (length(refund_no) BETWEEN 6 AND 32 AND refund_no NOT GLOB '*[^A-Za-z0-9_-]*'),
    request_id         TEXT    NOT NULL CHECK (length(CAST(request_id AS BLOB)) BETWEEN 1 AND 64),
    school_id          TEXT    NOT NULL CHECK (length(CAST(school_id AS BLOB)) BETWEEN 1 AND 128),
    order_id           TEXT    NOT NULL REFERENCES recharge_orders (order_id),
    account_id         TEXT    NOT NULL CHECK (length(CAST(account_id AS BLOB)) BETWEEN 1 AND 128),
    item_id            TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(item_id AS BLOB)) <= 128),
    amount_fen         INTEGER NOT NULL CHECK (amount_fen > 0),
    reason             TEXT    NOT NULL CHECK (length(CAST(reason AS BLOB)) BETWEEN 1 AND 256),
    staff_id           TEXT    NOT NULL CHECK (length(CAST(staff_id AS BLOB)) BETWEEN 1 AND 128),
    state              TEXT    NOT NULL CHECK (state IN ('pending', 'processing', 'succeeded', 'failed', 'closed')),
    provider_refund_id TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(provider_refund_id AS BLOB)) <= 64),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (school_id, request_id)
) STRICT;
CREATE INDEX order_refunds_by_order ON order_refunds (order_id);
CREATE INDEX order_refunds_by_school ON order_refunds (school_id, created_at DESC, refund_no);
CREATE INDEX order_refunds_open ON order_refunds (updated_at, refund_no) WHERE state IN ('pending', 'processing');
