-- Reconciliation reads what a merchant settled in a day: its credited orders and
-- the succeeded refunds, by the time of their last write.
CREATE INDEX recharge_orders_credited_by_merchant ON recharge_orders (merchant_key, updated_at) WHERE state = 'credited';
CREATE INDEX order_refunds_succeeded_by_update ON order_refunds (updated_at) WHERE state = 'succeeded';
