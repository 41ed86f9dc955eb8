// Package app is the application layer of OneCode: one sub-package per capability
// (access, enrolment, catalog, recharge, history, notify, …) holds its use cases —
// orchestration, authorization decisions, limits, calls to grains and stores — in Go
// types and typed errors (domain/reason), free of any transport. The edge (gateway)
// adapts protos to these calls; cmd/onecode wires them.
package app
