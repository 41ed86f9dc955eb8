-- WeChat links of guardians (issue 12, issue 15 JSAPI): the official-account
-- openid a parent linked by OAuth, and the nonce of the one link they started and
-- have not finished (single use: consumed before the code is exchanged).
CREATE TABLE parent_wechat (
    parent_id   text        PRIMARY KEY REFERENCES parents (id),
    openid      text        CHECK (openid ~ '^[A-Za-z0-9_-]{1,64}$'),
    linked_at   timestamptz,
    state_nonce text        CHECK (state_nonce ~ '^[A-Za-z0-9_.-]{1,64}$'),
    CHECK ((openid IS NULL) = (linked_at IS NULL))
);
