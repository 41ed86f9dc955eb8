package actors

import "unicode/utf8"

// MaskName masks a pupil's name for the cashier: first and last character around a
// star ("张*明"), "张*" for two characters, "*" for one.
func MaskName(name string) string {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return ""
	case n == 1:
		return "*"
	}
	first, _ := utf8.DecodeRuneInString(name)
	if n == 2 {
		return string(first) + "*"
	}
	last, _ := utf8.DecodeLastRuneInString(name)
	return string(first) + "*" + string(last)
}
