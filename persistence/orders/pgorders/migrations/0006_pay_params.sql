-- The pay parameters the provider answered, beside pay_url: a Native order's
-- code_url and a JSAPI order's signed WeixinJSBridge parameters (JSON written by
-- app/recharge), so that an order read again is payable again. '' for H5 orders and
-- for orders written before.
ALTER TABLE recharge_orders
    ADD COLUMN pay_params text NOT NULL DEFAULT '' CHECK (octet_length(pay_params) <= 4096);
