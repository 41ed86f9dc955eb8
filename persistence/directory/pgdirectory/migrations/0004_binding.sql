-- Binding proofs (issue 10): a pupil's one-time bind code, kept as a keyed hash
-- (HMAC-SHA-256 over the account and the code) with its expiry; one per pupil,
-- replaced when staff issue another, deleted when a binding uses it. And the
-- outbox topic that tells guardians of a binding or unbinding.
CREATE TABLE bind_codes (
    account_id text        PRIMARY KEY REFERENCES pupils (account_id),
    code_hash  bytea       NOT NULL CHECK (octet_length(code_hash) = 32),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL
);

ALTER TABLE outbox DROP CONSTRAINT outbox_topic_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_topic_check CHECK (topic IN ('arrears', 'otp', 'reminder', 'binding'));
