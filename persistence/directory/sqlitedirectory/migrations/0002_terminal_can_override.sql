-- A terminal whose operator may approve a short purchase as arrears (override).
ALTER TABLE terminals ADD COLUMN can_override INTEGER NOT NULL DEFAULT 0 CHECK (can_override IN (0, 1));
