// Package email is the e-mail channel of app/notify, for staff and operators:
// SMTP with STARTTLS required (github.com/emersion/go-smtp's client, PLAIN
// authentication from github.com/emersion/go-sasl only over TLS), a plain-text
// UTF-8 message rendered from the notice's template. SMTP 5xx answers are
// permanent failures, everything else transient.
package email
