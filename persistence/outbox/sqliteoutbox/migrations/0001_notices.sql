-- The outbox of notices (issue 12), apart from the directory. A notice is
-- queued once per dedupe key; claimed under a lease; ended sent, failed (with
-- its reason) or withdrawn (its cause withdrawn before it went out). Times are
-- unix microseconds.
CREATE TABLE notices (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key      TEXT    NOT NULL UNIQUE CHECK (length(CAST(dedupe_key AS BLOB)) BETWEEN 1 AND 128),
    kind            TEXT    NOT NULL CHECK (length(kind) BETWEEN 1 AND 32 AND kind NOT GLOB '*[^a-z_]*'),
    school_id       TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(school_id AS BLOB)) <= 64),
    recipient       TEXT    NOT NULL CHECK (length(CAST(recipient AS BLOB)) BETWEEN 1 AND 128),
    payload         TEXT    NOT NULL CHECK (json_valid(payload) AND length(CAST(payload AS BLOB)) <= 8192),
    not_before      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'withdrawn')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claimed_until   INTEGER,
    done_at         INTEGER,
    reason          TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(reason AS BLOB)) <= 200),
    delivery        TEXT    NOT NULL DEFAULT '' CHECK (delivery IN ('', 'delivered', 'undelivered')),
    delivery_detail TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(delivery_detail AS BLOB)) <= 200),
    delivered_at    INTEGER,
    CHECK ((state = 'queued') = (done_at IS NULL)),
    CHECK (delivery = '' OR state = 'sent')
);
CREATE INDEX notices_due ON notices (not_before, id) WHERE state = 'queued';
CREATE INDEX notices_school ON notices (school_id, id);
