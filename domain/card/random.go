package card

import (
	"errors"
	"fmt"
	"io"
)

// maxRandomDraws bounds DrawRandom: 4 reads of 16 bytes.
const maxRandomDraws = 4

// DrawRandom draws the two-digit random field of a new card from r: two uniform
// decimal digits. Bytes ≥ 200 are rejected, so that every value 00..99 is equally
// likely; at most 64 bytes are read.
func DrawRandom(r io.Reader) (string, error) {
	var b [16]byte
	for range maxRandomDraws {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("card random: %w", err)
		}
		for _, v := range b {
			if v < 200 {
				return fmt.Sprintf("%02d", v%100), nil
			}
		}
	}
	return "", errors.New("card random: no uniform byte in 64 draws")
}
