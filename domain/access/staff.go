package access

import "unicode/utf8"

// Staff accounts.
const (
	// MaxStaffIDLen bounds a staff account id, in bytes (the directory's bound on
	// ids).
	MaxStaffIDLen = 64
	// MaxStaffUsernameLen bounds a staff username (the id charset,
	// [A-Za-z0-9_.-]), so that the id st_<school>_<username> of a new account
	// fits MaxStaffIDLen.
	MaxStaffUsernameLen = MaxStaffIDLen - len("st_00000_")
	// MaxPasswordLen bounds any password a login accepts, in bytes.
	MaxPasswordLen = 256
	// MinStaffPasswordLen and MaxStaffPasswordLen bound a new staff password, in
	// characters (and it must fit MaxPasswordLen bytes).
	MinStaffPasswordLen, MaxStaffPasswordLen = 10, 128
)

// StaffID is the id of a new staff account: st_<school>_<username>.
func StaffID(schoolID, username string) string {
	return "st_" + schoolID + "_" + username
}

// ValidUsername reports whether username is 1..MaxStaffUsernameLen characters of
// [A-Za-z0-9_.-].
func ValidUsername(username string) bool {
	if username == "" || len(username) > MaxStaffUsernameLen {
		return false
	}
	for _, c := range []byte(username) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// ValidStaffPassword reports whether password may be set on a staff account:
// MinStaffPasswordLen..MaxStaffPasswordLen characters of valid UTF-8 within
// MaxPasswordLen bytes.
func ValidStaffPassword(password string) bool {
	n := utf8.RuneCountInString(password)
	return utf8.ValidString(password) && n >= MinStaffPasswordLen && n <= MaxStaffPasswordLen && len(password) <= MaxPasswordLen
}

// ValidLoginPassword reports whether a login may try password: 1..MaxPasswordLen
// bytes.
func ValidLoginPassword(password string) bool {
	return password != "" && len(password) <= MaxPasswordLen
}
