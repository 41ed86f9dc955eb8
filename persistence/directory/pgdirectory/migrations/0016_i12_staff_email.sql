-- Message push (issue 12): staff may keep an e-mail address, where notices to
-- staff (a refund the provider failed or closed, to the school's finance staff)
-- are sent. Empty: none.
ALTER TABLE staff ADD COLUMN email text NOT NULL DEFAULT '' CHECK (length(email) <= 254);
