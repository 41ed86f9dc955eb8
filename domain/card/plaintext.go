package card

import (
	"fmt"
	"time"

	"github.com/onecode/onecode/domain/schoolday"
)

// dateLayout is the expiry format inside the plaintext.
const dateLayout = "20060102"

// plaintextLen is len("#" + ID + "#" + YYYYMMDD + "#").
const plaintextLen = 1 + IDLen + 1 + len(dateLayout) + 1

// cardZone is Asia/Shanghai (no daylight saving), the zone in which a card's
// expiry day is counted.
var cardZone = schoolday.Zone()

// Zone returns the time zone (Asia/Shanghai, UTC+8) in which expiry days are
// counted and in which Card.Expiry is expressed.
func Zone() *time.Location { return cardZone }

// Card is an opened QR code: the pupil's personal ID code and the last day
// the card is valid (00:00 of that day in Zone()).
type Card struct {
	ID     ID
	Expiry time.Time
}

// ValidAt reports whether the card is still valid at now: a card is valid
// through its whole expiry day in Asia/Shanghai.
func (c Card) ValidAt(now time.Time) bool {
	y, m, d := c.Expiry.In(cardZone).Date()
	return now.Before(time.Date(y, m, d+1, 0, 0, 0, 0, cardZone))
}

// expiryDay returns the calendar date of expiry (in expiry's own location)
// as 00:00 in cardZone, or an error when the year cannot be written as
// YYYY.
func expiryDay(expiry time.Time) (time.Time, error) {
	y, m, d := expiry.Date()
	if y < 1000 || y > 9999 {
		return time.Time{}, fmt.Errorf("%w: expiry year %d out of range", ErrMalformed, y)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, cardZone), nil
}

// formatPlaintext returns "#<ID>#<YYYYMMDD>#".
func formatPlaintext(id ID, day time.Time) []byte {
	b := make([]byte, 0, plaintextLen)
	b = append(b, '#')
	b = append(b, id.s...)
	b = append(b, '#')
	b = day.AppendFormat(b, dateLayout)
	return append(b, '#')
}

// parsePlaintext validates the plaintext format, the ID and its check, and
// the date.
func parsePlaintext(p []byte) (Card, error) {
	if len(p) != plaintextLen || p[0] != '#' || p[1+IDLen] != '#' || p[plaintextLen-1] != '#' {
		return Card{}, fmt.Errorf("%w: plaintext format", ErrMalformed)
	}
	id, err := ParseID(string(p[1 : 1+IDLen]))
	if err != nil {
		return Card{}, err
	}
	day, err := parseDay(p[2+IDLen : plaintextLen-1])
	if err != nil {
		return Card{}, err
	}
	return Card{ID: id, Expiry: day}, nil
}

// parseDay parses YYYYMMDD (8 ASCII digits naming a real date) as 00:00 of
// that day in cardZone.
func parseDay(b []byte) (time.Time, error) {
	if len(b) != len(dateLayout) || !allDigits(string(b)) {
		return time.Time{}, fmt.Errorf("%w: expiry must be YYYYMMDD", ErrMalformed)
	}
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(b[:4]), time.Month(num(b[4:6])), num(b[6:])
	day := time.Date(y, m, d, 0, 0, 0, 0, cardZone)
	if gy, gm, gd := day.Date(); y < 1000 || gy != y || gm != m || gd != d {
		return time.Time{}, fmt.Errorf("%w: expiry is not a valid date", ErrMalformed)
	}
	return day, nil
}
