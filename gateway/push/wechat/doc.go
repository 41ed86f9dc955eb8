// Package wechat is the WeChat official-account template-message channel of
// app/notify: an access token fetched with the app id and secret, cached until
// shortly before it expires and fetched again when the API says it is invalid
// or expired (40001, 42001, 40014); a template id and the guardian's openid per
// message; 43004 (the user unsubscribed) and the other errors of the address or
// template are permanent. Standard library only.
package wechat
