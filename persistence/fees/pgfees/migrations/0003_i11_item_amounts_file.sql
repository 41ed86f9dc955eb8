-- Issue 11: per-pupil amounts imported from a file (XLSX/CSV). Each amount keeps the
-- student number, an optional note and the file's line it came from, so that staff
-- see the imported list as they wrote it.
ALTER TABLE fee_item_amounts ADD COLUMN student_no text NOT NULL DEFAULT ''
    CHECK (octet_length(student_no) <= 32);
ALTER TABLE fee_item_amounts ADD COLUMN note text NOT NULL DEFAULT ''
    CHECK (char_length(note) <= 100);
ALTER TABLE fee_item_amounts ADD COLUMN line integer NOT NULL DEFAULT 0
    CHECK (line >= 0);
CREATE INDEX fee_item_amounts_by_line ON fee_item_amounts (item_id, line, account_id);
