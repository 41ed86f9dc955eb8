package schoolday

import (
	"testing"
	"time"
)

func TestDayBoundaries(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want Date
	}{
		{"23:59 Shanghai is still that day", time.Date(2026, 9, 1, 15, 59, 0, 0, time.UTC), 20260901},
		{"00:00 Shanghai is the next day", time.Date(2026, 9, 1, 16, 0, 0, 0, time.UTC), 20260902},
		{"new year in Shanghai before UTC", time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), 20270101},
		{"leap day", time.Date(2028, 2, 29, 12, 0, 0, 0, zone), 20280229},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Of(tt.at); got != tt.want {
				t.Errorf("Of(%v) = %v, want %v", tt.at, got, tt.want)
			}
			if got := Of(tt.at.Add(-time.Nanosecond)).Start(); !got.Before(tt.at) && got != tt.at {
				t.Errorf("Start after the instant: %v", got)
			}
		})
	}
}

func TestParse(t *testing.T) {
	got, err := Parse("20270831")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 8, 30, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Parse = %v, want %v", got, want)
	}
	for _, bad := range []string{"", "2027083", "20270231", "2027-08-31", "20270831x"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = nil error, want one", bad)
		}
	}
	if got := Format(got); got != "20270831" {
		t.Errorf("Format = %q", got)
	}
	if Date(20270229).Valid() {
		t.Error("20270229 valid")
	}
}
