-- The deliveries of a notice that providers accepted (issue 12, leftovers):
-- which channel actually carried it to which address and under which provider
-- message id. The address is kept only as an opaque keyed hash (target), never
-- as a phone, openid or e-mail. A delivery recorded here is never repeated when
-- its notice is sent again (another guardian's delivery failed for now), across
-- restarts and members. No foreign key: the router's group commit of a page of
-- deliveries must not fail as a whole for one notice.
CREATE TABLE notice_deliveries (
    notice_id   bigint      NOT NULL CHECK (notice_id > 0),
    channel     text        NOT NULL CHECK (channel IN ('sms', 'wechat', 'email', 'mailbox')),
    target      text        NOT NULL CHECK (octet_length(target) BETWEEN 1 AND 64),
    provider_id text        NOT NULL DEFAULT '' CHECK (octet_length(provider_id) <= 128),
    accepted_at timestamptz NOT NULL,
    PRIMARY KEY (notice_id, channel, target)
);
-- Addresses a provider said cannot be reached (a WeChat user who unsubscribed,
-- 43004; an openid the account does not know, 40003), by the same opaque
-- target: later notices skip them until the guardian links again. Kept here,
-- not in the directory, whose migrations are not this feature's.
CREATE TABLE unreachable_addresses (
    channel   text        NOT NULL CHECK (channel IN ('sms', 'wechat', 'email')),
    target    text        NOT NULL CHECK (octet_length(target) BETWEEN 1 AND 64),
    code      text        NOT NULL CHECK (octet_length(code) BETWEEN 1 AND 64),
    marked_at timestamptz NOT NULL,
    PRIMARY KEY (channel, target)
);
