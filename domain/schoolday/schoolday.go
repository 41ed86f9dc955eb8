package schoolday

import (
	"fmt"
	"time"
)

// Layout is the written form of a day: YYYYMMDD.
const Layout = "20060102"

// zone is Asia/Shanghai, which has had no DST since 1991.
var zone = time.FixedZone("Asia/Shanghai", 8*3600)

// Zone returns Asia/Shanghai (UTC+8).
func Zone() *time.Location { return zone }

// Date is a calendar day as the number YYYYMMDD. Dates compare correctly with < and ==.
type Date int32

// NewDate returns the Date of year, month and day (not validated; see Valid).
func NewDate(year int, month time.Month, day int) Date {
	return Date(year*10000 + int(month)*100 + day)
}

// Of returns the school day of t.
func Of(t time.Time) Date {
	y, m, d := t.In(zone).Date()
	return NewDate(y, m, d)
}

// Valid reports whether d is a real calendar day of years 1..9999.
func (d Date) Valid() bool {
	y, m, day := int(d)/10000, time.Month(int(d)/100%100), int(d)%100
	if y < 1 || y > 9999 {
		return false
	}
	t := time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	return t.Year() == y && t.Month() == m && t.Day() == day
}

// Start is midnight of d in Asia/Shanghai.
func (d Date) Start() time.Time {
	return time.Date(int(d)/10000, time.Month(int(d)/100%100), int(d)%100, 0, 0, 0, 0, zone)
}

func (d Date) String() string { return fmt.Sprintf("%08d", int32(d)) }

// Start is midnight, Asia/Shanghai, of the school day of t.
func Start(t time.Time) time.Time { return Of(t).Start() }

// Parse reads YYYYMMDD as a school day (midnight, Asia/Shanghai).
func Parse(s string) (time.Time, error) {
	if len(s) != len(Layout) {
		return time.Time{}, fmt.Errorf("day %q: want YYYYMMDD", s)
	}
	t, err := time.ParseInLocation(Layout, s, zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("day %q: want a real day as YYYYMMDD", s)
	}
	return t, nil
}

// Format writes the school day of t as YYYYMMDD.
func Format(t time.Time) string { return t.In(zone).Format(Layout) }
