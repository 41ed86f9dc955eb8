// Package sandbox is a stand-in payment aggregator speaking the protocol of package
// aggregator, for demos and tests: `onecode aggregator-sandbox` serves it, and tests
// run New(cfg).Handler() in-process on 127.0.0.1:0.
//
// It keeps orders in memory (at most Config.MaxOrders; the oldest is forgotten first),
// verifies every merchant signature (and rejects replayed nonces), signs every answer
// with the platform key, closes NOTPAY orders past expire_at, and refunds at once.
// The parent who pays is played by POST /sandbox/pay/{out_trade_no} (or the tiny HTML
// page at GET /sandbox/pay/{out_trade_no}); it marks the order SUCCESS and schedules
// the signed, encrypted TRANSACTION.SUCCESS notification, delivered on a bounded
// retry ladder until the merchant answers 2xx.
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
