// Package access is the access capability of OneCode: who the caller is (Principal,
// put in the context by the edge), what they may reach (RequireStaff, RequireParent,
// RequireGuardian and the reach policy of domain/access), the sessions that carry a
// caller from call to call, staff logins with argon2id passwords, parent logins with
// one-time codes sent to their phone, the staff accounts themselves, and the rate
// limits of all of these.
//
// Use cases take and return Go types and typed errors (*reason.Error with the same
// kinds, reasons and messages the API has always answered); the edge (gateway) reads
// bearer tokens and client addresses and maps protos. Nothing here logs a password, a
// token, a code or a phone.
package access
