-- Fee items (definitions, no money) and the bill read model (issue 11). Times are
-- unix microseconds and flags 0/1, as in the SQLite schema, so that one
-- implementation (sqlstore) serves both. Every invariant of fees.ValidateItem and
-- fees.ValidateBill that a single row can show is checked again here.
CREATE TABLE fee_items (
    item_id       text     PRIMARY KEY CHECK (octet_length(item_id) BETWEEN 1 AND 128),
    school_id     text     NOT NULL CHECK (octet_length(school_id) BETWEEN 1 AND 128),
    title         text     NOT NULL CHECK (char_length(title) BETWEEN 1 AND 100),
    category      text     NOT NULL CHECK (category IN ('tuition', 'books', 'uniform', 'meals', 'trip', 'insurance', 'other')),
    amount_fen    bigint   NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 100000000),
    target_kind   text     NOT NULL CHECK (target_kind IN ('school', 'classes', 'accounts')),
    target_ids    text     NOT NULL,
    due_day       integer  NOT NULL CHECK (due_day BETWEEN 19000101 AND 99991231),
    allow_balance smallint NOT NULL CHECK (allow_balance IN (0, 1)),
    state         text     NOT NULL CHECK (state IN ('draft', 'published', 'closed')),
    created_by    text     NOT NULL CHECK (octet_length(created_by) BETWEEN 1 AND 128),
    created_at    bigint   NOT NULL,
    updated_at    bigint   NOT NULL
);
CREATE INDEX fee_items_by_school ON fee_items (school_id, created_at DESC, item_id DESC);

CREATE TABLE fee_bills (
    item_id      text    NOT NULL REFERENCES fee_items (item_id),
    account_id   text    NOT NULL CHECK (octet_length(account_id) BETWEEN 1 AND 128),
    school_id    text    NOT NULL CHECK (octet_length(school_id) BETWEEN 1 AND 128),
    class_id     text    NOT NULL CHECK (octet_length(class_id) <= 128),
    due_fen      bigint  NOT NULL CHECK (due_fen > 0),
    paid_fen     bigint  NOT NULL CHECK (paid_fen >= 0),
    exempted_fen bigint  NOT NULL CHECK (exempted_fen >= 0),
    status       text    NOT NULL CHECK (status IN ('unpaid', 'partly_paid', 'paid', 'exempt', 'closed')),
    seq          bigint  NOT NULL CHECK (seq > 0),
    updated_at   bigint  NOT NULL,
    PRIMARY KEY (item_id, account_id),
    CHECK (paid_fen <= due_fen AND exempted_fen <= due_fen - paid_fen)
);
CREATE INDEX fee_bills_by_class ON fee_bills (item_id, class_id, account_id);
