// Package access holds the pure rules of who may reach what in OneCode: the kinds of
// caller (staff, parents, the operator, terminals), the staff roles, the reach policy
// (staff reach their own school — a teacher only their class —, parents only the
// children they guard, terminals only their school, the operator everything), the
// staff account id format and the bounds of usernames and passwords, and the
// normalisation and masking of parents' phone numbers.
//
// It decides only: sessions, password hashing, one-time codes and the errors that
// callers see live in app/access.
package access
