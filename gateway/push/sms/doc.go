// Package sms is the SMS channel of app/notify over an HTTP SMS gateway of the
// common shape of Chinese providers: a JSON request signed with HMAC-SHA256 over
// a canonical string (method, path, timestamp, nonce, body digest) under an app
// key id and secret, a template id and its parameters, a message id back, and
// delivery receipts posted later, signed the same way, to the switch's edge.
// Standard library only.
package sms
