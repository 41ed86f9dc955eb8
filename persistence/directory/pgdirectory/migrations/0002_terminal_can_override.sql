-- A terminal whose operator may approve a short purchase as arrears (override).
ALTER TABLE terminals ADD COLUMN can_override boolean NOT NULL DEFAULT false;
