-- Online-payment orders gain a purpose (a recharge, or a fee bill's payment), the
-- bill they pay (the fee item of the account), the school and the provider merchant
-- they were placed with. Rows written before are recharges.
ALTER TABLE recharge_orders
    ADD COLUMN purpose      text NOT NULL DEFAULT 'recharge' CHECK (purpose IN ('recharge', 'fee')),
    ADD COLUMN item_id      text NOT NULL DEFAULT '' CHECK (octet_length(item_id) <= 128),
    ADD COLUMN school_id    text NOT NULL DEFAULT '' CHECK (octet_length(school_id) <= 128),
    ADD COLUMN merchant_key text NOT NULL DEFAULT '' CHECK (octet_length(merchant_key) <= 64),
    ADD CONSTRAINT recharge_orders_purpose_bill CHECK ((purpose = 'fee') = (item_id <> ''));
-- PendingSum reads open recharges only; OpenForBill the open orders of one bill.
DROP INDEX recharge_orders_open_by_account;
CREATE INDEX recharge_orders_open_by_account ON recharge_orders (account_id, purpose, item_id) WHERE state IN ('pending', 'awaiting_payment');
