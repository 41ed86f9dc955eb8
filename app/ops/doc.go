// Package ops is what operators see and are told: live figures of the member
// (cluster members, account activations, the journal writer, breakers,
// terminals, backlogs) and the alarms of seed 2 §7 — a terminal offline during
// service hours, illegal terminal access, a wallet anomaly found by the journal
// auditor, journal writer errors or lag, a breaker open too long, an order past
// its deadline. Alarms are kept in persistence/alarms (one open alarm per dedupe
// key, re-armed once cleared, acknowledged by an operator) and delivered once,
// when raised, on the console and through the notification channels.
//
// Every use case here is for operators only (RequireOperator): the edge's
// OpsService is a thin adapter over Service.
package ops
