// Package sandbox is a stand-in message-push platform for demos and tests: the
// SMS gateway API of gateway/push/sms (signed requests, delivery receipts posted
// back, signed) and the WeChat API of gateway/push/wechat (access token,
// template send, the web-page OAuth page and code exchange), with faults
// (latency, a fraction of 5xx answers, dropped receipts, short-lived tokens,
// revoked tokens (40001), an errcode answered to every template message:
// wechat_errcode). It keeps what it received in memory, bounded, and lists it on
// a small page (/sandbox/: the WeChat template messages, then everything) and as
// JSON (/sandbox/messages), where the browser tests read their one-time codes.
package sandbox
