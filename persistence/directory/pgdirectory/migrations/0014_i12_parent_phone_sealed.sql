-- Message push (issue 12): guardians are reached by SMS. Beside the keyed hash
-- (the look-up at login) a parent keeps the phone sealed (AES-256-GCM under the
-- phone seal key of the keys directory, never in clear); empty for a parent
-- created before this migration until their next login.
ALTER TABLE parents ADD COLUMN phone_sealed text NOT NULL DEFAULT ''
    CHECK (phone_sealed = '' OR phone_sealed ~ '^[A-Za-z0-9_-]{32,128}$');
