package binding

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNormalizeCode(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		err      error
	}{
		{"7KQ2M-XP4RD", "7KQ2MXP4RD", nil},
		{" 7kq2m xp4rd ", "7KQ2MXP4RD", nil},
		{"OIL23-45678", "01123" + "45678", nil},
		{"7KQ2M-XP4R", "", ErrMalformedCode},   // short
		{"7KQ2M-XP4RDX", "", ErrMalformedCode}, // long
		{"7KQ2M-XP4RU", "", ErrMalformedCode},  // U is not in the alphabet
		{"码码码码码码码码码码", "", ErrMalformedCode},
		{strings.Repeat("-", 100), "", ErrMalformedCode},
	} {
		got, err := NormalizeCode(tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("NormalizeCode(%q) = %q, %v, want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestNewCodeFormatAndHash(t *testing.T) {
	code, err := NewCode(bytes.NewReader(bytes.Repeat([]byte{0x21, 0x3f}, 5)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := FormatCode(code), "1Z1Z1-Z1Z1Z"; got != want {
		t.Errorf("FormatCode = %q, want %q", got, want)
	}
	if got, err := NormalizeCode(FormatCode(code)); err != nil || got != code {
		t.Errorf("NormalizeCode(FormatCode(%q)) = %q, %v", code, got, err)
	}
	if _, err := NewCode(bytes.NewReader(nil)); err == nil {
		t.Error("NewCode without randomness: no error")
	}
	key := DeriveKey([]byte("0123456789abcdef"), "bind-code")
	if bytes.Equal(HashCode(key, "acc_1", code), HashCode(key, "acc_2", code)) {
		t.Error("a code hashes the same for two pupils")
	}
	if len(HashCode(key, "acc_1", code)) != CodeHashLen {
		t.Error("hash length")
	}
	now := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	if got := CodeExpiry(now); !got.Equal(now.AddDate(0, 0, 30)) {
		t.Errorf("CodeExpiry = %v", got)
	}
}

func TestChooseProof(t *testing.T) {
	for _, tt := range []struct {
		name, code, id string
		matched        bool
		want           Proof
		err            error
	}{
		{"printed facts only", "", "", false, ProofNone, ErrProofRequired},
		{"code", "C", "", false, ProofCode, nil},
		{"id number", "", "I", false, ProofIDNumber, nil},
		{"id matched at look-up", "", "", true, ProofIDNumber, nil},
		{"both", "C", "I", false, ProofNone, ErrTwoProofs},
	} {
		got, err := ChooseProof(tt.code, tt.id, tt.matched)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("%s: got %v, %v, want %v, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}

func TestStaffPolicy(t *testing.T) {
	pupil := Pupil{SchoolID: "35001", ClassID: "3-1"}
	for _, tt := range []struct {
		name          string
		s             Staff
		manage, unbnd error
	}{
		{"admin", Staff{SchoolID: "35001", Role: RoleSchoolAdmin}, nil, nil},
		{"admin of another school", Staff{SchoolID: "35002", Role: RoleSchoolAdmin}, ErrNotReachable, ErrNotReachable},
		{"the pupil's teacher", Staff{SchoolID: "35001", Role: RoleTeacher, ClassID: "3-1"}, nil, ErrRoleNotAllowed},
		{"another class's teacher", Staff{SchoolID: "35001", Role: RoleTeacher, ClassID: "3-2"}, ErrNotReachable, ErrRoleNotAllowed},
		{"finance", Staff{SchoolID: "35001", Role: RoleFinance}, ErrRoleNotAllowed, ErrRoleNotAllowed},
		{"canteen manager", Staff{SchoolID: "35001", Role: RoleCanteenManager}, ErrRoleNotAllowed, ErrRoleNotAllowed},
		{"no school", Staff{Role: RoleSchoolAdmin}, ErrNotReachable, ErrNotReachable},
	} {
		if got := CanManage(tt.s, pupil); !errors.Is(got, tt.manage) || (got == nil) != (tt.manage == nil) {
			t.Errorf("%s: CanManage = %v, want %v", tt.name, got, tt.manage)
		}
		if got := CanUnbind(tt.s, pupil); !errors.Is(got, tt.unbnd) || (got == nil) != (tt.unbnd == nil) {
			t.Errorf("%s: CanUnbind = %v, want %v", tt.name, got, tt.unbnd)
		}
	}
}

func TestNoticeIsMasked(t *testing.T) {
	at := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
	n := NewNotice(EventBound, "王*明", MaskStudentNo("2024000101"), "138****5678", "father", at)
	p := string(n.Payload())
	for _, want := range []string{`"event":"bound"`, `"masked_student_no":"2024****01"`, "王*明", "138****5678", "2025-09-01T08:00:00Z"} {
		if !strings.Contains(p, want) {
			t.Errorf("payload %s lacks %s", p, want)
		}
	}
	if strings.Contains(p, "2024000101") {
		t.Errorf("payload %s has the student number", p)
	}
	if got := MaskStudentNo("12345"); got != "*****" {
		t.Errorf("MaskStudentNo(short) = %q", got)
	}
}
