-- Who logs in: staff (password, role, a teacher's class) and parents (known
-- by a keyed hash of their phone, never the phone), and which parent is a
-- guardian of which pupil. Counts of guardianships are bounded by the Store
-- inside its write transaction (20 children per parent, 10 guardians per pupil).
CREATE TABLE staff (
    id            TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^A-Za-z0-9_.-]*'),
    school_id     TEXT    NOT NULL REFERENCES schools (id),
    username      TEXT    NOT NULL CHECK (length(username) BETWEEN 1 AND 64 AND username NOT GLOB '*[^A-Za-z0-9_.-]*'),
    password_hash TEXT    NOT NULL CHECK (length(password_hash) BETWEEN 2 AND 256 AND password_hash GLOB '$*' AND password_hash NOT GLOB '*[^!-~]*'),
    role          TEXT    NOT NULL CHECK (role IN ('school_admin', 'finance', 'canteen_manager', 'teacher')),
    class_id      TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at    INTEGER NOT NULL, -- unix microseconds
    UNIQUE (school_id, username),
    -- a teacher has a class of the school; nobody else has one
    CHECK ((role = 'teacher') = (class_id IS NOT NULL)),
    FOREIGN KEY (school_id, class_id) REFERENCES classes (school_id, id)
) STRICT;

CREATE TABLE parents (
    id           TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^A-Za-z0-9_.-]*'),
    phone_hash   BLOB    NOT NULL UNIQUE CHECK (length(phone_hash) = 32),
    phone_masked TEXT    NOT NULL CHECK (length(phone_masked) = 11 AND phone_masked GLOB '[0-9][0-9][0-9][*][*][*][*][0-9][0-9][0-9][0-9]'),
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE guardianships (
    parent_id  TEXT    NOT NULL REFERENCES parents (id),
    account_id TEXT    NOT NULL REFERENCES pupils (account_id),
    relation   TEXT    NOT NULL CHECK (length(relation) BETWEEN 1 AND 16),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (parent_id, account_id)
) STRICT;
CREATE INDEX guardianships_account ON guardianships (account_id);
