-- A guardian's inbox (ListTo): the notices to a recipient, newest first.
CREATE INDEX notices_recipient ON notices (recipient, id);
