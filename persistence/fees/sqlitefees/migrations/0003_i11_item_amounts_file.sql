-- Issue 11, as in the PostgreSQL schema: the student number, note and file line of
-- each imported per-pupil amount.
ALTER TABLE fee_item_amounts ADD COLUMN student_no TEXT NOT NULL DEFAULT ''
    CHECK (length(CAST(student_no AS BLOB)) <= 32);
ALTER TABLE fee_item_amounts ADD COLUMN note TEXT NOT NULL DEFAULT ''
    CHECK (length(note) <= 100);
ALTER TABLE fee_item_amounts ADD COLUMN line INTEGER NOT NULL DEFAULT 0
    CHECK (line >= 0);
CREATE INDEX fee_item_amounts_by_line ON fee_item_amounts (item_id, line, account_id);
