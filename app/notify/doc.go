// Package notify delivers the outbox: notifications (one-time codes, arrears
// notices, reminders) that the use cases enqueue in the same store as their change,
// sent at least once by a bounded drain loop through a Sender (SMS, app push, …).
//
// One-time codes and the personal data in payloads are secrets: no Sender here writes
// them to the log. LogSender logs that a message went, never what it says or to whom;
// FileSender is the mailbox of a single node without a provider.
package notify
