// Package wxlink links a guardian to their WeChat official-account user (an
// openid), so notices reach them by template message (app/notify) and they can
// pay by WeChat Pay JSAPI inside WeChat (app/recharge).
//
// A logged-in parent asks for the official account's OAuth URL; its state is
// signed for that parent (HMAC), expires, and names a nonce kept as the parent's
// one pending link, so a state is used at most once, only by the parent it was
// made for. WeChat sends the browser back with a code and the state; the parent's
// page hands both to Link, which uses the state, exchanges the code at the
// WeChat API (the Exchanger, gateway/push/wechat) and keeps the openid in the
// directory (directory.WeChatLinks). Codes, states and openids are never logged.
package wxlink
