-- The payer is kept on the order: the channel (h5, jsapi, native), the client IP
-- the provider is told (H5) and the openid (JSAPI), so that asking the provider
-- again after a lost answer sends the same order. Rows written before are H5
-- orders without a known payer.
ALTER TABLE recharge_orders ADD COLUMN pay_channel TEXT NOT NULL DEFAULT 'h5' CHECK (pay_channel IN ('h5', 'jsapi', 'native'));
ALTER TABLE recharge_orders ADD COLUMN client_ip TEXT NOT NULL DEFAULT '' CHECK (length(CAST(client_ip AS BLOB)) <= 45);
ALTER TABLE recharge_orders ADD COLUMN open_id TEXT NOT NULL DEFAULT '' CHECK (length(CAST(open_id AS BLOB)) <= 128);
