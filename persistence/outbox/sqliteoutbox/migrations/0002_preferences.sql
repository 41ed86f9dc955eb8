-- Guardians' notice preferences (issue 12): enabled channels and muted notice
-- kinds as comma-separated lists of [a-z_] names; no row: every channel, every kind.
CREATE TABLE notice_preferences (
    parent_id  TEXT    PRIMARY KEY CHECK (length(CAST(parent_id AS BLOB)) BETWEEN 1 AND 128),
    channels   TEXT    NOT NULL DEFAULT '' CHECK (channels NOT GLOB '*[^a-z_,]*'),
    muted      TEXT    NOT NULL DEFAULT '' CHECK (muted NOT GLOB '*[^a-z_,]*'),
    updated_at INTEGER NOT NULL
);
