package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/app/access"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/pgtest"
	"github.com/onecode/onecode/persistence/redistest"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// testPassword is cheap argon2id for tests; the stored hashes use the same
// cost as the dummy hash, as in production.
var testPassword = access.PasswordParams{MemoryKiB: 8 << 10, Time: 1, Threads: 1}

var testPhoneKey = bytes.Repeat([]byte{0xa5}, 32)

// testPhoneSealKey seals parents' phones in the tests.
var testPhoneSealKey = bytes.Repeat([]byte{0x5c}, 32)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// stub services: the session interceptor runs before them.
type staffStub struct {
	apiv1.UnimplementedStaffServiceServer
}
type parentStub struct {
	apiv1.UnimplementedParentServiceServer
}

// authEnv is a real edge with the AuthService: PostgreSQL directory, the
// cache under test, gRPC and REST on loopback, the log captured.
type authEnv struct {
	auth     apiv1.AuthServiceClient
	staff    apiv1.StaffServiceClient
	parent   apiv1.ParentServiceClient
	httpBase string
	dir      directory.Store
	log      *syncBuffer

	mu    sync.Mutex
	codes map[string]string // phone → last code issued
}

// caches runs f once per cache implementation.
func caches(t *testing.T, f func(t *testing.T, open func(t *testing.T) cache.Cache)) {
	t.Run("memory", func(t *testing.T) {
		f(t, func(t *testing.T) cache.Cache {
			m, err := cache.NewMemory(cache.MemoryOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return m
		})
	})
	t.Run("redis", func(t *testing.T) {
		f(t, func(t *testing.T) cache.Cache {
			c, prefix := redistest.Client(t)
			r, err := cache.NewRedis(c, cache.RedisOptions{Prefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			return r
		})
	})
}

func newAuthEnv(t *testing.T, c cache.Cache, opts access.AuthOptions) *authEnv {
	t.Helper()
	return newAuthEnvHops(t, c, opts, 0)
}

// newAuthEnvHops is newAuthEnv behind hops trusted proxies.
func newAuthEnvHops(t *testing.T, c cache.Cache, opts access.AuthOptions, hops int) *authEnv {
	t.Helper()
	dir := switchtest.OpenDirectory(t, pgtest.DSN(t))
	e := &authEnv{dir: dir, log: &syncBuffer{}, codes: map[string]string{}}
	logger := slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))

	sessions, err := access.NewSessions(c, access.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	deps := gateway.Deps{Directory: dir, Cache: c, Sessions: sessions, PhoneHashKey: testPhoneKey, PhoneSealKey: testPhoneSealKey, IDHashKey: testIDHashKey,
		Now: time.Now, Rand: rand.Reader, Logger: logger}
	if opts.Password == (access.PasswordParams{}) {
		opts.Password = testPassword
	}
	opts.OnCodeIssued = func(phone, code string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.codes[phone] = code
	}
	authSvc, err := gateway.NewAuthService(deps, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := switchtest.Serve(t, gateway.Config{Logger: logger, Sessions: sessions, ForwardedHops: hops}, func(s *grpc.Server) {
		apiv1.RegisterAuthServiceServer(s, authSvc)
		apiv1.RegisterStaffServiceServer(s, staffStub{})
		apiv1.RegisterParentServiceServer(s, parentStub{})
	})
	conn := switchtest.Dial(t, srv)
	e.auth = apiv1.NewAuthServiceClient(conn)
	e.staff = apiv1.NewStaffServiceClient(conn)
	e.parent = apiv1.NewParentServiceClient(conn)
	e.httpBase = "http://" + srv.HTTPAddr()
	return e
}

func (e *authEnv) code(t *testing.T, phone string) string {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.codes[phone]
	if !ok {
		t.Fatalf("no code issued for the phone")
	}
	return c
}

// seedStaff puts school 35001 with class 3-1 and staff: admin, a teacher of
// 3-1 and a disabled finance clerk, all with password "correct horse".
func (e *authEnv) seedStaff(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if err := e.dir.PutSchool(ctx, directory.School{ID: "35001", Name: "测试小学", SingleRechargeMax: 100000, BalanceCap: 200000,
		DailySpendCap: 10000, ArrearsCap: 3000, VoidWindowSeconds: 600}); err != nil {
		t.Fatal(err)
	}
	if err := e.dir.PutClass(ctx, directory.Class{SchoolID: "35001", ID: "3-1", Name: "三年级1班", Grade: 3}); err != nil {
		t.Fatal(err)
	}
	hash, err := access.HashPassword("correct horse", testPassword, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []directory.StaffUser{
		{ID: "st_admin", Username: "admin", Role: directory.RoleSchoolAdmin, Status: directory.StaffActive},
		{ID: "st_teacher", Username: "li.teacher", Role: directory.RoleTeacher, ClassID: "3-1", Status: directory.StaffActive},
		{ID: "st_gone", Username: "gone", Role: directory.RoleFinance, Status: directory.StaffDisabled},
	} {
		u.SchoolID, u.PasswordHash = "35001", hash
		if err := e.dir.PutStaff(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
}

// rest calls the REST edge with extra headers and returns the status and body.
func (e *authEnv) rest(t *testing.T, method, path, token string, body any, headers ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.httpBase+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		t.Fatalf("%s %s: status %d, body is not JSON: %v", method, path, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func bearer(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

func (e *authEnv) staffLogin(t *testing.T, username string) string {
	t.Helper()
	resp, err := e.auth.StaffLogin(context.Background(), &apiv1.StaffLoginRequest{SchoolId: "35001", Username: username, Password: "correct horse"})
	if err != nil {
		t.Fatalf("staff login %s: %v", username, err)
	}
	return resp.GetToken()
}

func (e *authEnv) parentLogin(t *testing.T, phone string) *apiv1.ParentLoginResponse {
	t.Helper()
	if _, err := e.auth.RequestParentCode(context.Background(), &apiv1.RequestParentCodeRequest{Phone: phone}); err != nil {
		t.Fatalf("request code: %v", err)
	}
	resp, err := e.auth.ParentLogin(context.Background(), &apiv1.ParentLoginRequest{Phone: phone, Code: e.code(t, phone)})
	if err != nil {
		t.Fatalf("parent login: %v", err)
	}
	return resp
}

func restReason(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	r, _ := e["reason"].(string)
	return r
}

func TestStaffLogin(t *testing.T) {
	caches(t, func(t *testing.T, open func(t *testing.T) cache.Cache) {
		e := newAuthEnv(t, open(t), access.AuthOptions{})
		e.seedStaff(t)
		login := func(user, pw string) (int, map[string]any) {
			return e.rest(t, "POST", "/v1/auth/staff/login", "", map[string]any{"school_id": "35001", "username": user, "password": pw})
		}
		code, body := login("li.teacher", "correct horse")
		if code != http.StatusOK || body["role"] != "STAFF_ROLE_TEACHER" || body["classId"] != "3-1" || body["schoolId"] != "35001" {
			t.Fatalf("login: %d %v", code, body)
		}
		token, _ := body["token"].(string)
		if len(token) != 43 {
			t.Fatalf("token %q, want 43 base64url characters", token)
		}
		exp, _ := body["expiresUnix"].(string) // int64 is a JSON string
		if want := time.Now().Add(12 * time.Hour).Unix(); exp < fmt.Sprint(want-60) || exp > fmt.Sprint(want+60) {
			t.Errorf("expires_unix %v, want about %d (12 h)", body["expiresUnix"], want)
		}
		who, err := e.auth.Whoami(bearer(token), &apiv1.WhoamiRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if who.GetKind() != "staff" || who.GetSubjectId() != "st_teacher" || who.GetRole() != apiv1.StaffRole_STAFF_ROLE_TEACHER ||
			who.GetClassId() != "3-1" || who.GetSchoolId() != "35001" || who.GetMaskedPhone() != "" {
			t.Errorf("whoami: %v", who)
		}
		code, body = e.rest(t, "GET", "/v1/auth/whoami", token, nil)
		if code != http.StatusOK || body["kind"] != "staff" {
			t.Errorf("REST whoami: %d %v", code, body)
		}

		// Wrong password and unknown user: one answer.
		wc, wrong := login("admin", "wrong horse")
		uc, unknown := login("nobody", "correct horse")
		if wc != http.StatusUnauthorized || restReason(wrong) != "INVALID_CREDENTIALS" {
			t.Errorf("wrong password: %d %v", wc, wrong)
		}
		if uc != wc || fmt.Sprint(unknown) != fmt.Sprint(wrong) {
			t.Errorf("unknown user answered %d %v, wrong password %d %v: want the same", uc, unknown, wc, wrong)
		}
		if c, b := login("admin", ""); c != http.StatusBadRequest {
			t.Errorf("empty password: %d %v", c, b)
		}
		// Disabled: told only with the right password.
		if c, b := login("gone", "correct horse"); c != http.StatusForbidden || restReason(b) != "STAFF_DISABLED" {
			t.Errorf("disabled: %d %v", c, b)
		}
		if c, b := login("gone", "wrong horse"); c != http.StatusUnauthorized || restReason(b) != "INVALID_CREDENTIALS" {
			t.Errorf("disabled, wrong password: %d %v", c, b)
		}
		_, err = e.auth.StaffLogin(context.Background(), &apiv1.StaffLoginRequest{SchoolId: "35001", Username: "admin", Password: "nope"})
		wantCode(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS")
	})
}

// retryAfter returns the retry_after_seconds of a RATE_LIMITED status.
func retryAfter(t *testing.T, err error) int {
	t.Helper()
	wantCode(t, err, codes.ResourceExhausted, "RATE_LIMITED")
	secs, hasRetryInfo := 0, false
	for _, d := range status.Convert(err).Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			fmt.Sscan(d.GetMetadata()["retry_after_seconds"], &secs)
		case *errdetails.RetryInfo:
			hasRetryInfo = d.GetRetryDelay().AsDuration() > 0
		}
	}
	if secs < 1 || !hasRetryInfo {
		t.Fatalf("rate limited without a retry-after: %v", status.Convert(err).Details())
	}
	return secs
}

func TestStaffLoginRateLimits(t *testing.T) {
	caches(t, func(t *testing.T, open func(t *testing.T) cache.Cache) {
		// 8 at once per address, refilled slowly enough (one per 7.5 min) that
		// a slow run of the 9 logins below cannot earn one back.
		e := newAuthEnv(t, open(t), access.AuthOptions{StaffLoginPerAddr: cache.Limit{Rate: 8, Burst: 8, Period: time.Hour}})
		e.seedStaff(t)
		ctx := context.Background()
		// Per (school, username): 5 a minute, the right password included.
		for i := range 5 {
			_, err := e.auth.StaffLogin(ctx, &apiv1.StaffLoginRequest{SchoolId: "35001", Username: "admin", Password: fmt.Sprint("guess", i)})
			wantCode(t, err, codes.Unauthenticated, "INVALID_CREDENTIALS")
		}
		_, err := e.auth.StaffLogin(ctx, &apiv1.StaffLoginRequest{SchoolId: "35001", Username: "admin", Password: "correct horse"})
		if s := retryAfter(t, err); s > 60 {
			t.Errorf("retry after %d s, want ≤ 60", s)
		}
		// Another user is not affected.
		e.staffLogin(t, "li.teacher")

		// Per address (8 here, 6 spent): REST callers cannot dodge it
		// with X-Forwarded-For or Grpc-Metadata headers.
		var code int
		var body map[string]any
		for i := range 3 {
			code, body = e.rest(t, "POST", "/v1/auth/staff/login", "",
				map[string]any{"school_id": "35001", "username": fmt.Sprint("user", i), "password": "x"},
				"X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i), "Grpc-Metadata-X-Onecode-Gateway", "guess")
		}
		if code != http.StatusTooManyRequests || restReason(body) != "RATE_LIMITED" {
			t.Fatalf("REST over the address limit: %d %v", code, body)
		}
		meta, _ := body["error"].(map[string]any)["meta"].(map[string]any)
		if meta["retry_after_seconds"] == nil || meta["retry_after_seconds"] == "0" {
			t.Errorf("REST rate limit without retry_after_seconds: %v", body)
		}
		// Nor can gRPC callers with x-forwarded-for metadata.
		spoof := metadata.AppendToOutgoingContext(ctx, "x-forwarded-for", "192.0.2.7")
		_, err = e.auth.StaffLogin(spoof, &apiv1.StaffLoginRequest{SchoolId: "35001", Username: "li.teacher", Password: "correct horse"})
		retryAfter(t, err)
	})
}

const phone = "13812345678"

// TestNoSecretsInLog runs every flow with debug logging and looks for the
// tokens, phone, codes and passwords in the log.
func TestNoSecretsInLog(t *testing.T) {
	m, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := newAuthEnv(t, m, access.AuthOptions{})
	e.seedStaff(t)
	secrets := []string{phone, "1234-5678", "correct horse", "wrong horse", hex.EncodeToString(access.PhoneHash(testPhoneKey, phone))}
	staffToken := e.staffLogin(t, "li.teacher")
	e.rest(t, "POST", "/v1/auth/staff/login", "", map[string]any{"school_id": "35001", "username": "li.teacher", "password": "wrong horse"})
	e.rest(t, "POST", "/v1/auth/parent/code", "", map[string]any{"phone": "138-1234-5678"})
	otp := e.code(t, phone)
	e.rest(t, "POST", "/v1/auth/parent/login", "", map[string]any{"phone": phone, "code": fmt.Sprintf("%06d", (atoi(otp)+1)%1_000_000)})
	_, body := e.rest(t, "POST", "/v1/auth/parent/login", "", map[string]any{"phone": phone, "code": otp})
	parentToken, _ := body["token"].(string)
	e.rest(t, "GET", "/v1/auth/whoami", parentToken, nil)
	e.rest(t, "GET", "/v1/staff/pupils", parentToken, nil)
	e.rest(t, "POST", "/v1/auth/logout", staffToken, map[string]any{})
	if parentToken == "" {
		t.Fatal("no parent token")
	}
	secrets = append(secrets, staffToken, parentToken, otp)
	out := e.log.String()
	if !strings.Contains(out, "AuthService/ParentLogin") {
		t.Fatalf("the log has no rpc lines: %q", out)
	}
	for _, s := range secrets {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(s) + `\b`).MatchString(out) {
			t.Errorf("the log contains a secret %q", s)
		}
	}
}
