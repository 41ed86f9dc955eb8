-- The journal: the only money truth. (account, seq) and (account, idem_key)
-- are the fence against a second activation and against retried commands.
CREATE TABLE events (
    account  text        NOT NULL CHECK (account <> '' AND octet_length(account) <= 128),
    seq      bigint      NOT NULL CHECK (seq > 0),
    type     text        NOT NULL CHECK (type <> ''),
    data     bytea       NOT NULL,
    at       timestamptz NOT NULL,
    amount   bigint      NOT NULL DEFAULT 0,
    merchant text        NOT NULL DEFAULT '',
    PRIMARY KEY (account, seq)
);
-- Canteen read model: purchases and voids per merchant and time.
CREATE INDEX events_merchant_at ON events (merchant, at) INCLUDE (amount) WHERE merchant <> '';

CREATE TABLE commands (
    account     text   NOT NULL,
    idem_key    text   NOT NULL CHECK (idem_key <> '' AND octet_length(idem_key) <= 128),
    fingerprint text   NOT NULL,
    outcome     bytea  NOT NULL,
    seq         bigint NOT NULL CHECK (seq > 0), -- first event of the command
    PRIMARY KEY (account, idem_key),
    FOREIGN KEY (account, seq) REFERENCES events (account, seq)
);

CREATE TABLE snapshots (
    account text   NOT NULL,
    seq     bigint NOT NULL CHECK (seq > 0),
    data    bytea  NOT NULL,
    PRIMARY KEY (account, seq),
    FOREIGN KEY (account, seq) REFERENCES events (account, seq)
);

-- Double-entry postings; the postings of one event sum to zero (checked on
-- append; LedgerSum checks the whole ledger).
CREATE TABLE postings (
    account text     NOT NULL,
    seq     bigint   NOT NULL,
    idx     smallint NOT NULL CHECK (idx >= 0),
    ledger  text     NOT NULL CHECK (ledger <> ''),
    amount  bigint   NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (account, seq, idx),
    FOREIGN KEY (account, seq) REFERENCES events (account, seq)
);
