-- The directory: non-money records. Every invariant the Go validation checks
-- is checked again here. Cursor columns (student_no, barcode) compare
-- bytewise (COLLATE "C"), as in SQLite, so pages agree across stores.
CREATE TABLE schools (
    id                  text   PRIMARY KEY CHECK (id ~ '^[0-9]{5}$'),
    name                text   NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    single_recharge_max bigint NOT NULL CHECK (single_recharge_max > 0),
    balance_cap         bigint NOT NULL CHECK (balance_cap > 0),
    daily_spend_cap     bigint NOT NULL CHECK (daily_spend_cap > 0),
    arrears_cap         bigint NOT NULL CHECK (arrears_cap >= 0),
    void_window_seconds int    NOT NULL CHECK (void_window_seconds BETWEEN 0 AND 86400),
    CHECK (single_recharge_max <= balance_cap)
);

CREATE TABLE classes (
    school_id text NOT NULL REFERENCES schools (id),
    id        text NOT NULL CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    name      text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    grade     int  NOT NULL CHECK (grade BETWEEN 1 AND 12),
    PRIMARY KEY (school_id, id)
);

CREATE TABLE pupils (
    account_id     text  PRIMARY KEY CHECK (octet_length(account_id) BETWEEN 1 AND 128),
    school_id      text  NOT NULL REFERENCES schools (id),
    student_no     text  COLLATE "C" NOT NULL CHECK (student_no ~ '^[0-9]{10}$'),
    name           text  NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    class_id       text  NOT NULL,
    id_number_hash bytea NOT NULL CHECK (octet_length(id_number_hash) = 32),
    card_random    text  NOT NULL CHECK (card_random ~ '^[0-9]{2}$'),
    card_expiry    int   NOT NULL CHECK (card_expiry BETWEEN 20000101 AND 99991231),
    status         text  NOT NULL CHECK (status IN ('active', 'left')),
    UNIQUE (school_id, student_no),
    FOREIGN KEY (school_id, class_id) REFERENCES classes (school_id, id)
);
CREATE INDEX pupils_class ON pupils (school_id, class_id, student_no);

CREATE TABLE canteens (
    id        text NOT NULL PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    school_id text NOT NULL REFERENCES schools (id),
    name      text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    UNIQUE (school_id, id) -- target of terminals' foreign key
);

CREATE TABLE terminals (
    id          text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    school_id   text        NOT NULL,
    canteen_id  text        NOT NULL,
    name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    secret_hash bytea       NOT NULL CHECK (octet_length(secret_hash) BETWEEN 16 AND 64),
    status      text        NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at  timestamptz NOT NULL,
    -- a terminal's canteen is of the terminal's school
    FOREIGN KEY (school_id, canteen_id) REFERENCES canteens (school_id, id)
);

-- One row per canteen with dishes; version is bumped in the transaction of
-- every dish change.
CREATE TABLE catalogs (
    canteen_id text   PRIMARY KEY REFERENCES canteens (id),
    version    bigint NOT NULL CHECK (version >= 0)
);

CREATE TABLE dishes (
    canteen_id text    NOT NULL REFERENCES catalogs (canteen_id),
    barcode    text    COLLATE "C" NOT NULL CHECK (barcode ~ '^[ -~]{1,32}$'),
    name       text    NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    price_fen  bigint  NOT NULL CHECK (price_fen > 0),
    kcal       int     NOT NULL CHECK (kcal >= 0),
    protein_mg int     NOT NULL CHECK (protein_mg >= 0),
    fat_mg     int     NOT NULL CHECK (fat_mg >= 0),
    carb_mg    int     NOT NULL CHECK (carb_mg >= 0),
    allergens  text[]  NOT NULL CHECK (cardinality(allergens) <= 16 AND array_position(allergens, NULL) IS NULL),
    active     boolean NOT NULL,
    PRIMARY KEY (canteen_id, barcode)
);

-- Notifications to send at least once. A claimed row is skipped by other
-- claimers until claimed_until passes.
CREATE TABLE outbox (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic         text        NOT NULL CHECK (topic IN ('arrears', 'otp', 'reminder')),
    recipient     text        NOT NULL CHECK (octet_length(recipient) BETWEEN 1 AND 128),
    payload       json        NOT NULL CHECK (octet_length(payload::text) <= 16384),
    created_at    timestamptz NOT NULL,
    attempts      int         NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claimed_until timestamptz,
    sent_at       timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
