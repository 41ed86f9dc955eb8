-- The deliveries of a notice that providers accepted (issue 12, leftovers):
-- which channel actually carried it to which address and under which provider
-- message id. The address is kept only as an opaque keyed hash (target), never
-- as a phone, openid or e-mail. A delivery recorded here is never repeated when
-- its notice is sent again (another guardian's delivery failed for now), across
-- restarts. No foreign key: the router's group commit of a page of deliveries
-- must not fail as a whole for one notice. Times are unix microseconds.
CREATE TABLE notice_deliveries (
    notice_id   INTEGER NOT NULL CHECK (notice_id > 0),
    channel     TEXT    NOT NULL CHECK (channel IN ('sms', 'wechat', 'email', 'mailbox')),
    target      TEXT    NOT NULL CHECK (length(CAST(target AS BLOB)) BETWEEN 1 AND 64),
    provider_id TEXT    NOT NULL DEFAULT '' CHECK (length(CAST(provider_id AS BLOB)) <= 128),
    accepted_at INTEGER NOT NULL,
    PRIMARY KEY (notice_id, channel, target)
) WITHOUT ROWID;
-- Addresses a provider said cannot be reached (a WeChat user who unsubscribed,
-- 43004; an openid the account does not know, 40003), by the same opaque
-- target: later notices skip them until the guardian links again.
CREATE TABLE unreachable_addresses (
    channel   TEXT    NOT NULL CHECK (channel IN ('sms', 'wechat', 'email')),
    target    TEXT    NOT NULL CHECK (length(CAST(target AS BLOB)) BETWEEN 1 AND 64),
    code      TEXT    NOT NULL CHECK (length(CAST(code AS BLOB)) BETWEEN 1 AND 64),
    marked_at INTEGER NOT NULL,
    PRIMARY KEY (channel, target)
) WITHOUT ROWID;
