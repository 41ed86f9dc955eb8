// Package aggregator is OneCode's WeChat Pay API v3 adapter (微信支付 APIv3), written
// on the standard library: a signing REST client with one circuit breaker per
// operation, the platform keys (certificates downloaded from /v3/certificates, and the
// public key of public-key mode), the verification of signed answers and of signed,
// encrypted notifications, and Provider, the recharge.Provider port over them.
//
// It exists so that the online-payment use cases never speak HTTP, RSA or AES
// themselves, and so that the rules of DESIGN.md §4 live in one place: every call has
// a deadline; a prepay, close or refund that times out (or gets a 5xx, or an answer
// that does not verify) has an unknown outcome (ErrOutcomeUnknown), resolved by
// query and never by a second order; each operation has its own breaker, and
// business declines are not failures.
//
// # Protocol (as documented by WeChat Pay; the sandbox speaks the same)
//
// Direct merchant (appid, mchid) and service provider (服务商: sp_appid, sp_mchid, with
// the school as sub_mchid and optional sub_appid):
//
//	POST /v3/pay/transactions/{jsapi|h5|native}          → 200 {prepay_id} | {h5_url} | {code_url}
//	POST /v3/pay/partner/transactions/{jsapi|h5|native}
//	     {appid, mchid | sp_appid, sp_mchid, sub_mchid[, sub_appid]; description, out_trade_no,
//	      time_expire (RFC 3339, +08:00), notify_url, amount{total, currency:"CNY"},
//	      payer{openid | sp_openid | sub_openid} (jsapi),
//	      scene_info{payer_client_ip, h5_info{type:"Wap"}} (h5)}
//	GET  /v3/pay/transactions/out-trade-no/{no}?mchid=…  → 200 transaction
//	GET  /v3/pay/partner/transactions/out-trade-no/{no}?sp_mchid=…&sub_mchid=…
//	POST …/out-trade-no/{no}/close {mchid | sp_mchid, sub_mchid} → 204
//	POST /v3/refund/domestic/refunds {[sub_mchid,] out_trade_no, out_refund_no, reason,
//	     notify_url, amount{refund, total, currency}} → 200 refund
//	GET  /v3/refund/domestic/refunds/{out_refund_no}[?sub_mchid=…] → 200 refund
//	GET  /v3/certificates → 200 {data:[{serial_no, effective_time, expire_time, encrypt_certificate}]}
//
// A transaction is {appid|sp_appid…, mchid, out_trade_no, transaction_id, trade_type,
// trade_state, trade_state_desc, bank_type, success_time, payer, amount{total,
// payer_total, currency, payer_currency}}; trade_state ∈ SUCCESS, REFUND, NOTPAY,
// CLOSED, REVOKED, USERPAYING, PAYERROR (see RemoteState for what each means to an
// order). A refund is {refund_id, out_refund_no, transaction_id, out_trade_no,
// status (refund_status in notifications) ∈ SUCCESS, CLOSED, PROCESSING, ABNORMAL,
// amount{refund, total, payer_total, payer_refund, currency}}.
//
// Error answers are 4xx/5xx {"code","message"} and are NOT signed: 404 ORDER_NOT_EXIST
// (no such order: read as order.RemoteUnknown), 404 RESOURCE_NOT_EXISTS (no such
// refund), 400 ORDERPAID, ORDER_CLOSED, PARAM_ERROR, INVALID_REQUEST, 403
// OUT_TRADE_NO_USED, NOT_ENOUGH, NO_AUTH, 401 SIGN_ERROR, 429 FREQUENCY_LIMITED, 500
// SYSTEM_ERROR. Only 2xx answers are verified.
//
// Every request is signed with the merchant's API key (apiclient_key.pem); serial_no
// is the X.509 serial of its certificate (apiclient_cert.pem), upper-case hex:
//
//	Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"
//	signature = base64(RSASSA-PKCS1-v1_5(SHA-256, "METHOD\nURL\ntimestamp\nnonce\nbody\n"))
//
// URL is the path and query, timestamp Unix seconds, body empty for GET.
//
// Every 2xx answer and every notification is signed by WeChat Pay:
//
//	Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Serial,
//	Wechatpay-Signature = base64(RSASSA-PKCS1-v1_5(SHA-256, "timestamp\nnonce\nbody\n"))
//
// Wechatpay-Serial is a platform certificate's serial, or PUB_KEY_ID_… in public-key
// mode (verified with the configured platform public key). Certificates come from
// GET /v3/certificates, each sealed under the APIv3 key; they are kept per serial,
// every one valid now is accepted (two overlap during a rotation), and they are
// downloaded again every RefreshEvery and when an unknown serial shows up (at most
// once per RefreshGap). A timestamp more than 5 minutes off is refused.
//
// Notifications: POST notify_url with those headers and
//
//	{"id", "create_time", "resource_type": "encrypt-resource", "event_type", "summary",
//	 "resource": {"original_type": "transaction"|"refund", "algorithm": "AEAD_AES_256_GCM",
//	              "ciphertext": base64(ciphertext‖tag), "associated_data", "nonce"}}
//
// event_type ∈ TRANSACTION.SUCCESS, REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED; the
// resource opens (AES-256-GCM under the APIv3 key, the nonce string's bytes the GCM
// nonce, associated_data the additional data) to a transaction or a refund. The
// merchant answers 200 only once it has durably processed it, else 4xx/5xx
// {"code":"FAIL","message":"失败"} and WeChat Pay notifies again. Notifications may be
// duplicated, reordered or lost: the caller dedupes by out_trade_no and resolves lost
// ones by query.
//
// JSAPI payments hand the page appId, timeStamp, nonceStr, package ("prepay_id=…"),
// signType "RSA" and paySign = base64(RSA-SHA256(merchant key,
// "appId\ntimeStamp\nnonceStr\npackage\n")).
package aggregator
