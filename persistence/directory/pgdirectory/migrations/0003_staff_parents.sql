-- Who logs in: staff (password, role, a teacher's class) and parents (known
-- by a keyed hash of their phone, never the phone), and which parent is a
-- guardian of which pupil. Counts of guardianships are bounded by the Store
-- under row locks (20 children per parent, 10 guardians per pupil).
CREATE TABLE staff (
    id            text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    school_id     text        NOT NULL REFERENCES schools (id),
    username      text        NOT NULL CHECK (username ~ '^[A-Za-z0-9_.-]{1,64}$'),
    password_hash text        NOT NULL CHECK (password_hash ~ '^\$[!-~]{1,255}$'),
    role          text        NOT NULL CHECK (role IN ('school_admin', 'finance', 'canteen_manager', 'teacher')),
    class_id      text,
    status        text        NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at    timestamptz NOT NULL,
    UNIQUE (school_id, username),
    -- a teacher has a class of the school; nobody else has one
    CHECK ((role = 'teacher') = (class_id IS NOT NULL)),
    FOREIGN KEY (school_id, class_id) REFERENCES classes (school_id, id)
);

CREATE TABLE parents (
    id           text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    phone_hash   bytea       NOT NULL UNIQUE CHECK (octet_length(phone_hash) = 32),
    phone_masked text        NOT NULL CHECK (phone_masked ~ '^[0-9]{3}\*{4}[0-9]{4}$'),
    created_at   timestamptz NOT NULL
);

CREATE TABLE guardianships (
    parent_id  text        NOT NULL REFERENCES parents (id),
    account_id text        NOT NULL REFERENCES pupils (account_id),
    relation   text        NOT NULL CHECK (char_length(relation) BETWEEN 1 AND 16),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (parent_id, account_id)
);
CREATE INDEX guardianships_account ON guardianships (account_id);
