package card

import (
	"bytes"
	"testing"
)

func TestDrawRandom(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    string
		wantErr bool
	}{
		{"first byte", append([]byte{7}, make([]byte, 15)...), "07", false},
		{"199 is 99", append([]byte{199}, make([]byte, 15)...), "99", false},
		{"bytes ≥ 200 skipped", append(bytes.Repeat([]byte{250}, 20), append([]byte{142}, make([]byte, 11)...)...), "42", false},
		{"64 bad bytes", bytes.Repeat([]byte{255}, 64), "", true},
		{"short read", []byte{1, 2, 3}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DrawRandom(bytes.NewReader(tt.in))
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("DrawRandom = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
