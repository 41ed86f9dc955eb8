-- Message push (issue 12): guardians are reached by SMS. Beside the keyed hash
-- (the look-up at login) a parent keeps the phone sealed (AES-256-GCM under the
-- phone seal key of the keys directory, never in clear); empty for a parent
-- created before this migration until their next login.
ALTER TABLE parents ADD COLUMN phone_sealed TEXT NOT NULL DEFAULT ''
    CHECK (phone_sealed = '' OR (length(phone_sealed) BETWEEN 32 AND 128 AND phone_sealed NOT GLOB '*[^A-Za-z0-9_-]*'));
