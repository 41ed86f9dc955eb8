// Package money provides Amount, the one representation of money in OneCode:
// a signed int64 count of fen (0.01 CNY).
//
// It exists so that no float, no unchecked addition and no ad-hoc decimal
// parsing ever touches a balance. Arithmetic is checked and reports
// ErrOverflow instead of wrapping; Parse and String are exact inverses for
// every representable value.
package money
