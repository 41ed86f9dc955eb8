-- The payer is kept on the order: the channel (h5, jsapi, native), the client IP
-- the provider is told (H5) and the openid (JSAPI), so that asking the provider
-- again after a lost answer sends the same order. Rows written before are H5
-- orders without a known payer.
ALTER TABLE recharge_orders
    ADD COLUMN pay_channel text NOT NULL DEFAULT 'h5' CHECK (pay_channel IN ('h5', 'jsapi', 'native')),
    ADD COLUMN client_ip   text NOT NULL DEFAULT '' CHECK (octet_length(client_ip) <= 45),
    ADD COLUMN open_id     text NOT NULL DEFAULT '' CHECK (octet_length(open_id) <= 128);
