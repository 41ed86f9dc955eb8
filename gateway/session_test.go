package gateway_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

func TestPasswordHash(t *testing.T) {
	start := time.Now()
	h, err := gateway.HashPassword("correct horse", gateway.DefaultPasswordParams, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("argon2id %+v: hash in %v", gateway.DefaultPasswordParams, took)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=1,p=2$") {
		t.Errorf("hash %q, want a PHC argon2id string", h)
	}
	other, _ := gateway.HashPassword("correct horse", gateway.DefaultPasswordParams, rand.Reader)
	if other == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		hash, password string
		want           bool
		wantErr        bool
	}{
		{h, "correct horse", true, false},
		{h, "correct horse ", false, false},
		{h, "", false, false},
		{strings.Replace(h, "argon2id", "argon2i", 1), "correct horse", false, true},
		{strings.Replace(h, "m=65536", "m=999999999", 1), "correct horse", false, true},
		{strings.Replace(h, "t=1", "t=1000", 1), "correct horse", false, true},
		{h[:len(h)-10], "correct horse", false, true},
		{"$argon2id$v=19$m=65536,t=1,p=2$!!$!!", "x", false, true},
		{"hunter2", "hunter2", false, true},
	} {
		got, err := gateway.VerifyPassword(tc.hash, tc.password)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("VerifyPassword(%q, %q) = %v, %v; want %v, error %v", tc.hash, tc.password, got, err, tc.want, tc.wantErr)
		}
	}
	if _, err := gateway.HashPassword(strings.Repeat("x", gateway.MaxPasswordLen+1), gateway.DefaultPasswordParams, rand.Reader); err == nil {
		t.Error("hashed a password over the bound")
	}
}

func codeOf(err error) codes.Code { return status.Code(err) }

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13812345678", "13812345678"},
		{"+86 138-1234-5678", "13812345678"},
		{"008613812345678", "13812345678"},
		{"8613812345678", "13812345678"},
		{"(138) 1234 5678", "13812345678"},
		{"1381234567", ""},
		{"23812345678", ""},
		{"12012345678", ""},
		{"138123456789", ""},
		{"13812345678x", ""},
		{"１３８１２３４５６７８", ""},
		{"", ""},
		{strings.Repeat("1", 40), ""},
	} {
		got, ok := gateway.NormalizePhone(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	if got := gateway.MaskPhone("13812345678"); got != "138****5678" {
		t.Errorf("MaskPhone got %q", got)
	}
}

func staffCtx(role apiv1.StaffRole, classID string) context.Context {
	return gateway.ContextWithPrincipal(context.Background(), gateway.Principal{Kind: gateway.KindStaff, SubjectID: "st_1", SchoolID: "35001", Role: role, ClassID: classID})
}

func TestRequireStaffAndParent(t *testing.T) {
	const (
		admin   = apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN
		finance = apiv1.StaffRole_STAFF_ROLE_FINANCE
		canteen = apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER
		teacher = apiv1.StaffRole_STAFF_ROLE_TEACHER
	)
	parent := gateway.ContextWithPrincipal(context.Background(), gateway.Principal{Kind: gateway.KindParent, SubjectID: "par_1"})
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		roles []apiv1.StaffRole
		code  codes.Code
	}{
		{"finance, any role", staffCtx(finance, ""), nil, codes.OK},
		{"finance, finance", staffCtx(finance, ""), []apiv1.StaffRole{finance, teacher}, codes.OK},
		{"teacher, finance only", staffCtx(teacher, "3-1"), []apiv1.StaffRole{finance}, codes.PermissionDenied},
		{"admin passes every role", staffCtx(admin, ""), []apiv1.StaffRole{canteen}, codes.OK},
		{"parent", parent, nil, codes.PermissionDenied},
		{"nobody", context.Background(), nil, codes.Unauthenticated},
	} {
		_, err := gateway.RequireStaff(tc.ctx, tc.roles...)
		if got := codeOf(err); got != tc.code {
			t.Errorf("%s: RequireStaff got %v, want %v", tc.name, err, tc.code)
		}
	}
	if p, err := gateway.RequireParent(parent); err != nil || p.SubjectID != "par_1" {
		t.Errorf("RequireParent(parent) = %+v, %v", p, err)
	}
	if _, err := gateway.RequireParent(staffCtx(admin, "")); codeOf(err) != codes.PermissionDenied {
		t.Errorf("RequireParent(staff) = %v", err)
	}
	if _, err := gateway.RequireParent(context.Background()); codeOf(err) != codes.Unauthenticated {
		t.Errorf("RequireParent(nobody) = %v", err)
	}
}

func TestCanStaffReachPupil(t *testing.T) {
	pupil := directory.Pupil{AccountID: "acc_1", SchoolID: "35001", ClassID: "3-1"}
	staff := func(role apiv1.StaffRole, school, class string) gateway.Principal {
		return gateway.Principal{Kind: gateway.KindStaff, SchoolID: school, Role: role, ClassID: class}
	}
	for _, tc := range []struct {
		name string
		p    gateway.Principal
		code codes.Code
	}{
		{"admin", staff(apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, "35001", ""), codes.OK},
		{"finance", staff(apiv1.StaffRole_STAFF_ROLE_FINANCE, "35001", ""), codes.OK},
		{"teacher of the class", staff(apiv1.StaffRole_STAFF_ROLE_TEACHER, "35001", "3-1"), codes.OK},
		{"teacher of another class", staff(apiv1.StaffRole_STAFF_ROLE_TEACHER, "35001", "3-2"), codes.NotFound},
		{"teacher without class", staff(apiv1.StaffRole_STAFF_ROLE_TEACHER, "35001", ""), codes.NotFound},
		{"canteen manager", staff(apiv1.StaffRole_STAFF_ROLE_CANTEEN_MANAGER, "35001", ""), codes.PermissionDenied},
		{"admin of another school", staff(apiv1.StaffRole_STAFF_ROLE_SCHOOL_ADMIN, "35002", ""), codes.NotFound},
		{"unspecified role", staff(apiv1.StaffRole_STAFF_ROLE_UNSPECIFIED, "35001", ""), codes.PermissionDenied},
		{"parent", gateway.Principal{Kind: gateway.KindParent, SubjectID: "par_1"}, codes.PermissionDenied},
	} {
		if got := codeOf(gateway.CanStaffReachPupil(tc.p, pupil)); got != tc.code {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.code)
		}
	}
}

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

func TestSessionsExpire(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)}
	m, err := cache.NewMemory(cache.MemoryOptions{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	s, err := gateway.NewSessions(m, gateway.SessionOptions{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	staffTok, staffExp, err := s.Open(ctx, gateway.Principal{Kind: gateway.KindStaff, SubjectID: "st_1", SchoolID: "35001"})
	if err != nil {
		t.Fatal(err)
	}
	parentTok, parentExp, err := s.Open(ctx, gateway.Principal{Kind: gateway.KindParent, SubjectID: "par_1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := clk.now().Add(12 * time.Hour); !staffExp.Equal(want) {
		t.Errorf("staff session ends %v, want %v", staffExp, want)
	}
	if want := clk.now().Add(30 * 24 * time.Hour); !parentExp.Equal(want) {
		t.Errorf("parent session ends %v, want %v", parentExp, want)
	}
	if _, _, err := s.Open(ctx, gateway.Principal{Kind: gateway.KindOperator}); err == nil {
		t.Error("opened an operator session")
	}
	clk.advance(12*time.Hour - time.Second)
	if p, err := s.Resolve(ctx, staffTok); err != nil || p.SubjectID != "st_1" || p.SchoolID != "35001" {
		t.Errorf("staff session before its end: %+v, %v", p, err)
	}
	clk.advance(time.Second)
	if _, err := s.Resolve(ctx, staffTok); err == nil {
		t.Error("staff session alive after 12 h")
	}
	clk.advance(30*24*time.Hour - 12*time.Hour - time.Second)
	if _, err := s.Resolve(ctx, parentTok); err != nil {
		t.Errorf("parent session before 30 days: %v", err)
	}
	clk.advance(time.Second)
	if _, err := s.Resolve(ctx, parentTok); err == nil {
		t.Error("parent session alive after 30 days")
	}
}

// TestForwardedClientAddress: behind one trusted proxy the X-Forwarded-For
// the proxy appends names the client, so each client has its own limit.
func TestForwardedClientAddress(t *testing.T) {
	m, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := newAuthEnvHops(t, m, gateway.AuthOptions{StaffLoginPerAddr: cache.PerMinute(2)}, 1)
	e.seedStaff(t)
	login := func(client string, i int) int {
		code, _ := e.rest(t, "POST", "/v1/auth/staff/login", "", map[string]any{"school_id": "35001", "username": fmt.Sprint("u", i), "password": "x"},
			"X-Forwarded-For", client)
		return code
	}
	for i := range 2 {
		if code := login("198.51.100.1", i); code != http.StatusUnauthorized {
			t.Fatalf("client 1 try %d: %d", i, code)
		}
	}
	if code := login("198.51.100.1", 3); code != http.StatusTooManyRequests {
		t.Errorf("client 1 over its limit: %d, want 429", code)
	}
	if code := login("198.51.100.2", 4); code != http.StatusUnauthorized {
		t.Errorf("client 2: %d, want its own limit (401 for a wrong password)", code)
	}
}
