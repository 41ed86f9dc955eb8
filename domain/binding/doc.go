// Package binding holds the pure rules of binding a parent to a pupil (issue 10,
// defect 2): a name and a student number are printed facts (the class sheet carries
// them), so a binding must also prove something the school gave only to the family:
// a one-time bind code per pupil (printed on a slip by staff), or the pupil's ID
// number. It defines the bind code (alphabet, format, keyed hash, lifetime), which
// proof a request carries, who of the staff may issue codes and unbind guardians,
// and the masked notice sent to the other guardians. Standard library only; time and
// randomness are passed in.
package binding
