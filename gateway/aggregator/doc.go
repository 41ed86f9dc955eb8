// Package aggregator is OneCode's side of the payment aggregator (聚合支付) that parents
// recharge through: a signing REST client with one circuit breaker per operation, and
// the verification of the aggregator's signed, encrypted payment notifications.
//
// It exists so that the recharge service never speaks HTTP, RSA or AES itself, and so
// that the rules of DESIGN.md §4 live in one place: every call has a deadline; a
// create, close or refund that times out (or gets a 5xx) has an unknown outcome
// (ErrOutcomeUnknown), resolved by QueryOrder and never by a second order; each
// operation has its own breaker, and business declines are not failures.
//
// # Protocol (modelled on WeChat Pay API v3, standard library crypto only)
//
// Merchant → aggregator: JSON over HTTPS (plain HTTP on loopback in tests). Money is
// int64 fen; times are RFC 3339.
//
//	POST /v3/orders                        {out_trade_no, amount_fen, description, notify_url, expire_at}
//	                                       → 200 {prepay_id, pay_url}
//	GET  /v3/orders/{out_trade_no}         → 200 {out_trade_no, state, amount_fen, refunded_fen,
//	                                              transaction_id, success_time}
//	                                         state ∈ NOTPAY | SUCCESS | CLOSED | REFUND
//	POST /v3/orders/{out_trade_no}/close   → 204
//	POST /v3/refunds                       {out_trade_no, out_refund_no, amount_fen}
//	                                       → 200 {refund_id, out_refund_no, out_trade_no, amount_fen, status}
//
// Creating an order again with the same out_trade_no and the same fields returns the
// same prepay_id (so a retry after ErrOutcomeUnknown is harmless); other fields →
// 400 OUT_TRADE_NO_USED. Refunds are idempotent by out_refund_no the same way.
// Errors are 4xx/5xx with {"code": "...", "message": "..."}; the codes are the Code*
// constants (ORDER_PAID, ORDER_CLOSED, ORDER_NOT_EXIST, ORDER_NOT_PAID,
// REFUND_EXCEEDED, OUT_TRADE_NO_USED, INVALID_REQUEST, SIGN_ERROR, SYSTEM_ERROR,
// RATE_LIMITED).
//
// Every request is signed with the merchant's RSA-2048 private key:
//
//	Authorization: ONECODE-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"
//	signature = base64(RSASSA-PKCS1-v1_5(SHA-256, "METHOD\nURL\ntimestamp\nnonce\nbody\n"))
//
// where URL is the request URI (path and query, no host), timestamp is Unix seconds
// and body is empty for GET. The aggregator rejects a timestamp more than 5 minutes
// off, an unknown serial or a replayed nonce with 401 SIGN_ERROR.
//
// Every aggregator response that is not a 5xx or 429, and every notification, is signed
// with the aggregator's platform key; the client verifies responses before believing
// them (a forged "SUCCESS" from a query would be a credit without a payment):
//
//	Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Serial,
//	Wechatpay-Signature = base64(RSASSA-PKCS1-v1_5(SHA-256, "timestamp\nnonce\nbody\n"))
//
// Aggregator → merchant: once the parent pays, POST notify_url with those headers and
//
//	{"id": "…", "create_time": "…", "event_type": "TRANSACTION.SUCCESS", "resource_type": "encrypt-resource",
//	 "resource": {"algorithm": "AEAD_AES_256_GCM", "ciphertext": base64(ciphertext‖tag),
//	              "nonce": 12 characters, "associated_data": "transaction", "original_type": "transaction"}}
//
// The resource is sealed with AES-256-GCM under the merchant's 32-byte APIv3 key (the
// nonce string's bytes are the GCM nonce, associated_data the additional data) and
// opens to {out_trade_no, transaction_id, amount_fen, trade_state, success_time}.
// The merchant answers 200 {"code":"SUCCESS"} only after it has durably processed the
// notification, else 5xx {"code":"FAIL"}; the aggregator retries on a bounded ladder.
// Notifications may be duplicated, reordered or lost: the merchant dedupes by
// out_trade_no (credits are idempotent by order id) and resolves lost ones by query.
//
// Keys (see Keys and LoadKeys): the merchant holds its private key, the platform's
// public key and the APIv3 key; a key's serial is the upper-case hex of the first 20
// bytes of SHA-256 over its PKIX public key.
package aggregator
