-- Online-payment orders gain a purpose (a recharge, or a fee bill's payment), the
-- bill they pay (the fee item of the account), the school and the provider merchant
-- they were placed with. Rows written before are recharges. (SQLite adds columns one
-- at a time, with column constraints only; a column constraint may name another
-- column of the row.)
ALTER TABLE recharge_orders ADD COLUMN purpose TEXT NOT NULL DEFAULT 'recharge' CHECK (purpose IN ('recharge', 'fee'));
ALTER TABLE recharge_orders ADD COLUMN item_id TEXT NOT NULL DEFAULT ''
    CHECK (length(CAST(item_id AS BLOB)) <= 128 AND (purpose = 'fee') = (item_id <> ''));
ALTER TABLE recharge_orders ADD COLUMN school_id TEXT NOT NULL DEFAULT '' CHECK (length(CAST(school_id AS BLOB)) <= 128);
ALTER TABLE recharge_orders ADD COLUMN merchant_key TEXT NOT NULL DEFAULT '' CHECK (length(CAST(merchant_key AS BLOB)) <= 64);
-- PendingSum reads open recharges only; OpenForBill the open orders of one bill.
DROP INDEX recharge_orders_open_by_account;
CREATE INDEX recharge_orders_open_by_account ON recharge_orders (account_id, purpose, item_id) WHERE state IN ('pending', 'awaiting_payment');
