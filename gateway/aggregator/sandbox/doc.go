// Package sandbox is a stand-in WeChat Pay (API v3) speaking the protocol of package
// aggregator as WeChat Pay documents it, for demos and tests: `onecode
// aggregator-sandbox` serves it, `onecode serve --demo` runs it in-process, and tests
// run New(cfg).Handler() on 127.0.0.1:0.
//
// It serves both modes — direct merchant (/v3/pay/transactions/{jsapi|h5|native},
// appid and mchid) and service provider (/v3/pay/partner/transactions/…, sp_appid,
// sp_mchid, sub_mchid, optional sub_appid) — with query by out_trade_no, close (204),
// refunds (/v3/refund/domestic/refunds, answered PROCESSING and paid back at once with
// a REFUND.SUCCESS notification), refund query and /v3/certificates. It keeps orders
// in memory (at most Config.MaxOrders; the oldest is forgotten first), verifies every
// merchant signature (WECHATPAY2-SHA256-RSA2048, serial_no of the merchant's API
// certificate; replayed nonces rejected), signs every 2xx answer and notification
// with its newest platform certificate (or, in public-key mode, its PUB_KEY_ID key),
// answers errors unsigned ({"code","message"}: 404 ORDER_NOT_EXIST, 400 ORDERPAID,
// ORDER_CLOSED, PARAM_ERROR, INVALID_REQUEST, 403 OUT_TRADE_NO_USED, 401 SIGN_ERROR,
// 500 SYSTEM_ERROR), and closes NOTPAY orders past time_expire.
//
// The parent who pays is played by POST /sandbox/pay/{out_trade_no} (or the tiny HTML
// page at GET /sandbox/pay/{out_trade_no}, where an H5 order's h5_url points); it marks
// the order SUCCESS and schedules the signed, encrypted TRANSACTION.SUCCESS
// notification, delivered on a bounded retry ladder until the merchant answers 2xx.
// A JSAPI order is paid by POST /sandbox/jsapi with the page's getBrandWCPayRequest
// parameters (paySign verified with the merchant's certificate), a Native order by
// POST /sandbox/scan {"code_url": …} (see wallet.go).
// POST /sandbox/rotate adds a new platform certificate and signs with it from then on
// (the old one stays valid: a rotation); POST /sandbox/signing?public_key=true|false
// switches between certificate and public-key mode.
//
// Faults (Config.Faults, or at runtime GET/POST /sandbox/faults with a partial JSON
// object such as {"fail_rate":"0.5","dup_notify":5,"retry_ladder":["0s","20ms"]}):
//
//	latency       delay before every /v3 answer
//	fail_rate     fraction of /v3 requests answered 500 SYSTEM_ERROR (before any effect)
//	drop_notify   fraction of notifications never sent (the order still says SUCCESS)
//	dup_notify    each notification is delivered N times (N independent deliveries)
//	reorder       notifications are held for a short window and sent newest first
//	retry_ladder  the delay before each delivery attempt (first entry: before the first)
//
// Fractions are written "0.25", "25%" or a JSON number and kept in per mille: no
// floats. GET /sandbox/stats reports delivery counters.
package sandbox
