// Package notify delivers the outbox: notifications (one-time codes, arrears
// notices, binding notices) that the use cases enqueue in the same store as their
// change, sent at least once by a bounded drain loop.
//
// A Router picks the channel of each message by topic and recipient (the login
// code by SMS only) and sends it through Channels (SMS, WeChat template
// messages, e-mail: transport-free here, their adapters live in gateway/push),
// each Guarded by its own breaker, rate limit, per-call timeout and bounded
// retries. A message is marked sent only after its provider accepted it; a
// permanent failure (a bad phone, a rejected template) marks it failed and is
// never retried; a transient one keeps it in the outbox for a later drain.
//
// One-time codes, phones and the personal data in payloads are secrets: nothing
// here writes them to the log. LogSender logs that a message went, never what it
// says or to whom; FileSender is the mailbox of a single node without a provider.
package notify
