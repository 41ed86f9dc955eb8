package enrolment

import (
	"bytes"
	"crypto/rand"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/card"
)

// TestReissueNonceSealsOneText: a re-issue and its replay seal the same QR text; another
// request id (or another card) seals another text; the text opens to the card.
func TestReissueNonceSealsOneText(t *testing.T) {
	now := time.Now()
	kj, pem, err := card.NewKeyring(rand.Reader, now)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := card.LoadKeyring(kj, pem)
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{d: Deps{Keyring: kr, IDHashKey: bytes.Repeat([]byte{7}, 32)}}
	c := cardToPrint{random: "42", expiry: now.AddDate(1, 0, 0).Format("20060102"), print: true}
	seal := func(requestID string, c cardToPrint) string {
		t.Helper()
		qr, err := s.sealCard("35001", "2024000101", c, s.reissueNonce("acc_35001_2024000101", requestID, c))
		if err != nil {
			t.Fatal(err)
		}
		return qr
	}
	first := seal("re-1", c)
	if again := seal("re-1", c); again != first {
		t.Fatalf("replay sealed %s, want %s", again, first)
	}
	other := c
	other.random = "43"
	if seal("re-2", c) == first || seal("re-1", other) == first {
		t.Fatal("another request or card sealed the same text")
	}
	opened, err := kr.Open(first, now)
	if err != nil || opened.ID.Random() != "42" || opened.ID.StudentNo() != "2024000101" {
		t.Fatalf("opened %v, %v", opened, err)
	}
}
