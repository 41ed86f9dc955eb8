// Package push holds the outbound message-push adapters of app/notify's Channel
// (sms, wechat, email) and their sandbox; this package itself only carries the
// end-to-end tests of the channels through the outbox.
package push
