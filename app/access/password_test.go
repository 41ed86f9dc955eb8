package access

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	start := time.Now()
	h, err := HashPassword("correct horse", DefaultPasswordParams, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("argon2id %+v: hash in %v", DefaultPasswordParams, time.Since(start))
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=1,p=2$") {
		t.Errorf("hash %q, want a PHC argon2id string", h)
	}
	other, _ := HashPassword("correct horse", DefaultPasswordParams, rand.Reader)
	if other == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		name, hash, password string
		want, wantErr        bool
	}{
		{"right", h, "correct horse", true, false},
		{"wrong", h, "correct horse ", false, false},
		{"empty", h, "", false, false},
		{"over the bound", h, strings.Repeat("x", MaxPasswordLen+1), false, false},
		{"argon2i", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse", false, true},
		{"huge memory", strings.Replace(h, "m=65536", "m=999999999", 1), "correct horse", false, true},
		{"many passes", strings.Replace(h, "t=1", "t=1000", 1), "correct horse", false, true},
		{"cut", h[:len(h)-10], "correct horse", false, true},
		{"bad base64", "$argon2id$v=19$m=65536,t=1,p=2$!!$!!", "x", false, true},
		{"not PHC", "hunter2", "hunter2", false, true},
	} {
		got, err := VerifyPassword(tc.hash, tc.password)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("%s: VerifyPassword = %v, %v; want %v, error %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
	for name, pw := range map[string]string{"empty": "", "over the bound": strings.Repeat("x", MaxPasswordLen+1)} {
		if _, err := HashPassword(pw, DefaultPasswordParams, rand.Reader); err == nil {
			t.Errorf("hashed a password that is %s", name)
		}
	}
	if _, err := HashPassword("correct horse", PasswordParams{MemoryKiB: 4, Time: 1, Threads: 1}, rand.Reader); err == nil {
		t.Error("hashed with parameters out of bounds")
	}
}
