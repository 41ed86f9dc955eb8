-- The directory: non-money records, same invariants as the PostgreSQL
-- schema. STRICT tables enforce column types; text compares bytewise
-- (BINARY), which the cursor columns rely on.
CREATE TABLE schools (
    id                  TEXT    PRIMARY KEY CHECK (length(id) = 5 AND id NOT GLOB '*[^0-9]*'),
    name                TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    single_recharge_max INTEGER NOT NULL CHECK (single_recharge_max > 0),
    balance_cap         INTEGER NOT NULL CHECK (balance_cap > 0),
    daily_spend_cap     INTEGER NOT NULL CHECK (daily_spend_cap > 0),
    arrears_cap         INTEGER NOT NULL CHECK (arrears_cap >= 0),
    void_window_seconds INTEGER NOT NULL CHECK (void_window_seconds BETWEEN 0 AND 86400),
    CHECK (single_recharge_max <= balance_cap)
) STRICT;

CREATE TABLE classes (
    school_id TEXT    NOT NULL REFERENCES schools (id),
    id        TEXT    NOT NULL CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^A-Za-z0-9_.-]*'),
    name      TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    grade     INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
    PRIMARY KEY (school_id, id)
) STRICT;

CREATE TABLE pupils (
    account_id     TEXT    PRIMARY KEY CHECK (length(CAST(account_id AS BLOB)) BETWEEN 1 AND 128),
    school_id      TEXT    NOT NULL REFERENCES schools (id),
    student_no     TEXT    NOT NULL CHECK (length(student_no) = 10 AND student_no NOT GLOB '*[^0-9]*'),
    name           TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    class_id       TEXT    NOT NULL,
    id_number_hash BLOB    NOT NULL CHECK (length(id_number_hash) = 32),
    card_random    TEXT    NOT NULL CHECK (length(card_random) = 2 AND card_random NOT GLOB '*[^0-9]*'),
    card_expiry    INTEGER NOT NULL CHECK (card_expiry BETWEEN 20000101 AND 99991231),
    status         TEXT    NOT NULL CHECK (status IN ('active', 'left')),
    UNIQUE (school_id, student_no),
    FOREIGN KEY (school_id, class_id) REFERENCES classes (school_id, id)
) STRICT;
CREATE INDEX pupils_class ON pupils (school_id, class_id, student_no);

CREATE TABLE canteens (
    id        TEXT NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^A-Za-z0-9_.-]*'),
    school_id TEXT NOT NULL REFERENCES schools (id),
    name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    UNIQUE (school_id, id) -- target of terminals' foreign key
) STRICT;

CREATE TABLE terminals (
    id          TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^A-Za-z0-9_.-]*'),
    school_id   TEXT    NOT NULL,
    canteen_id  TEXT    NOT NULL,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    secret_hash BLOB    NOT NULL CHECK (length(secret_hash) BETWEEN 16 AND 64),
    status      TEXT    NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at  INTEGER NOT NULL, -- unix microseconds
    -- a terminal's canteen is of the terminal's school
    FOREIGN KEY (school_id, canteen_id) REFERENCES canteens (school_id, id)
) STRICT;

-- One row per canteen with dishes; version is bumped in the transaction of
-- every dish change.
CREATE TABLE catalogs (
    canteen_id TEXT    PRIMARY KEY REFERENCES canteens (id),
    version    INTEGER NOT NULL CHECK (version >= 0)
) STRICT;

CREATE TABLE dishes (
    canteen_id TEXT    NOT NULL REFERENCES catalogs (canteen_id),
    barcode    TEXT    NOT NULL CHECK (length(barcode) BETWEEN 1 AND 32 AND barcode NOT GLOB '*[^ -~]*'),
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    price_fen  INTEGER NOT NULL CHECK (price_fen > 0),
    kcal       INTEGER NOT NULL CHECK (kcal >= 0),
    protein_mg INTEGER NOT NULL CHECK (protein_mg >= 0),
    fat_mg     INTEGER NOT NULL CHECK (fat_mg >= 0),
    carb_mg    INTEGER NOT NULL CHECK (carb_mg >= 0),
    allergens  TEXT    NOT NULL CHECK (json_valid(allergens) AND json_type(allergens) = 'array' AND json_array_length(allergens) <= 16),
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    PRIMARY KEY (canteen_id, barcode)
) STRICT;

-- Notifications to send at least once. A claimed row is skipped by other
-- claimers until claimed_until passes (unix microseconds).
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    topic         TEXT    NOT NULL CHECK (topic IN ('arrears', 'otp', 'reminder')),
    recipient     TEXT    NOT NULL CHECK (length(CAST(recipient AS BLOB)) BETWEEN 1 AND 128),
    payload       TEXT    NOT NULL CHECK (json_valid(payload) AND length(CAST(payload AS BLOB)) <= 16384),
    created_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claimed_until INTEGER,
    sent_at       INTEGER
) STRICT;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
