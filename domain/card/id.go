package card

import "fmt"

// Field widths of the personal ID code.
const (
	IDLen        = 22 // total length of a personal ID code
	schoolLen    = 5
	studentLen   = 10
	randomLen    = 2
	checkLen     = 4
	checkedLen   = 1 + schoolLen + studentLen + randomLen // prefix covered by the CRC
	idPrefixChar = 'S'
)

// CRC16CCITTFalse returns the CRC-16/CCITT-FALSE of data: polynomial 0x1021,
// initial value 0xFFFF, no reflection, no final xor.
func CRC16CCITTFalse(data []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, b := range data {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^b]
	}
	return crc
}

// crcTable[i] is the CRC register after shifting byte i through it.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// ID is a valid 22-character personal ID code:
// "S" + school (5 digits) + student number (10 digits) + random (2 digits) +
// check (4 uppercase hex digits, CRC16CCITTFalse of the first 18 characters).
//
// The zero ID is not valid; every ID obtained from BuildID or ParseID is.
// IDs are comparable with ==.
type ID struct {
	s string
}

// BuildID returns the ID for the given fields, computing the check digits.
// Each field must be exactly its width of ASCII digits.
func BuildID(school, student, random string) (ID, error) {
	if err := digitsField("school", school, schoolLen); err != nil {
		return ID{}, err
	}
	if err := digitsField("student number", student, studentLen); err != nil {
		return ID{}, err
	}
	if err := digitsField("random", random, randomLen); err != nil {
		return ID{}, err
	}
	prefix := string(idPrefixChar) + school + student + random
	return ID{s: prefix + fmt.Sprintf("%04X", CRC16CCITTFalse([]byte(prefix)))}, nil
}

// ParseID validates s as a personal ID code: length, characters (upper-case
// hex only for the check) and check digits.
func ParseID(s string) (ID, error) {
	if len(s) != IDLen {
		return ID{}, fmt.Errorf("%w: personal ID code must be %d characters, got %d", ErrMalformed, IDLen, len(s))
	}
	if s[0] != idPrefixChar {
		return ID{}, fmt.Errorf("%w: personal ID code must start with %q", ErrMalformed, idPrefixChar)
	}
	if !allDigits(s[1:checkedLen]) {
		return ID{}, fmt.Errorf("%w: personal ID code characters 2-%d must be digits", ErrMalformed, checkedLen)
	}
	got, ok := parseUpperHex16(s[checkedLen:])
	if !ok {
		return ID{}, fmt.Errorf("%w: personal ID code check must be 4 upper-case hex digits", ErrMalformed)
	}
	if want := CRC16CCITTFalse([]byte(s[:checkedLen])); got != want {
		return ID{}, fmt.Errorf("%w: personal ID code", ErrBadCheck)
	}
	return ID{s: s}, nil
}

// String returns the 22-character code ("" for the zero ID).
func (id ID) String() string { return id.s }

// IsZero reports whether id is the zero (invalid) ID.
func (id ID) IsZero() bool { return id.s == "" }

// School returns the 5-digit school code.
func (id ID) School() string { return id.field(1, schoolLen) }

// StudentNo returns the 10-digit student number.
func (id ID) StudentNo() string { return id.field(1+schoolLen, studentLen) }

// Random returns the 2-digit random field: the card generation printed on
// the card, changed on every re-issue.
func (id ID) Random() string { return id.field(1+schoolLen+studentLen, randomLen) }

// Check returns the 4 hex check digits.
func (id ID) Check() string { return id.field(checkedLen, checkLen) }

func (id ID) field(from, n int) string {
	if id.s == "" {
		return ""
	}
	return id.s[from : from+n]
}

func digitsField(name, v string, n int) error {
	if len(v) != n || !allDigits(v) {
		return fmt.Errorf("%w: %s must be %d digits", ErrMalformed, name, n)
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseUpperHex16 parses exactly 4 upper-case hex digits.
func parseUpperHex16(s string) (uint16, bool) {
	if len(s) != checkLen {
		return 0, false
	}
	var v uint16
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint16(c-'0')
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint16(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
