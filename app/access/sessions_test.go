package access

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/cache"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestSessions(t *testing.T) (*Sessions, *fakeClock, *cache.Memory) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)}
	m, err := cache.NewMemory(cache.MemoryOptions{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSessions(m, SessionOptions{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return s, clk, m
}

func TestSessionsExpire(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newTestSessions(t)
	staffTok, staffExp, err := s.Open(ctx, Principal{Kind: KindStaff, SubjectID: "st_1", SchoolID: "35001", Role: RoleTeacher, ClassID: "3-1"})
	if err != nil {
		t.Fatal(err)
	}
	parentTok, parentExp, err := s.Open(ctx, Principal{Kind: KindParent, SubjectID: "par_1", MaskedPhone: "138****5678"})
	if err != nil {
		t.Fatal(err)
	}
	if want := clk.now().Add(12 * time.Hour); !staffExp.Equal(want) {
		t.Errorf("staff session ends %v, want %v", staffExp, want)
	}
	if want := clk.now().Add(30 * 24 * time.Hour); !parentExp.Equal(want) {
		t.Errorf("parent session ends %v, want %v", parentExp, want)
	}
	if _, _, err := s.Open(ctx, Principal{Kind: KindOperator}); err == nil {
		t.Error("opened an operator session")
	}
	clk.advance(12*time.Hour - time.Second)
	if p, err := s.Resolve(ctx, staffTok); err != nil || p.SubjectID != "st_1" || p.SchoolID != "35001" || p.Role != RoleTeacher || p.ClassID != "3-1" {
		t.Errorf("staff session before its end: %+v, %v", p, err)
	}
	clk.advance(time.Second)
	if _, err := s.Resolve(ctx, staffTok); !errors.Is(err, ErrNoSession) {
		t.Errorf("staff session after 12 h: %v, want ErrNoSession", err)
	}
	clk.advance(30*24*time.Hour - 12*time.Hour - time.Second)
	if p, err := s.Resolve(ctx, parentTok); err != nil || p.MaskedPhone != "138****5678" {
		t.Errorf("parent session before 30 days: %+v, %v", p, err)
	}
	clk.advance(time.Second)
	if _, err := s.Resolve(ctx, parentTok); !errors.Is(err, ErrNoSession) {
		t.Errorf("parent session after 30 days: %v, want ErrNoSession", err)
	}
}

func TestSessionsRevokeAndClose(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newTestSessions(t)
	open := func() string {
		tok, _, err := s.Open(ctx, Principal{Kind: KindStaff, SubjectID: "st_1", SchoolID: "35001", Role: RoleFinance})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	before := open()
	clk.advance(time.Second)
	if err := s.RevokeStaff(ctx, "st_1", false); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Second)
	after := open()
	if _, err := s.Resolve(ctx, before); !errors.Is(err, ErrNoSession) {
		t.Errorf("session opened before RevokeStaff: %v, want ErrNoSession", err)
	}
	if _, err := s.Resolve(ctx, after); err != nil {
		t.Errorf("session opened after RevokeStaff: %v", err)
	}
	if err := s.RevokeStaff(ctx, "st_1", true); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Second)
	if _, err := s.Resolve(ctx, open()); !errors.Is(err, ErrNoSession) {
		t.Errorf("session of a disabled user: %v, want ErrNoSession", err)
	}
	if err := s.RevokeStaff(ctx, "st 1", false); err == nil {
		t.Error("revoked a malformed staff id")
	}
	if err := s.RevokeStaff(ctx, "st_1", false); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Second)
	tok := open()
	if err := s.Close(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Resolve(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("closed session: %v, want ErrNoSession", err)
	}
	for _, bad := range []string{"", "short", tok + "x", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
		if _, err := s.Resolve(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("Resolve(%q): %v, want ErrNoSession", bad, err)
		}
		if err := s.Close(ctx, bad); err != nil {
			t.Errorf("Close(%q): %v", bad, err)
		}
	}
}

// TestStoredSessionFormat: the cache keeps sessions in the format they had before
// app/access (the role as the API's number), so open sessions survive an upgrade.
func TestStoredSessionFormat(t *testing.T) {
	ctx := context.Background()
	s, clk, m := newTestSessions(t)
	// Written by the gateway of before: a teacher of 3-1.
	const old = `{"kind":"staff","sub":"st_1","school":"35001","role":4,"class":"3-1","exp":"2025-09-01T20:00:00Z","iat":"2025-09-01T08:00:00Z"}`
	const token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	if err := m.Set(ctx, sessionKey(token), []byte(old), time.Hour); err != nil {
		t.Fatal(err)
	}
	p, err := s.Resolve(ctx, token)
	want := Principal{Kind: KindStaff, SubjectID: "st_1", SchoolID: "35001", Role: RoleTeacher, ClassID: "3-1",
		ExpiresAt: clk.now().Add(12 * time.Hour), IssuedAt: clk.now()}
	if err != nil || p != want {
		t.Fatalf("old session resolved as %+v, %v; want %+v", p, err, want)
	}
	got, err := encodeSession(want)
	if err != nil || string(got) != old {
		t.Errorf("encoded %s (%v), want %s", got, err, old)
	}
	parent, _ := encodeSession(Principal{Kind: KindParent, SubjectID: "par_1", MaskedPhone: "138****5678", ExpiresAt: want.ExpiresAt})
	if w := `{"kind":"parent","sub":"par_1","phone":"138****5678","exp":"2025-09-01T20:00:00Z"}`; string(parent) != w {
		t.Errorf("parent encoded %s, want %s", parent, w)
	}
}
