-- Refunds of paid online orders (a fee bill's payment or a recharge), written before
-- the provider is asked. refund_no is ours (the provider's out_refund_no /
-- out_request_no); a staff member's request id is unique per school.
CREATE TABLE order_refunds (
    refund_no          text        PRIMARY KEY CHECK (refund_no ~ '^[A-Za-z0-9_-]{6,32}$'),
    request_id         text        NOT NULL CHECK (octet_length(request_id) BETWEEN 1 AND 64),
    school_id          text        NOT NULL CHECK (octet_length(school_id) BETWEEN 1 AND 128),
    order_id           text        NOT NULL REFERENCES recharge_orders (order_id),
    account_id         text        NOT NULL CHECK (octet_length(account_id) BETWEEN 1 AND 128),
    item_id            text        NOT NULL DEFAULT '' CHECK (octet_length(item_id) <= 128),
    amount_fen         bigint      NOT NULL CHECK (amount_fen > 0),
    reason             text        NOT NULL CHECK (octet_length(reason) BETWEEN 1 AND 256),
    staff_id           text        NOT NULL CHECK (octet_length(staff_id) BETWEEN 1 AND 128),
    state              text        NOT NULL CHECK (state IN ('pending', 'processing', 'succeeded', 'failed', 'closed')),
    provider_refund_id text        NOT NULL DEFAULT '' CHECK (octet_length(provider_refund_id) <= 64),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    UNIQUE (school_id, request_id)
);
-- The refunds of an order (the refundable sum); a school's list; the resolver's open refunds.
CREATE INDEX order_refunds_by_order ON order_refunds (order_id);
CREATE INDEX order_refunds_by_school ON order_refunds (school_id, created_at DESC, refund_no);
CREATE INDEX order_refunds_open ON order_refunds (updated_at, refund_no) WHERE state IN ('pending', 'processing');
