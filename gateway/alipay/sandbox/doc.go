// Package sandbox is an Alipay open-platform gateway for tests and the demo: it
// speaks the real protocol (gateway.do, the common parameters, RSA2 request
// signatures checked, answers signed over the exact *_response bytes, public-key
// and certificate modes, app_auth_token for service-provider mode) so that the
// gateway/alipay adapter, or an Alipay SDK, is exercised for real.
//
// It keeps trades in memory: alipay.trade.wap.pay (GET or POST of the signed URL
// shows a pay page with a "Pay" button), alipay.trade.precreate (the qr_code opens
// the same page), query, close, refund and fastpay.refund.query, and sends signed
// trade_status_sync notifications with retries until the merchant answers
// "success".
//
// Fault flags (Faults, settable at run time through /sandbox/faults): latency, a
// share of calls refused with a 5xx before processing, a share processed but
// answered with a 5xx (outcome unknown), a share answered ACQ.SYSTEM_ERROR,
// notifications dropped or duplicated, and the retry ladder.
//
// It never holds a real merchant's or Alipay's keys: alipay.GenerateKeySet makes
// both sides.
package sandbox
