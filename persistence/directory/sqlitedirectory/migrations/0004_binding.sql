-- Binding proofs (issue 10): a pupil's one-time bind code, kept as a keyed hash
-- (HMAC-SHA-256 over the account and the code) with its expiry; one per pupil,
-- replaced when staff issue another, deleted when a binding uses it. And the
-- outbox topic that tells guardians of a binding or unbinding (SQLite cannot
-- change a CHECK: the outbox is rebuilt, ids kept).
CREATE TABLE bind_codes (
    account_id TEXT    PRIMARY KEY REFERENCES pupils (account_id),
    code_hash  BLOB    NOT NULL CHECK (length(code_hash) = 32),
    expires_at INTEGER NOT NULL, -- unix microseconds
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE outbox_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    topic         TEXT    NOT NULL CHECK (topic IN ('arrears', 'otp', 'reminder', 'binding')),
    recipient     TEXT    NOT NULL CHECK (length(CAST(recipient AS BLOB)) BETWEEN 1 AND 128),
    payload       TEXT    NOT NULL CHECK (json_valid(payload) AND length(CAST(payload AS BLOB)) <= 16384),
    created_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claimed_until INTEGER,
    sent_at       INTEGER
) STRICT;
INSERT INTO outbox_new (id, topic, recipient, payload, created_at, attempts, claimed_until, sent_at)
    SELECT id, topic, recipient, payload, created_at, attempts, claimed_until, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
