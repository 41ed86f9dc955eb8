// Package schools holds the operator's use cases on schools: a school and its default
// account limits, its classes, subsidies granted to a pupil's account from the school's
// subsidy fund (through the Account grain), and the operator's view of a pupil's
// account. It takes and returns Go types and typed errors (domain/reason), so that the
// edge only adapts protos to it; the look-up of a school is shared with the other
// capabilities that hang off a school (app/catalog, the import).
package schools
