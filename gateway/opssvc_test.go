package gateway_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/alarms/sqlitealarms"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/pgtest"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

const testOperatorToken = "operator-token-for-tests-0123456789"

// opsEnv is a real edge with the AuthService (staff logins) and the OpsService
// behind the operator token.
type opsEnv struct {
	*authEnv
	ops    apiv1.OpsServiceClient
	alarms *ops.Alarms
}

func newOpsEnv(t *testing.T) *opsEnv {
	t.Helper()
	dir := switchtest.OpenDirectory(t, pgtest.DSN(t))
	e := &opsEnv{authEnv: &authEnv{dir: dir, log: &syncBuffer{}, codes: map[string]string{}}}
	logger := slog.New(slog.NewTextHandler(e.log, nil))
	c, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := access.NewSessions(c, access.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	deps := gateway.Deps{Directory: dir, Cache: c, Sessions: sessions, PhoneHashKey: testPhoneKey, PhoneSealKey: testPhoneSealKey, IDHashKey: testIDHashKey,
		Now: time.Now, Rand: rand.Reader, Logger: logger}
	authSvc, err := gateway.NewAuthService(deps, access.AuthOptions{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlitealarms.Open(context.Background(), filepath.Join(t.TempDir(), "alarms.db"), sqlitealarms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e.alarms = ops.NewAlarms(store, nil, time.Now, logger)
	board := ops.NewBoard(time.Now)
	board.Connected("T1", "35001", "C1", "pos/1")
	svc := ops.NewService(ops.Sources{Member: "m1", Board: board}, e.alarms)
	srv := switchtest.Serve(t, gateway.Config{Logger: logger, Sessions: sessions, OperatorToken: testOperatorToken}, func(s *grpc.Server) {
		apiv1.RegisterAuthServiceServer(s, authSvc)
		apiv1.RegisterOpsServiceServer(s, gateway.NewOpsService(svc))
	})
	conn := switchtest.Dial(t, srv)
	e.auth, e.ops = apiv1.NewAuthServiceClient(conn), apiv1.NewOpsServiceClient(conn)
	e.httpBase = "http://" + srv.HTTPAddr()
	return e
}

func TestOpsServiceOperatorOnly(t *testing.T) {
	e := newOpsEnv(t)
	e.seedStaff(t)
	admin := e.staffLogin(t, "admin")
	a, _, err := e.alarms.Raise(context.Background(), ops.Alarm{Key: "terminal_offline/T1", Kind: ops.KindTerminalOffline,
		Level: ops.Warning, SchoolID: "35001", Subject: "T1", Message: "terminal T1: disconnected for 91 s"})
	if err != nil {
		t.Fatal(err)
	}

	// gRPC: a school admin's session is PermissionDenied on every method, no or a
	// wrong token Unauthenticated.
	calls := map[string]func(ctx context.Context) error{
		"GetMembers": func(ctx context.Context) error {
			_, err := e.ops.GetMembers(ctx, &apiv1.GetMembersRequest{})
			return err
		},
		"GetJournal": func(ctx context.Context) error {
			_, err := e.ops.GetJournal(ctx, &apiv1.GetJournalRequest{})
			return err
		},
		"GetBreakers": func(ctx context.Context) error {
			_, err := e.ops.GetBreakers(ctx, &apiv1.GetBreakersRequest{})
			return err
		},
		"ListTerminals": func(ctx context.Context) error {
			_, err := e.ops.ListTerminals(ctx, &apiv1.ListTerminalsRequest{})
			return err
		},
		"GetBacklogs": func(ctx context.Context) error {
			_, err := e.ops.GetBacklogs(ctx, &apiv1.GetBacklogsRequest{})
			return err
		},
		"ListAlarms": func(ctx context.Context) error {
			_, err := e.ops.ListAlarms(ctx, &apiv1.ListAlarmsRequest{})
			return err
		},
		"AcknowledgeAlarm": func(ctx context.Context) error {
			_, err := e.ops.AcknowledgeAlarm(ctx, &apiv1.AcknowledgeAlarmRequest{AlarmId: a.ID})
			return err
		},
	}
	for name, call := range calls {
		if got := status.Code(call(bearer(admin))); got != codes.PermissionDenied {
			t.Errorf("%s as school admin: %v, want PermissionDenied", name, got)
		}
		if got := status.Code(call(context.Background())); got != codes.Unauthenticated {
			t.Errorf("%s without a token: %v, want Unauthenticated", name, got)
		}
		if got := status.Code(call(bearer("not-the-token"))); got != codes.Unauthenticated {
			t.Errorf("%s with a wrong token: %v, want Unauthenticated", name, got)
		}
	}
	// REST likewise.
	for _, p := range []string{"/v1/ops/members", "/v1/ops/journal", "/v1/ops/breakers", "/v1/ops/terminals", "/v1/ops/backlogs", "/v1/ops/alarms"} {
		if code, body := e.rest(t, http.MethodGet, p, admin, nil); code != http.StatusForbidden {
			t.Errorf("GET %s as school admin: %d %v, want 403", p, code, body)
		}
	}
	if code, _ := e.rest(t, http.MethodPost, "/v1/ops/alarms/1:acknowledge", admin, map[string]any{}); code != http.StatusForbidden {
		t.Errorf("acknowledge as school admin: %d, want 403", code)
	}
	if got, _, _ := e.alarms.List(operatorCtx(), true, 10, ""); len(got) != 1 || got[0].AckedBy != "" {
		t.Fatalf("after the denied calls: %+v, want the alarm unacknowledged", got)
	}

	// The operator sees the alarm and the terminal and acknowledges.
	op := bearer(testOperatorToken)
	list, err := e.ops.ListAlarms(op, &apiv1.ListAlarmsRequest{OpenOnly: true})
	if err != nil || len(list.GetAlarms()) != 1 || list.GetAlarms()[0].GetSubject() != "T1" {
		t.Fatalf("ListAlarms as operator = %v, %v", list, err)
	}
	terms, err := e.ops.ListTerminals(op, &apiv1.ListTerminalsRequest{SchoolId: "35001"})
	if err != nil || len(terms.GetTerminals()) != 1 || !terms.GetTerminals()[0].GetOnline() || terms.GetTerminals()[0].GetVersion() != "pos/1" {
		t.Fatalf("ListTerminals as operator = %v, %v", terms, err)
	}
	code, body := e.rest(t, http.MethodPost, "/v1/ops/alarms/"+strconv.FormatInt(a.ID, 10)+":acknowledge", testOperatorToken, map[string]any{})
	alarm, _ := body["alarm"].(map[string]any)
	if code != http.StatusOK || alarm["acknowledgedBy"] != "operator" || alarm["acknowledgedAt"] == nil {
		t.Fatalf("acknowledge over REST as operator: %d %v", code, body)
	}
}

func operatorCtx() context.Context {
	return access.ContextWithPrincipal(context.Background(), access.Principal{Kind: access.KindOperator})
}
