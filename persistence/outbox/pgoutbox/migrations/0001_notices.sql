-- The outbox of notices (issue 12), apart from the directory. A notice is
-- queued once per dedupe key; claimed under a lease; ended sent, failed (with
-- its reason) or withdrawn (its cause withdrawn before it went out).
CREATE TABLE notices (
    id              bigserial   PRIMARY KEY,
    dedupe_key      text        NOT NULL UNIQUE CHECK (octet_length(dedupe_key) BETWEEN 1 AND 128),
    kind            text        NOT NULL CHECK (kind ~ '^[a-z_]{1,32}$'),
    school_id       text        NOT NULL DEFAULT '' CHECK (octet_length(school_id) <= 64),
    recipient       text        NOT NULL CHECK (octet_length(recipient) BETWEEN 1 AND 128),
    payload         text        NOT NULL CHECK (octet_length(payload) <= 8192),
    not_before      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    state           text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'withdrawn')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claimed_until   timestamptz,
    done_at         timestamptz,
    reason          text        NOT NULL DEFAULT '' CHECK (octet_length(reason) <= 200),
    delivery        text        NOT NULL DEFAULT '' CHECK (delivery IN ('', 'delivered', 'undelivered')),
    delivery_detail text        NOT NULL DEFAULT '' CHECK (octet_length(delivery_detail) <= 200),
    delivered_at    timestamptz,
    CHECK ((state = 'queued') = (done_at IS NULL)),
    CHECK (delivery = '' OR state = 'sent')
);
CREATE INDEX notices_due ON notices (not_before, id) WHERE state = 'queued';
CREATE INDEX notices_school ON notices (school_id, id);
