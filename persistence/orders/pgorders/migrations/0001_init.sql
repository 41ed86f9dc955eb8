-- Recharge orders. Every invariant of orders.ValidateNew and of the state
-- machine that a single row can show is checked again here.
CREATE TABLE recharge_orders (
    order_id       text        PRIMARY KEY CHECK (order_id ~ '^[A-Za-z0-9_-]{6,32}$'),
    request_id     text        NOT NULL CHECK (octet_length(request_id) BETWEEN 1 AND 64),
    parent_id      text        NOT NULL CHECK (octet_length(parent_id) BETWEEN 1 AND 128),
    account_id     text        NOT NULL CHECK (octet_length(account_id) BETWEEN 1 AND 128),
    amount_fen     bigint      NOT NULL CHECK (amount_fen > 0),
    state          text        NOT NULL CHECK (state IN ('pending', 'awaiting_payment', 'credited', 'closed', 'failed')),
    pay_url        text        NOT NULL DEFAULT '' CHECK (octet_length(pay_url) <= 2048),
    transaction_id text        NOT NULL DEFAULT '' CHECK (octet_length(transaction_id) <= 64),
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (parent_id, request_id),
    CHECK (expires_at > created_at),
    CHECK (state <> 'awaiting_payment' OR pay_url <> ''),
    CHECK (state <> 'credited' OR transaction_id <> '')
);
-- PendingSum and ListToResolve read open orders only.
CREATE INDEX recharge_orders_open_by_account ON recharge_orders (account_id) WHERE state IN ('pending', 'awaiting_payment');
CREATE INDEX recharge_orders_open_by_update ON recharge_orders (updated_at, order_id) WHERE state IN ('pending', 'awaiting_payment');
