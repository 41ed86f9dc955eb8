// Package directory defines the directory: the non-money records of a school
// (schools and their default limits, classes, pupils, canteens, terminals,
// the dish catalog), the people who log in (staff with their roles, parents
// known by a keyed hash of their phone) and which parent is a guardian of
// which pupil, and the notification outbox.
//
// Money never lives here: balances, card generations and every payment are
// in the account journal (package journal). The directory is what staff
// import and edit, and what terminals and grains read to know who and what
// they are dealing with.
//
// Store is implemented by pgdirectory (PostgreSQL) and sqlitedirectory
// (embedded SQLite); directorytest is the conformance suite both pass. The
// validation in this package runs before any write, and the database
// constraints of both implementations check the same invariants again.
package directory
