// Package idnumber is the law of the pupil's ID number (身份证号) as OneCode keeps it:
// the normal form (Normalize), the GB 11643 check character of a mainland resident ID
// number, and the keyed hash that is the only trace of the number the switch stores
// (Hash, and PlaceholderHash for a pupil imported without one).
//
// It exists so that the import, which writes the hash, and the binding, which compares
// a number a parent types with it, share one definition. Pure: standard library only,
// no I/O; the key is passed in.
package idnumber
