-- Recharge orders, same invariants as the PostgreSQL schema. STRICT tables
-- enforce column types; times are unix microseconds (UTC).
CREATE TABLE recharge_orders (
    order_id       TEXT    PRIMARY KEY CHECK (length(order_id) BETWEEN 6 AND 32 AND order_id NOT GLOB '*[^A-Za-z0-9_-]*'),
    request_id     TEXT    NOT NULL CHECK (length(CAST(request_id AS BLOB)) BETWEEN 1 AND 64),
    parent_id      TEXT    NOT NULL CHECK (length(CAST(parent_id AS BLOB)) BETWEEN 1 AND 128),
    account_id     TEXT    NOT NULL CHECK (length(CAST(account_id AS BLOB)) BETWEEN 1 AND 128),
    amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'awaiting_payment', 'credited', 'closed', 'failed')),
    pay_url        TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(pay_url AS BLOB)) <= 2048),
    transaction_id TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(transaction_id AS BLOB)) <= 64),
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (parent_id, request_id),
    CHECK (expires_at > created_at),
    CHECK (state <> 'awaiting_payment' OR pay_url <> ''),
    CHECK (state <> 'credited' OR transaction_id <> '')
) STRICT;
-- PendingSum and ListToResolve read open orders only.
CREATE INDEX recharge_orders_open_by_account ON recharge_orders (account_id) WHERE state IN ('pending', 'awaiting_payment');
CREATE INDEX recharge_orders_open_by_update ON recharge_orders (updated_at, order_id) WHERE state IN ('pending', 'awaiting_payment');
