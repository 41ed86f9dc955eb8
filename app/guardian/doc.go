// Package guardian holds the parents' use cases (seed 1 §4.1): find a child by the
// school's printed facts and confirm it masked, bind it with a proof the school gave
// only to the family (a one-time bind code or the pupil's ID number), list and see
// children, set a child's daily cap, report a child's card lost, unbind; and the staff
// side of guardianship: issue a pupil's bind code for a printed slip, list a pupil's
// guardians, unbind one. Every change of a pupil's guardians is told to the other
// guardians through the durable outbox, masked.
//
// It is transport-free: Go types in and out, failures as *reason.Error (or store and
// grain errors, which the edge maps). The rules of proofs and codes are in
// domain/binding.
package guardian
