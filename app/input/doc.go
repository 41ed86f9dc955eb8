// Package input holds the checks of caller input that every use case shares: text
// within bounds, request ids (idempotency keys), digits. A failed check is a
// reason.Error of kind Invalid, whose message names the field and never echoes
// personal data.
package input
