// Package alarms keeps the operators' alarms (seed 2 §7): a terminal offline, an
// illegal terminal access, a wallet anomaly, journal lag, an open breaker, an
// order past its deadline. Each alarm has a level and a dedupe key; at most one
// alarm per key is open at a time, so a cause seen again bumps its count instead
// of raising a second alarm, and once cleared the key re-arms: the next
// occurrence raises a new alarm. An operator acknowledges an alarm (who, when).
//
// Store is implemented over PostgreSQL (pgalarms) and embedded SQLite
// (sqlitealarms), both through sqlstore; alarmstest is the conformance suite
// both pass.
package alarms
