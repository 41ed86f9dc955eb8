-- WeChat links of guardians (issue 12, issue 15 JSAPI): the official-account
-- openid a parent linked by OAuth, and the nonce of the one link they started and
-- have not finished (single use: consumed before the code is exchanged).
CREATE TABLE parent_wechat (
    parent_id   TEXT    PRIMARY KEY REFERENCES parents (id),
    openid      TEXT    CHECK (length(openid) BETWEEN 1 AND 64 AND openid NOT GLOB '*[^A-Za-z0-9_-]*'),
    linked_at   INTEGER,
    state_nonce TEXT    CHECK (length(state_nonce) BETWEEN 1 AND 64 AND state_nonce NOT GLOB '*[^A-Za-z0-9_.-]*'),
    CHECK ((openid IS NULL) = (linked_at IS NULL))
) STRICT;
