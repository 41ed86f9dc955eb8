package card

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestNewKeyring(t *testing.T) {
	js, kek, err := NewKeyring(testRand(10), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(kek, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Errorf("KEK PEM starts %q", kek[:min(len(kek), 30)])
	}
	if bytes.Contains(js, []byte("PRIVATE")) {
		t.Error("keyring JSON contains private key material")
	}
	kr, err := LoadKeyring(js, kek)
	if err != nil {
		t.Fatal(err)
	}
	if ids := kr.KeyIDs(); len(ids) != 1 || ids[0] != kr.CurrentKeyID() || !validKeyID(ids[0]) || len(ids[0]) != newKeyIDLen {
		t.Errorf("KeyIDs = %v, current %s", ids, kr.CurrentKeyID())
	}
}

// editKeyring returns the golden keyring JSON after edit.
func editKeyring(t *testing.T, edit func(f *keyringFile)) []byte {
	t.Helper()
	var f keyringFile
	if err := json.Unmarshal(readFile(t, goldenKeyring), &f); err != nil {
		t.Fatal(err)
	}
	edit(&f)
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadKeyringRejects(t *testing.T) {
	golden, kek := readFile(t, goldenKeyring), readFile(t, goldenKEK)
	_, otherKEK, err := NewKeyring(testRand(11), testNow)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		js, kek  []byte
		wantText string // must not appear in the message
	}{
		{"empty json", nil, kek, ""},
		{"garbage json", []byte("{"), kek, ""},
		{"huge json", bytes.Repeat([]byte(" "), maxKeyringBytes+1), kek, ""},
		{"unknown field", []byte(strings.Replace(string(golden), `"format"`, `"extra": 1, "format"`, 1)), kek, ""},
		{"wrong format", editKeyring(t, func(f *keyringFile) { f.Format = "onecode-keyring/2" }), kek, ""},
		{"no keys", editKeyring(t, func(f *keyringFile) { f.Keys = nil }), kek, ""},
		{"current missing", editKeyring(t, func(f *keyringFile) { f.Current = "NONE" }), kek, ""},
		{"current retired", editKeyring(t, func(f *keyringFile) { f.Current = f.Keys[0].ID }), kek, ""},
		{"duplicate id", editKeyring(t, func(f *keyringFile) { f.Keys[1].ID = f.Keys[0].ID }), kek, ""},
		{"bad key id", editKeyring(t, func(f *keyringFile) { f.Keys[0].ID = "ab" }), kek, ""},
		{"wrapped keys swapped", editKeyring(t, func(f *keyringFile) {
			f.Keys[0].Wrapped, f.Keys[1].Wrapped = f.Keys[1].Wrapped, f.Keys[0].Wrapped
		}), kek, ""},
		{"wrapped not base64", editKeyring(t, func(f *keyringFile) { f.Keys[0].Wrapped = "!!" }), kek, ""},
		{"bad public key", editKeyring(t, func(f *keyringFile) { f.KEK.PublicKey = "nope" }), kek, ""},
		{"other KEK", golden, otherKEK, "PRIVATE"},
		{"no KEK", golden, nil, ""},
		{"KEK not PEM", golden, []byte("secret-bytes"), "secret-bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := LoadKeyring(tt.js, tt.kek)
			if !errors.Is(err, ErrKeyring) || kr != nil {
				t.Fatalf("LoadKeyring = %v, %v; want nil, ErrKeyring", kr, err)
			}
			if tt.wantText != "" && strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q leaks input", err)
			}
		})
	}
}
