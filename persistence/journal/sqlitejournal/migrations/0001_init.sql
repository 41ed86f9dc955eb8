CREATE TABLE events (
    account  TEXT    NOT NULL CHECK (account <> '' AND length(CAST(account AS BLOB)) <= 128),
    seq      INTEGER NOT NULL CHECK (seq > 0),
    type     TEXT    NOT NULL CHECK (type <> ''),
    data     BLOB    NOT NULL,
    at       INTEGER NOT NULL, -- Unix microseconds
    amount   INTEGER NOT NULL DEFAULT 0,
    merchant TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (account, seq)
) WITHOUT ROWID;
CREATE INDEX events_merchant_at ON events (merchant, at, amount) WHERE merchant <> '';

CREATE TABLE commands (
    account     TEXT    NOT NULL,
    idem_key    TEXT    NOT NULL CHECK (idem_key <> '' AND length(CAST(idem_key AS BLOB)) <= 128),
    fingerprint TEXT    NOT NULL,
    outcome     BLOB    NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    PRIMARY KEY (account, idem_key),
    FOREIGN KEY (account, seq) REFERENCES events (account, seq)
) WITHOUT ROWID;

CREATE TABLE snapshots (
    account TEXT    NOT NULL,
    seq     INTEGER NOT NULL CHECK (seq > 0),
    data    BLOB    NOT NULL,
    PRIMARY KEY (account, seq),
    FOREIGN KEY (account, seq) REFERENCES events (account, seq)
) WITHOUT ROWID;

CREATE TABLE postings (
    account TEXT    NOT NULL,
    seq     INTEGER NOT NULL,
    idx     INTEGER NOT NULL CHECK (idx >= 0),
    ledger  TEXT    NOT NULL CHECK (ledger <> ''),
    amount  INTEGER NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (account, seq, idx),
    FOREIGN KEY (account, seq) REFERENCES events (account, seq)
) WITHOUT ROWID;
