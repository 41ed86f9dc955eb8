// Package sqliteoutbox is the outbox.Store of a single node, on an SQLite file:
// one writer at a time, so a claim is one UPDATE … RETURNING under the
// database's write lock.
package sqliteoutbox
