-- Fee items and the bill read model (issue 11), same invariants as the PostgreSQL
-- schema. STRICT tables enforce column types; times are unix microseconds (UTC).
CREATE TABLE fee_items (
    item_id       TEXT    PRIMARY KEY CHECK (length(CAST(item_id AS BLOB)) BETWEEN 1 AND 128),
    school_id     TEXT    NOT NULL CHECK (length(CAST(school_id AS BLOB)) BETWEEN 1 AND 128),
    title         TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    category      TEXT    NOT NULL CHECK (category IN ('tuition', 'books', 'uniform', 'meals', 'trip', 'insurance', 'other')),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 100000000),
    target_kind   TEXT    NOT NULL CHECK (target_kind IN ('school', 'classes', 'accounts')),
    target_ids    TEXT    NOT NULL,
    due_day       INTEGER NOT NULL CHECK (due_day BETWEEN 19000101 AND 99991231),
    allow_balance INTEGER NOT NULL CHECK (allow_balance IN (0, 1)),
    state         TEXT    NOT NULL CHECK (state IN ('draft', 'published', 'closed')),
    created_by    TEXT    NOT NULL CHECK (length(CAST(created_by AS BLOB)) BETWEEN 1 AND 128),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX fee_items_by_school ON fee_items (school_id, created_at DESC, item_id DESC);

CREATE TABLE fee_bills (
    item_id      TEXT    NOT NULL REFERENCES fee_items (item_id),
    account_id   TEXT    NOT NULL CHECK (length(CAST(account_id AS BLOB)) BETWEEN 1 AND 128),
    school_id    TEXT    NOT NULL CHECK (length(CAST(school_id AS BLOB)) BETWEEN 1 AND 128),
    class_id     TEXT    NOT NULL CHECK (length(CAST(class_id AS BLOB)) <= 128),
    due_fen      INTEGER NOT NULL CHECK (due_fen > 0),
    paid_fen     INTEGER NOT NULL CHECK (paid_fen >= 0),
    exempted_fen INTEGER NOT NULL CHECK (exempted_fen >= 0),
    status       TEXT    NOT NULL CHECK (status IN ('unpaid', 'partly_paid', 'paid', 'exempt', 'closed')),
    seq          INTEGER NOT NULL CHECK (seq > 0),
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (item_id, account_id),
    CHECK (paid_fen <= due_fen AND exempted_fen <= due_fen - paid_fen)
) STRICT;
CREATE INDEX fee_bills_by_class ON fee_bills (item_id, class_id, account_id);
