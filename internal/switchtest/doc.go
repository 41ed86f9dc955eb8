// Package switchtest builds the real switch environment that the gateway and
// cmd/onecode tests share: a PostgreSQL journal and its writer, a PostgreSQL
// directory, a one-member protoactor cluster of Account grains, the Accounts
// client, a card keyring, and optionally a gateway server on loopback, each
// closed by t.Cleanup.
//
// It exists so that those tests do not each repeat the same fifty lines of
// setup; only setup lives here, never assertions. It is for tests only (it
// imports testing) and must not be imported by production code. Tests inside
// package gateway itself cannot use it: switchtest imports gateway, and the
// import would be a cycle.
package switchtest
