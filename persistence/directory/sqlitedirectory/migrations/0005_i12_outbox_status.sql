-- Message push (issue 12): what became of an outbox message after it was claimed.
-- A permanent failure (a bad phone, a rejected template, no way to reach anyone) is
-- marked failed with its reason and never claimed again; a delivery receipt of the
-- provider records delivered or undelivered with the provider's detail.
ALTER TABLE outbox ADD COLUMN failed_at INTEGER; -- unix microseconds
ALTER TABLE outbox ADD COLUMN fail_reason TEXT NOT NULL DEFAULT '' CHECK (length(fail_reason) <= 200);
ALTER TABLE outbox ADD COLUMN delivery TEXT NOT NULL DEFAULT '' CHECK (delivery IN ('', 'delivered', 'undelivered'));
ALTER TABLE outbox ADD COLUMN delivery_detail TEXT NOT NULL DEFAULT '' CHECK (length(delivery_detail) <= 200);
ALTER TABLE outbox ADD COLUMN delivered_at INTEGER; -- unix microseconds
