package access

import "strings"

// NormalizePhone returns a mainland mobile number as its 11 digits: spaces,
// dashes, parentheses and a +86/0086/86 country prefix are dropped; the number
// must be 1[3-9]xxxxxxxxx.
func NormalizePhone(s string) (string, bool) {
	if len(s) > 32 {
		return "", false
	}
	var b strings.Builder
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '(' || c == ')':
		case c == '+' && i == 0:
		default:
			return "", false
		}
	}
	d := b.String()
	for _, cc := range []string{"0086", "86"} {
		if len(d) == 11+len(cc) && strings.HasPrefix(d, cc) {
			d = d[len(cc):]
		}
	}
	if len(d) != 11 || d[0] != '1' || d[1] < '3' {
		return "", false
	}
	return d, true
}

// MaskPhone shows a normalised (11-digit) phone as 138****5678 (anything shorter
// as ****).
func MaskPhone(phone string) string {
	if len(phone) < 11 {
		return "****"
	}
	return phone[:3] + "****" + phone[7:]
}
