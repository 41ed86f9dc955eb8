// Package codec converts between the pure domain of package account and its protobuf
// forms: the journal's storage format (events, state snapshots and stored command
// outcomes, package eventsv1) and the Account grain's wire commands (package grainv1).
//
// It exists so that the domain stays free of protobuf and the grain stays free of field
// by field copying. Every conversion is total and checked: unknown event types, malformed
// bytes and out-of-range values are returned errors, never panics. Encoding is
// deterministic (the same value always gives the same bytes).
//
// Choices of the storage format:
//   - money is int64 fen; calendar days (account.Date) are int32 YYYYMMDD;
//   - instants are google.protobuf.Timestamp, which keeps nanoseconds; a zero time.Time is
//     stored as an unset timestamp, and times are read back in UTC without a monotonic
//     clock reading (the same instant: compare with time.Time.Equal);
//   - the used card randoms are stored as their two-digit strings, in ascending order;
//   - an empty list (purchase items, recent purchases) is read back as a nil slice.
package codec
