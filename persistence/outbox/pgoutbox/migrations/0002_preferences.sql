-- Guardians' notice preferences (issue 12): enabled channels and muted notice
-- kinds; no row: every channel, every kind.
CREATE TABLE notice_preferences (
    parent_id  text        PRIMARY KEY CHECK (octet_length(parent_id) BETWEEN 1 AND 128),
    channels   text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(channels) <= 32),
    muted      text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(muted) <= 32),
    updated_at timestamptz NOT NULL
);
