// Package alipay is the Alipay open platform adapter of the recharge use case: it
// implements recharge.Provider (Name "alipay") on the standard library, because the
// Alipay SDKs are not served by the module proxy.
//
// The protocol is Alipay's as documented: one gateway URL
// (https://openapi.alipay.com/gateway.do), the common parameters (app_id, method,
// format=JSON, charset=utf-8, sign_type=RSA2, timestamp in Asia/Shanghai, version=1.0,
// notify_url, app_auth_token, biz_content), requests signed with RSA-SHA256 over the
// sorted non-empty parameters, answers verified over the exact bytes of their
// *_response value, and asynchronous notifications verified the same way over their
// sorted form fields. Both key modes are supported: public-key mode (the Alipay public
// key) and certificate mode (app_cert_sn, alipay_root_cert_sn, answers verified with
// the certificate named by alipay_cert_sn; further Alipay certificates in the keys
// directory are kept by SN, so a rotated-in one verifies beside the present one).
// Keys and certificates are read from a directory (LoadKeys) and never logged.
//
// Service-provider mode: a school's merchant app authorises OneCode's application
// (第三方应用授权); Config.AppAuthToken carries that token and every call is made for
// the school's merchant. It is the Alipay counterpart of a WeChat Pay sub-merchant.
//
// Channels: H5 is alipay.trade.wap.pay (a signed URL the payer's browser opens: no call
// is made at Place), Native is alipay.trade.precreate (qr_code); JSAPI is WeChat only
// and refused.
//
// Each remote operation has its own circuit breaker and a per-call deadline; errors
// are marked with the recharge port's sentinels, and anything unmarked (a timeout, a
// 5xx, ACQ.SYSTEM_ERROR, an answer that did not verify) is an outcome not known.
//
// Package sandbox beside it is an Alipay gateway speaking the same protocol, with
// fault flags, so tests exercise this adapter for real.
package alipay
