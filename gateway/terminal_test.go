package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/pgdirectory"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/journal/pgjournal"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/pgtest"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
	"github.com/onecode/onecode/terminalclient"
)

const (
	tSchool    = "35001"
	tOther     = "35002"
	tStudentNo = "2024000123"
	tAccount   = "acc_35001_2024000123"
	tName      = "张小明"
)

var (
	secretT1 = []byte("t1-secret-0123456789abcdef")
	secretT2 = []byte("t2-secret-0123456789abcdef")
	secretT3 = []byte("t3-secret-0123456789abcdef")
	secretT9 = []byte("t9-secret-0123456789abcdef")
)

// lockedBuffer collects the log, to check that no personal data reaches it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// terminalEnv is a real switch: PostgreSQL journal and directory, one cluster member,
// the gRPC server on 127.0.0.1:0, a seeded school with one pupil.
type terminalEnv struct {
	addr     string
	accounts *actors.Accounts
	dir      directory.Store
	keyring  *card.Keyring
	qr       string // the pupil's card
	log      *lockedBuffer
	// board and access are what the edge tells operators (app/ops).
	board  *ops.Board
	access *ops.Access
}

// tHub is the revocation hub of every terminal env (sessions subscribe per school).
var tHub = actors.NewRevocationHub()

func newTerminalEnv(t *testing.T) *terminalEnv { t.Helper(); return newTerminalEnvWith(t, nil) }

// newTerminalEnvWith is newTerminalEnv with arrears notices queued in box (the
// notices' outbox) when it is not nil.
func newTerminalEnvWith(t *testing.T, box outbox.Store) *terminalEnv {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	js, err := pgjournal.Open(ctx, dsn, pgjournal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := journal.NewWriter(js, journal.WriterOptions{MaxBatch: 64, MaxDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := pgdirectory.Open(ctx, dsn, pgdirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(); js.Close(); dir.Close() })

	logs := &lockedBuffer{}
	// Info, as in production: protoactor logs whole grain requests at debug level.
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	m, err := actors.StartMember(ctx, actors.MemberConfig{
		Name: fmt.Sprintf("term-%d", time.Now().UnixNano()), Provider: actors.ProviderSingle, Host: "127.0.0.1",
		RequestTimeout: 5 * time.Second, ConsensusTimeout: 20 * time.Second, Logger: logger,
		Kinds: []*cluster.Kind{actors.NewAccountKind(&actors.AccountDeps{
			Writer: w, Store: js, SnapshotEvery: 10, IOTimeout: 5 * time.Second, IdleTimeout: time.Minute,
			Now: time.Now, Logger: logger, Revocations: tHub,
		})},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop(false) })
	accts := actors.NewAccounts(m.Cluster, 5*time.Second, 3)

	kjson, kpem, err := card.NewKeyring(rand.Reader, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	kr, err := card.LoadKeyring(kjson, kpem)
	if err != nil {
		t.Fatal(err)
	}
	env := &terminalEnv{accounts: accts, dir: dir, keyring: kr, log: logs, board: ops.NewBoard(time.Now), access: ops.NewAccess(time.Now)}
	env.seed(t)

	deps := Deps{Accounts: accts, Directory: dir, Journal: js, Keyring: kr, Now: time.Now, Rand: rand.Reader, Logger: logger, Revocations: tHub,
		Terminals: env.board, TerminalAccess: env.access, Outbox: box}
	srv, err := New(ctx, Config{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Logger: logger}, func(g *grpc.Server) {
		apiv1.RegisterTerminalServiceServer(g, NewTerminalService(deps, m.Cluster.ActorSystem))
	})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	env.addr = srv.GRPCAddr()
	t.Cleanup(func() {
		for _, secret := range []string{env.qr, tName, tStudentNo, string(secretT1)} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log holds personal data or a secret (%d bytes)", len(secret))
				for _, l := range strings.Split(logs.String(), "\n") {
					if strings.Contains(l, secret) {
						t.Log(l)
					}
				}
			}
		}
	})
	return env
}

func (e *terminalEnv) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	expiry := time.Now().AddDate(1, 0, 0)
	expiryText := expiry.Format("20060102")
	var expiryInt int32
	fmt.Sscan(expiryText, &expiryInt)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{tSchool, tOther} {
		must(e.dir.PutSchool(ctx, directory.School{ID: id, Name: "实验小学" + id, SingleRechargeMax: 100000,
			BalanceCap: 200000, DailySpendCap: 50000, ArrearsCap: 2000, VoidWindowSeconds: 600}))
	}
	must(e.dir.PutClass(ctx, directory.Class{SchoolID: tSchool, ID: "c3-2", Name: "3-2", Grade: 3}))
	must(e.dir.PutPupil(ctx, directory.Pupil{AccountID: tAccount, SchoolID: tSchool, StudentNo: tStudentNo, Name: tName,
		ClassID: "c3-2", IDNumberHash: bytes.Repeat([]byte{7}, directory.IDNumberHashLen), CardRandom: "07",
		CardExpiry: expiryInt, Status: directory.PupilActive}))
	must(e.dir.PutCanteen(ctx, directory.Canteen{SchoolID: tSchool, ID: "C1", Name: "一食堂"}))
	must(e.dir.PutCanteen(ctx, directory.Canteen{SchoolID: tOther, ID: "C9", Name: "二校食堂"}))
	for _, term := range []directory.Terminal{
		{ID: "T1", SchoolID: tSchool, CanteenID: "C1", Name: "1号窗口", SecretHash: secretT1, Status: directory.TerminalActive, CanOverride: true},
		{ID: "T2", SchoolID: tSchool, CanteenID: "C1", Name: "2号窗口", SecretHash: secretT2, Status: directory.TerminalDisabled},
		{ID: "T3", SchoolID: tSchool, CanteenID: "C1", Name: "3号窗口", SecretHash: secretT3, Status: directory.TerminalActive},
		{ID: "T9", SchoolID: tOther, CanteenID: "C9", Name: "外校窗口", SecretHash: secretT9, Status: directory.TerminalActive, CanOverride: true},
	} {
		must(e.dir.AddTerminal(ctx, term))
	}
	for _, d := range []directory.Dish{
		{CanteenID: "C1", Barcode: "6901", Name: "红烧肉", PriceFen: 1250, Active: true},
		{CanteenID: "C1", Barcode: "6902", Name: "米饭", PriceFen: 100, Active: true},
		{CanteenID: "C1", Barcode: "6903", Name: "停售菜", PriceFen: 900, Active: false},
		{CanteenID: "C9", Barcode: "6901", Name: "红烧肉", PriceFen: 1250, Active: true},
	} {
		_, err := e.dir.PutDish(ctx, d)
		must(err)
	}
	e.execute(t, &grainv1.ExecuteRequest{IdemKey: "open", Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
		SchoolId: tSchool, StudentNo: tStudentNo, CardRandom: "07", CardExpiry: expiryText,
		Limits: &grainv1.Limits{SingleRechargeMaxFen: 100000, BalanceCapFen: 200000, DailySpendCapFen: 50000, ArrearsCapFen: 2000},
	}}})
	e.execute(t, &grainv1.ExecuteRequest{IdemKey: "subsidy-1", Command: &grainv1.ExecuteRequest_GrantSubsidy{GrantSubsidy: &grainv1.GrantSubsidyCommand{
		AmountFen: 5000, Reason: "lunch subsidy",
	}}})
	id, err := card.BuildID(tSchool, tStudentNo, "07")
	must(err)
	if e.qr, err = e.keyring.Seal(id, expiry, rand.Reader); err != nil {
		t.Fatal(err)
	}
}

func (e *terminalEnv) execute(t *testing.T, req *grainv1.ExecuteRequest) {
	t.Helper()
	resp, err := e.accounts.Execute(context.Background(), tAccount, req)
	if err != nil || resp.GetAccepted() == nil {
		t.Fatalf("%s: %v %v", req.GetIdemKey(), resp, err)
	}
}

func (e *terminalEnv) balance(t *testing.T) int64 {
	t.Helper()
	st, err := e.accounts.State(context.Background(), tAccount)
	if err != nil {
		t.Fatal(err)
	}
	return st.GetBalanceFen()
}

func (e *terminalEnv) dial(t *testing.T, terminal string, secret []byte) *terminalclient.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := terminalclient.Dial(ctx, e.addr, terminal, secret)
	if err != nil {
		t.Fatalf("dial %s: %v", terminal, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func tctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func lines(refs ...any) []*apiv1.LineRef {
	var out []*apiv1.LineRef
	for i := 0; i < len(refs); i += 2 {
		out = append(out, &apiv1.LineRef{Barcode: refs[i].(string), Qty: int32(refs[i+1].(int))})
	}
	return out
}

func wantPay(t *testing.T, got *apiv1.PayResult, err error, want *apiv1.PayResult) {
	t.Helper()
	if err != nil {
		t.Fatalf("pay %d: %v", want.GetSeq(), err)
	}
	g := fmt.Sprintf("seq=%d %s amount=%d balance=%d arrears=%v name=%q reason=%s avail=%d replayed=%v",
		got.GetSeq(), got.GetOutcome(), got.GetAmountFen(), got.GetBalanceAfterFen(), got.GetArrears(),
		got.GetMaskedName(), got.GetReason(), got.GetArrearsAvailableFen(), got.GetReplayed())
	w := fmt.Sprintf("seq=%d %s amount=%d balance=%d arrears=%v name=%q reason=%s avail=%d replayed=%v",
		want.GetSeq(), want.GetOutcome(), want.GetAmountFen(), want.GetBalanceAfterFen(), want.GetArrears(),
		want.GetMaskedName(), want.GetReason(), want.GetArrearsAvailableFen(), want.GetReplayed())
	if g != w {
		t.Fatalf("pay result\n got %s\nwant %s", g, w)
	}
}

const (
	approved = apiv1.PayResult_OUTCOME_APPROVED
	declined = apiv1.PayResult_OUTCOME_DECLINED
)

// TestTerminalSessionEndToEnd is a cashier's day on one terminal: cart, pay, decline,
// override, void, duplicate, loss.
func TestTerminalSessionEndToEnd(t *testing.T) {
	e := newTerminalEnv(t)
	ctx := tctx(t)
	s := e.dial(t, "T1", secretT1)
	w := s.Welcome()
	if w.GetSchoolId() != tSchool || w.GetCanteenId() != "C1" || w.GetCanteenName() != "一食堂" || w.GetCatalogVersion() != 3 || w.GetLastSeq() != 0 {
		t.Fatalf("welcome %v", w)
	}

	// Cart: lines merge by barcode; unknown and withdrawn barcodes are rejected.
	cart, err := s.Scan(ctx, "6901", 0)
	if err != nil || cart.GetTotalFen() != 1250 || len(cart.GetLines()) != 1 {
		t.Fatalf("scan: %v %v", cart, err)
	}
	s.Scan(ctx, "6902", 1)
	cart, err = s.Scan(ctx, "6902", 1)
	if err != nil || cart.GetTotalFen() != 1450 || len(cart.GetLines()) != 2 || cart.GetLines()[1].GetQty() != 2 {
		t.Fatalf("scan: %v %v", cart, err)
	}
	for _, tc := range []struct {
		barcode string
		why     reason.Code
	}{{"0000", reason.UnknownDish}, {"6903", reason.DishWithdrawn}} {
		cart, err = s.Scan(ctx, tc.barcode, 1)
		if err != nil || cart.GetRejectedBarcode() != tc.barcode || reason.Code(cart.GetReason()) != tc.why || cart.GetTotalFen() != 1450 {
			t.Fatalf("scan %s: %v %v, want rejected %s", tc.barcode, cart, err, tc.why)
		}
	}
	// A stale total is refused before the account is touched.
	r, err := s.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, ExpectedTotalFen: 1400})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 1, Outcome: declined, Reason: string(reason.PriceChanged)})

	// 1: the session cart, approved.
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, ExpectedTotalFen: 1450})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 1, Outcome: approved, AmountFen: 1450, BalanceAfterFen: 3550, MaskedName: "张*明"})
	if cart, _ := s.Clear(ctx); len(cart.GetLines()) != 0 {
		t.Fatalf("cart after clear %v", cart)
	}

	// 2: short, declined with the arrears still available.
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 2, CardQr: e.qr, Lines: lines("6901", 3), ExpectedTotalFen: 3750})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 2, Outcome: declined, Reason: string(reason.InsufficientFunds), BalanceAfterFen: 3550, ArrearsAvailableFen: 2000})
	if r.GetMessage() != "insufficient funds" {
		t.Errorf("message %q", r.GetMessage())
	}

	// 3: the operator overrides: approved as arrears, the parent is notified.
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 3, CardQr: e.qr, Lines: lines("6901", 3), ExpectedTotalFen: 3750, Override: true, Operator: "王阿姨"})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 3, Outcome: approved, AmountFen: 3750, BalanceAfterFen: -200, Arrears: true, MaskedName: "张*明"})
	msgs, err := e.dir.ClaimBatch(ctx, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Topic != directory.TopicArrears || msgs[0].Recipient != tAccount {
		t.Fatalf("outbox: %+v %v, want one arrears message", msgs, err)
	}
	var notice actors.ArrearsNotice
	if err := json.Unmarshal(msgs[0].Payload, &notice); err != nil ||
		notice != (actors.ArrearsNotice{AccountID: tAccount, PurchaseKey: "T1:3", AmountFen: 3750, BalanceFen: -200, MaskedName: "张*明"}) {
		t.Fatalf("notice %s: %v", msgs[0].Payload, err)
	}
	if strings.Contains(string(msgs[0].Payload), tName) {
		t.Fatal("the notice holds the name")
	}

	// 4: void the last sale.
	v, err := s.Void(ctx, 4, 3)
	if err != nil || !v.GetVoided() || v.GetSeq() != 4 || v.GetAmountFen() != 3750 || v.GetBalanceAfterFen() != 3550 {
		t.Fatalf("void: %v %v", v, err)
	}
	v, err = s.Void(ctx, 5, 3)
	if err != nil || v.GetVoided() || reason.Code(v.GetReason()) != reason.AlreadyVoided {
		t.Fatalf("second void: %v %v", v, err)
	}
	v, err = s.Void(ctx, 6, 42)
	if err != nil || v.GetVoided() || reason.Code(v.GetReason()) != reason.UnknownSale {
		t.Fatalf("void of an unknown sale: %v %v", v, err)
	}

	// The duplicate of pay 1 (same seq, same lines) gets the first outcome.
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, Lines: lines("6901", 1, "6902", 2), ExpectedTotalFen: 1450})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 1, Outcome: approved, AmountFen: 1450, BalanceAfterFen: 3550, MaskedName: "张*明", Replayed: true})
	// Same seq, other lines: a conflict, nothing charged.
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, Lines: lines("6902", 1), ExpectedTotalFen: 100})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 1, Outcome: declined, Reason: string(reason.IdempotencyConflict), BalanceAfterFen: 3550, ArrearsAvailableFen: 2000})
	if got := e.balance(t); got != 3550 {
		t.Fatalf("balance %d, want 3550", got)
	}

	// A new session of the same terminal learns the last committed seq.
	if s2 := e.dial(t, "T1", secretT1); s2.Welcome().GetLastSeq() != 4 {
		t.Fatalf("last seq %d, want 4", s2.Welcome().GetLastSeq())
	}

	// Heartbeat: a catalog change is pushed before the ack.
	if _, err := e.dir.PutDish(ctx, directory.Dish{CanteenID: "C1", Barcode: "6902", Name: "米饭", PriceFen: 150, Active: true}); err != nil {
		t.Fatal(err)
	}
	ack, err := s.Heartbeat(ctx, time.Now().UnixMilli())
	if err != nil || ack.GetCatalogVersion() != 4 {
		t.Fatalf("heartbeat: %v %v", ack, err)
	}
	select {
	case p := <-s.Pushes():
		if p.GetCatalogChanged().GetCatalogVersion() != 4 {
			t.Fatalf("push %v", p)
		}
	default:
		t.Fatal("no CatalogChanged push before the ack")
	}

	// The card is reported lost: its QR stops working at once.
	e.execute(t, &grainv1.ExecuteRequest{IdemKey: "loss-1", Command: &grainv1.ExecuteRequest_ReportLoss{ReportLoss: &grainv1.ReportLossCommand{By: "staff"}}})
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 7, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 7, Outcome: declined, Reason: string(reason.CardLost), BalanceAfterFen: 3550, ArrearsAvailableFen: 2000})
}

// TestTerminalSessionRefusals: isolation between schools, override permission, bad
// cards, and the handshake.
func TestTerminalSessionRefusals(t *testing.T) {
	e := newTerminalEnv(t)
	ctx := tctx(t)

	other := e.dial(t, "T9", secretT9)
	r, err := other.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 1, Outcome: declined, Reason: string(reason.WrongSchool)})

	noOverride := e.dial(t, "T3", secretT3)
	r, err = noOverride.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250, Override: true})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 1, Outcome: declined, Reason: string(reason.OverrideNotAllowed)})

	s := e.dial(t, "T1", secretT1)
	for i, qr := range []string{"", "OC1:XXXX:AAAA", tamper(e.qr), strings.ToLower(e.qr), "https://example.com/pay?x=1", e.qr + "A"} {
		r, err = s.Pay(ctx, &apiv1.Pay{Seq: uint64(i + 1), CardQr: qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
		wantPay(t, r, err, &apiv1.PayResult{Seq: uint64(i + 1), Outcome: declined, Reason: string(reason.InvalidCard)})
	}
	// A valid card of this school for a pupil the directory does not know.
	id, _ := card.BuildID(tSchool, "2024999999", "01")
	ghost, err := e.keyring.Seal(id, time.Now().AddDate(1, 0, 0), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 10, CardQr: ghost, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 10, Outcome: declined, Reason: string(reason.InvalidCard)})
	if got := e.balance(t); got != 5000 {
		t.Fatalf("balance %d after refusals, want 5000", got)
	}

	// Handshake failures all look the same.
	var answers []string
	for _, tc := range []struct {
		name, terminal string
		secret         []byte
	}{
		{"unknown terminal", "T404", secretT1},
		{"disabled terminal", "T2", secretT2},
		{"bad MAC", "T1", secretT3},
	} {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := terminalclient.Dial(dctx, e.addr, tc.terminal, tc.secret)
		cancel()
		if status.Code(err) != codes.Unauthenticated {
			t.Errorf("%s: %v, want Unauthenticated", tc.name, err)
		}
		answers = append(answers, fmt.Sprint(err))
	}
	if answers[0] != answers[1] || answers[1] != answers[2] {
		t.Errorf("handshake failures differ:\n%s", strings.Join(answers, "\n"))
	}

	// Nothing but Hello before Welcome.
	conn, err := grpc.NewClient(e.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream, err := apiv1.NewTerminalServiceClient(conn).Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stream.Send(&apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Pay{Pay: &apiv1.Pay{Seq: 1, CardQr: e.qr}}})
	if _, err := stream.Recv(); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("pay before hello: %v, want Unauthenticated", err)
	}
}

// TestTerminalHandshakeTimeout: a stream that never authenticates is closed.
func TestTerminalHandshakeTimeout(t *testing.T) {
	svc := newTerminalService(Deps{Rand: rand.Reader, Logger: slog.New(slog.DiscardHandler)}, nil, 50*time.Millisecond)
	srv, err := New(context.Background(), Config{GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)},
		func(g *grpc.Server) { apiv1.RegisterTerminalServiceServer(g, svc) })
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Shutdown(context.Background())
	conn, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stream, err := apiv1.NewTerminalServiceClient(conn).Session(tctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("silent stream: %v, want Unauthenticated", err)
	}
}

func TestTerminalMACMatchesClient(t *testing.T) {
	got := TerminalMAC([]byte("k"), "T1", "aa", "bb")
	if want := terminalclient.MAC([]byte("k"), "T1", "aa", "bb"); got != want {
		t.Fatalf("server MAC %s, client MAC %s", got, want)
	}
}

// tamper changes one character of the sealed body.
func tamper(qr string) string {
	i := len(qr) - 10
	c := byte('B')
	if qr[i] == 'B' {
		c = 'C'
	}
	return qr[:i] + string(c) + qr[i+1:]
}

// TestTerminalResendAfterPriceChange: a pay whose reply was lost is re-sent after the
// catalog changed; the sale already committed, so the first outcome wins instead of a
// PRICE_CHANGED decline.
func TestTerminalResendAfterPriceChange(t *testing.T) {
	e := newTerminalEnv(t)
	ctx := tctx(t)
	s := e.dial(t, "T1", secretT1)
	r, err := s.Pay(ctx, &apiv1.Pay{Seq: 7, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 7, Outcome: approved, AmountFen: 1250, BalanceAfterFen: 3750, MaskedName: "张*明"})

	d, err := e.dir.Dish(ctx, "C1", "6901")
	if err != nil {
		t.Fatal(err)
	}
	d.PriceFen = 1300
	if _, err := e.dir.PutDish(ctx, d); err != nil {
		t.Fatal(err)
	}
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 7, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 7, Outcome: approved, AmountFen: 1250, BalanceAfterFen: 3750, MaskedName: "张*明", Replayed: true})

	// A new sale at the old total is refused once the session knows of the change (a
	// heartbeat brings the CatalogChanged push; without one, within a second).
	if _, err := s.Heartbeat(ctx, time.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	r, err = s.Pay(ctx, &apiv1.Pay{Seq: 8, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 8, Outcome: declined, Reason: string(reason.PriceChanged)})
}

// TestTerminalCardRevokedPush: a loss report committed elsewhere (staff, parent) reaches
// the open terminal sessions of the school as a CardRevoked push with the new generation,
// and the card is declined from then on.
func TestTerminalCardRevokedPush(t *testing.T) {
	e := newTerminalEnv(t)
	ctx := tctx(t)
	s := e.dial(t, "T1", secretT1)
	loss := &grainv1.ExecuteRequest{IdemKey: "loss-push", Command: &grainv1.ExecuteRequest_ReportLoss{ReportLoss: &grainv1.ReportLossCommand{By: "parent"}}}
	if out, err := e.accounts.Execute(ctx, tAccount, loss); err != nil || out.GetAccepted() == nil {
		t.Fatalf("loss report: %v %v", out, err)
	}
	select {
	case p := <-s.Pushes():
		r := p.GetCardRevoked()
		if r == nil || r.GetAccountRef() != actors.AccountRef(tAccount) || r.GetGeneration() != 2 {
			t.Fatalf("push %v, want CardRevoked of the account at generation 2", p)
		}
		if strings.Contains(r.GetAccountRef(), tStudentNo) {
			t.Fatal("the push carries the student number")
		}
	case <-ctx.Done():
		t.Fatal("no CardRevoked push")
	}
	r, err := s.Pay(ctx, &apiv1.Pay{Seq: 1, CardQr: e.qr, Lines: lines("6901", 1), ExpectedTotalFen: 1250})
	wantPay(t, r, err, &apiv1.PayResult{Seq: 1, Outcome: declined, Reason: string(reason.CardLost), BalanceAfterFen: 5000, ArrearsAvailableFen: 2000})
}
