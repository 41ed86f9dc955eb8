package gateway_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/app/fees"
	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/recharge"

	"github.com/onecode/onecode/internal/testfiles"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/gateway/aggregator/sandbox"
	pushsandbox "github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/wechat"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/fees/pgfees"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/pgorders"
	"github.com/onecode/onecode/persistence/redistest"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	"github.com/onecode/onecode/terminalclient"
)

var (
	swKeysOnce sync.Once
	swKeys     aggregator.KeySet
)

// swKeySet is one aggregator key set per test binary (RSA generation is slow).
func swKeySet() aggregator.KeySet {
	swKeysOnce.Do(func() {
		var err error
		if swKeys, err = aggregator.GenerateKeySet(rand.Reader, "1900000109", "wxd678efh567hg6787"); err != nil {
			panic(err)
		}
	})
	return swKeys
}

// switchEnv is a whole switch in one process: PostgreSQL journal, directory and
// recharge orders, Redis cache and sessions, one cluster member, every service
// (admin, auth, parent, staff, terminal) behind gateway.New, the recharge
// component against the in-process aggregator sandbox, its notification
// endpoint on loopback.
type switchEnv struct {
	dir      directory.Store
	js       journal.Store
	accounts *actors.Accounts
	keyring  *card.Keyring
	cache    cache.Cache
	sessions *access.Sessions
	staffSvc *gateway.StaffService
	// recharges is the recharge component behind the services; orders its store.
	recharges *gateway.Recharges
	orders    orders.Store

	conn     *grpc.ClientConn
	grpcAddr string
	httpBase string
	admin    apiv1.AdminServiceClient
	auth     apiv1.AuthServiceClient
	parent   apiv1.ParentServiceClient
	staff    apiv1.StaffServiceClient
	fee      apiv1.FeeStaffServiceClient
	feeP     apiv1.FeeParentServiceClient
	feeItems apiv1.FeeItemStaffServiceClient
	refunds  apiv1.RefundStaffServiceClient
	feeImp   apiv1.FeeImportServiceClient
	wechat   apiv1.WeChatServiceClient
	sbURL    string
	// pushSB is the push sandbox serving the WeChat API (OAuth codes, template
	// messages); wx is the switch's WeChat client on it.
	pushSB *pushsandbox.Sandbox
	wx     *wechat.Client

	mu    sync.Mutex
	codes map[string]string
	// outbox is the notices' outbox the producers queue in (newSwitchEnvOutbox).
	outbox *sqliteoutbox.Store
}

func newSwitchEnv(t *testing.T) *switchEnv { t.Helper(); return newSwitchEnvOpts(t, envOpts{}) }

// newSwitchEnvOutbox is newSwitchEnv whose producers (binding, arrears, login
// codes, fees) queue in the notices' outbox e.outbox instead of the directory's
// old one.
func newSwitchEnvOutbox(t *testing.T) *switchEnv {
	t.Helper()
	return newSwitchEnvOpts(t, envOpts{outbox: true})
}

// newSwitchEnvWith is newSwitchEnv whose recharges, if providers is set, go to those
// per-school merchants (gateway/payments) instead of the WeChat sandbox port; their
// notifications reach the edge at /pay/notify/{merchant}.
func newSwitchEnvWith(t *testing.T, providers recharge.Providers) *switchEnv {
	t.Helper()
	return newSwitchEnvOpts(t, envOpts{providers: providers})
}

// envOpts are the variations of the switch test environment.
type envOpts struct {
	outbox    bool
	providers recharge.Providers
	// resolveAfter, if set, is the recharges' ResolveAfter (ResolveOnce then
	// queries orders written that long ago); hops is the edge's ForwardedHops.
	resolveAfter time.Duration
	hops         int
}

// newSwitchEnvOpts builds the environment newSwitchEnv describes, varied by o.
func newSwitchEnvOpts(t *testing.T, o envOpts) *switchEnv {
	t.Helper()
	providers := o.providers
	ctx := context.Background()
	sw := switchtest.New(t, switchtest.Options{Name: "switch-test", Logger: discardLogger(), MemberLogger: discardLogger()})
	js, dir, m := sw.Store, sw.Directory, sw.Member
	store, err := pgorders.Open(ctx, sw.DSN, pgorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rc, prefix := redistest.Client(t)
	c, err := cache.NewRedis(rc, cache.RedisOptions{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := access.NewSessions(c, access.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := &switchEnv{dir: dir, js: js, accounts: sw.Accounts, keyring: sw.Keyring,
		cache: c, sessions: sessions, codes: map[string]string{}}
	deps := sw.Deps()
	deps.IDHashKey, deps.Cache, deps.Sessions, deps.PhoneHashKey, deps.PhoneSealKey = testIDHashKey, c, sessions, testPhoneKey, testPhoneSealKey
	prefStore, err := sqliteoutbox.Open(context.Background(), t.TempDir()+"/outbox.db", sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = prefStore.Close() })
	if o.outbox {
		deps.Outbox, e.outbox = prefStore, prefStore
	}
	feeStore, err := pgfees.Open(ctx, sw.DSN, pgfees.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { feeStore.Close() })
	deps.FeeStore = feeStore

	// The aggregator sandbox and the recharge component.
	keys := swKeySet()
	sb, err := sandbox.New(sandbox.Config{Keys: sandbox.KeysFromSet(keys), Faults: sandbox.Faults{
		RetryLadder: []sandbox.Duration{0, sandbox.Duration(50 * time.Millisecond), sandbox.Duration(200 * time.Millisecond)}}})
	if err != nil {
		t.Fatal(err)
	}
	sbSrv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { sbSrv.Close(); sb.Close() })
	e.sbURL = sbSrv.URL
	aggClient, err := aggregator.NewClient(aggregator.Config{BaseURL: sbSrv.URL, Keys: keys.Merchant(), CallTimeout: 2 * time.Second,
		Breaker: aggregator.DefaultBreakerSettings()})
	if err != nil {
		t.Fatal(err)
	}
	port, err := aggregator.NewRechargePort(aggClient, aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: keys.AppID, MchID: keys.MchID}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var notify atomic.Pointer[http.Handler]
	notifySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*notify.Load()).ServeHTTP(w, r) }))
	t.Cleanup(notifySrv.Close)
	projection, err := deps.Fees()
	if err != nil {
		t.Fatal(err)
	}
	rcCfg := recharge.Config{Accounts: e.accounts, Orders: store, Aggregator: port,
		NotifyURL: notifySrv.URL + "/v1/aggregator/notify", Now: time.Now, Rand: rand.Reader, Logger: discardLogger(),
		OnBill: projection.ProjectBill, ResolveAfter: o.resolveAfter, OnRefundRequested: func(ctx context.Context, r recharge.Refund) error {
			return projection.JournalRefund(ctx, fees.RefundNote{SchoolID: r.SchoolID, StaffID: r.StaffID, AccountID: r.AccountID,
				ItemID: r.ItemID, RequestID: r.RequestID, RefundNo: r.RefundNo, AmountFen: r.AmountFen, Reason: r.Reason, State: string(r.State)})
		}}
	rcCfg.WeChatLinks = dir // JSAPI: the parent's linked openid
	if providers != nil {
		rcCfg.Providers, rcCfg.MerchantNotifyURL = providers, notifySrv.URL+gateway.PayNotifyPath
	}
	recharges, err := gateway.NewRecharges(rcCfg, aggClient.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	feeStaff, feeParent, err := gateway.NewFeeServices(deps, recharges)
	if err != nil {
		t.Fatal(err)
	}
	feeItems, err := gateway.NewFeeItemService(deps)
	if err != nil {
		t.Fatal(err)
	}
	feeImport, err := gateway.NewFeeImportService(deps)
	if err != nil {
		t.Fatal(err)
	}
	e.recharges, e.orders = recharges, store
	notifyMux := http.NewServeMux()
	notifyMux.Handle("/", recharges.NotifyHandler())
	notifyMux.Handle("POST "+gateway.PayNotifyPath+"{merchant}", recharges.PayNotifyHandler())
	var h http.Handler = notifyMux
	notify.Store(&h)

	authSvc, err := gateway.NewAuthService(deps, access.AuthOptions{Password: testPassword, OnCodeIssued: func(phone, code string) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.codes[phone] = code
	}})
	if err != nil {
		t.Fatal(err)
	}
	parentSvc, err := gateway.NewParentService(deps, recharges)
	if err != nil {
		t.Fatal(err)
	}
	parentSvc.WithNoticePrefs(&appnotify.Prefs{Store: prefStore})
	if e.staffSvc, err = gateway.NewStaffService(deps); err != nil {
		t.Fatal(err)
	}
	links := e.startWeChat(t, deps.PhoneSealKey)
	srv := switchtest.Serve(t, gateway.Config{Logger: discardLogger(),
		OperatorToken: testToken, Sessions: sessions, ForwardedHops: o.hops}, func(s *grpc.Server) {
		apiv1.RegisterAdminServiceServer(s, gateway.NewAdminService(deps))
		apiv1.RegisterAuthServiceServer(s, authSvc)
		apiv1.RegisterParentServiceServer(s, parentSvc)
		apiv1.RegisterStaffServiceServer(s, e.staffSvc)
		apiv1.RegisterFeeStaffServiceServer(s, feeStaff)
		apiv1.RegisterFeeParentServiceServer(s, feeParent)
		apiv1.RegisterFeeItemStaffServiceServer(s, feeItems)
		apiv1.RegisterRefundStaffServiceServer(s, gateway.NewRefundService(recharges))
		apiv1.RegisterFeeImportServiceServer(s, feeImport)
		apiv1.RegisterWeChatServiceServer(s, gateway.NewWeChatService(links))
		apiv1.RegisterTerminalServiceServer(s, gateway.NewTerminalService(deps, m.Cluster.ActorSystem))
	})
	e.conn = switchtest.Dial(t, srv)
	e.grpcAddr, e.httpBase = srv.GRPCAddr(), "http://"+srv.HTTPAddr()
	e.admin = apiv1.NewAdminServiceClient(e.conn)
	e.auth = apiv1.NewAuthServiceClient(e.conn)
	e.parent = apiv1.NewParentServiceClient(e.conn)
	e.staff = apiv1.NewStaffServiceClient(e.conn)
	e.fee = apiv1.NewFeeStaffServiceClient(e.conn)
	e.feeP = apiv1.NewFeeParentServiceClient(e.conn)
	e.feeItems = apiv1.NewFeeItemStaffServiceClient(e.conn)
	e.refunds = apiv1.NewRefundStaffServiceClient(e.conn)
	e.feeImp = apiv1.NewFeeImportServiceClient(e.conn)
	e.wechat = apiv1.NewWeChatServiceClient(e.conn)
	return e
}

// session opens a session directly (logins are tested in authsvc_test.go).
func (e *switchEnv) session(t *testing.T, p access.Principal) string {
	t.Helper()
	token, _, err := e.sessions.Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// staffToken puts a staff member in the directory and opens their session.
func (e *switchEnv) staffToken(t *testing.T, school, id string, role directory.StaffRole, class string) string {
	t.Helper()
	if err := e.dir.PutStaff(context.Background(), directory.StaffUser{ID: id, SchoolID: school, Username: id, Role: role, ClassID: class,
		PasswordHash: "$argon2id$unused", Status: directory.StaffActive}); err != nil {
		t.Fatalf("put staff %s: %v", id, err)
	}
	return e.session(t, access.Principal{Kind: access.KindStaff, SubjectID: id, SchoolID: school, Role: access.RoleFromStored(role), ClassID: class})
}

// parentToken puts a parent in the directory and opens their session.
func (e *switchEnv) parentToken(t *testing.T, id string, phoneByte byte) string {
	t.Helper()
	hash := make([]byte, directory.PhoneHashLen)
	hash[0] = phoneByte
	if _, err := e.dir.PutParent(context.Background(), directory.Parent{ID: id, PhoneHash: hash, PhoneMasked: "138****0000"}); err != nil {
		t.Fatal(err)
	}
	return e.session(t, access.Principal{Kind: access.KindParent, SubjectID: id, MaskedPhone: "138****0000"})
}

// school puts a school with classes, a canteen with dishes and a terminal, and
// answers the terminal's secret.
func (e *switchEnv) school(t *testing.T, id, canteen, terminal string, classes ...string) []byte {
	t.Helper()
	ctx := authed()
	s := &apiv1.School{Id: id, Name: "实验小学" + id, SingleRechargeMaxFen: 100000, BalanceCapFen: 200000,
		DailySpendCapFen: 10000, ArrearsCapFen: 3000, VoidWindowSeconds: 600}
	if _, err := e.admin.PutSchool(ctx, &apiv1.PutSchoolRequest{School: s}); err != nil {
		t.Fatal(err)
	}
	for _, c := range classes {
		if _, err := e.admin.PutClass(ctx, &apiv1.PutClassRequest{Class: &apiv1.Class{SchoolId: id, Id: c, Name: "三年级" + c + "班", Grade: 3}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.admin.PutCanteen(ctx, &apiv1.PutCanteenRequest{Canteen: &apiv1.Canteen{SchoolId: id, Id: canteen, Name: "第一食堂" + canteen}}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*apiv1.Dish{
		{CanteenId: canteen, Barcode: "D1001", Name: "红烧肉", PriceFen: 1200, Active: proto.Bool(true)},
		{CanteenId: canteen, Barcode: "D1002", Name: "米饭", PriceFen: 100, Active: proto.Bool(true)},
	} {
		if _, err := e.admin.PutDish(ctx, &apiv1.PutDishRequest{Dish: d}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := e.admin.RegisterTerminal(ctx, &apiv1.RegisterTerminalRequest{TerminalId: terminal, CanteenId: canteen, Name: "1号窗口"})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := hex.DecodeString(r.GetSecret())
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// cardQR seals the account's current card as the printed sheet carries it.
func (e *switchEnv) cardQR(t *testing.T, accountID string) string {
	t.Helper()
	st, err := e.accounts.State(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	id, err := card.BuildID(st.GetSchoolId(), strings.TrimPrefix(accountID, "acc_"+st.GetSchoolId()+"_"), st.GetCardRandom())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := time.ParseInLocation("20060102", st.GetCardExpiry(), card.Zone())
	if err != nil {
		t.Fatal(err)
	}
	qr, err := e.keyring.Seal(id, exp, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return qr
}

func (e *switchEnv) code(t *testing.T, phone string) string {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.codes[phone]
	if !ok {
		t.Fatal("no code issued")
	}
	return c
}

// sandboxPay plays the parent paying at the aggregator.
func (e *switchEnv) sandboxPay(t *testing.T, orderID string) {
	t.Helper()
	resp, err := http.Post(e.sbURL+"/sandbox/pay/"+orderID, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sandbox pay %s: HTTP %d", orderID, resp.StatusCode)
	}
}

// TestEndToEndImportBindRechargePayHistory: staff import an XLSX of pupils; a
// parent logs in with a one-time code, finds and binds the child, recharges
// through the aggregator sandbox (pay, notification, credit); the card pays at
// a terminal; the parent sees the meal's dishes in the history.
func TestEndToEndImportBindRechargePayHistory(t *testing.T) {
	e := newSwitchEnv(t)
	ctx := context.Background()
	secret := e.school(t, "35001", "C1", "T1", "3-1", "3-2")

	// Staff: the school admin logs in and imports the class list kept in Excel.
	hash, err := access.HashPassword("correct horse", testPassword, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.dir.PutStaff(ctx, directory.StaffUser{ID: "st_admin", SchoolID: "35001", Username: "admin", PasswordHash: hash,
		Role: directory.RoleSchoolAdmin, Status: directory.StaffActive}); err != nil {
		t.Fatal(err)
	}
	login, err := e.auth.StaffLogin(ctx, &apiv1.StaffLoginRequest{SchoolId: "35001", Username: "admin", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	staff := bearer(login.GetToken())
	xlsx := testfiles.XLSX(t, [][]any{
		{"学号", "姓名", "性别", "班级", "身份证号"},
		{2024000101, "王小明", "男", "3-1", "110105201503070021"},
		{2024000102, "李华", "女", "3-1", ""},
		{"2024000201", "张伟", "男", "3-2", "110105201503070013"},
	})
	imp, err := e.staff.ImportPupilsFile(staff, &apiv1.ImportPupilsFileRequest{Format: "xlsx", Content: xlsx, CardExpiry: nextYear()})
	if err != nil || imp.GetImported() != 3 || len(imp.GetErrors()) != 0 {
		t.Fatalf("import: %v %v", imp, err)
	}
	sheet, err := e.staff.GetClassSheet(staff, &apiv1.GetClassSheetRequest{ClassId: "3-1"})
	if err != nil || sheet.GetContentType() != "application/pdf" || !strings.HasPrefix(string(sheet.GetData()), "%PDF-") {
		t.Fatalf("class sheet: %v", err)
	}
	const account = "acc_35001_2024000101"

	// Parent: one-time code, login, find, bind.
	const phone = "13800138000"
	if _, err := e.auth.RequestParentCode(ctx, &apiv1.RequestParentCodeRequest{Phone: phone}); err != nil {
		t.Fatal(err)
	}
	pl, err := e.auth.ParentLogin(ctx, &apiv1.ParentLoginRequest{Phone: phone, Code: e.code(t, phone)})
	if err != nil {
		t.Fatal(err)
	}
	parent := bearer(pl.GetToken())
	found, err := e.parent.FindChild(parent, &apiv1.FindChildRequest{SchoolId: "35001", Name: "王小明", StudentNo: "2024000101", IdNumber: "1101052015 0307 0021"})
	if err != nil {
		t.Fatal(err)
	}
	if found.GetMaskedName() != "王*明" || found.GetMaskedStudentNo() != "2024****01" || found.GetClassName() != "三年级3-1班" || found.GetSchoolName() != "实验小学35001" {
		t.Fatalf("found %v", found)
	}
	bound, err := e.parent.BindChild(parent, &apiv1.BindChildRequest{BindTicket: found.GetBindTicket(), Relation: "mother"})
	if err != nil || bound.GetChild().GetAccountId() != account || bound.GetChild().GetMaskedName() != "王*明" || bound.GetChild().GetCardState() != "active" {
		t.Fatalf("bind: %v %v", bound, err)
	}

	// Recharge 50 yuan: order, pay at the sandbox, notification, credited.
	rc, err := e.parent.CreateRecharge(parent, &apiv1.CreateRechargeRequest{AccountId: account, AmountFen: 5000, RequestId: "rc-1"})
	if err != nil || rc.GetRecharge().GetState() != apiv1.Recharge_STATE_AWAITING_PAYMENT || rc.GetRecharge().GetPayUrl() == "" {
		t.Fatalf("create recharge: %v %v", rc, err)
	}
	e.sandboxPay(t, rc.GetRecharge().GetOrderId())
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := e.parent.GetRecharge(parent, &apiv1.GetRechargeRequest{OrderId: rc.GetRecharge().GetOrderId()})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetRecharge().GetState() == apiv1.Recharge_STATE_CREDITED {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recharge still %v", got.GetRecharge().GetState())
		}
		time.Sleep(20 * time.Millisecond)
	}
	child, err := e.parent.GetChild(parent, &apiv1.GetChildRequest{AccountId: account})
	if err != nil || child.GetChild().GetBalanceFen() != 5000 {
		t.Fatalf("after recharge: %v %v", child, err)
	}

	// Canteen: the terminal scans two dishes and the printed card.
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := terminalclient.Dial(tctx, e.grpcAddr, "T1", secret)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Scan(tctx, "D1001", 1); err != nil {
		t.Fatal(err)
	}
	cart, err := s.Scan(tctx, "D1002", 2)
	if err != nil || cart.GetTotalFen() != 1400 {
		t.Fatalf("cart %v %v", cart, err)
	}
	paid, err := s.Pay(tctx, &apiv1.Pay{Seq: 1, CardQr: e.cardQR(t, account), ExpectedTotalFen: 1400})
	if err != nil || paid.GetOutcome() != apiv1.PayResult_OUTCOME_APPROVED || paid.GetBalanceAfterFen() != 3600 {
		t.Fatalf("pay: %v %v", paid, err)
	}

	// The parent sees the meal, itemised, and the recharge.
	h, err := e.parent.ListHistory(parent, &apiv1.ListHistoryRequest{AccountId: account})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range h.GetLines() {
		line := fmt.Sprintf("%s %d %s", l.GetKind(), l.GetAmountFen(), l.GetPlace())
		for _, it := range l.GetItems() {
			line += fmt.Sprintf(" %s×%d@%d", it.GetName(), it.GetQty(), it.GetUnitPriceFen())
		}
		got = append(got, strings.TrimSpace(line))
	}
	want := []string{"purchase -1400 第一食堂C1 红烧肉×1@1200 米饭×2@100", "recharge 5000"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || h.GetNextPageToken() != "" {
		t.Fatalf("history\n got %q\nwant %q (next %q)", got, want, h.GetNextPageToken())
	}
	// Staff see the same lines and the canteen's day.
	sh, err := e.staff.ListPupilHistory(staff, &apiv1.ListPupilHistoryRequest{AccountId: account})
	if err != nil || len(sh.GetLines()) != 2 {
		t.Fatalf("staff history: %v %v", sh, err)
	}
	today := time.Now().In(card.Zone()).Format("20060102")
	tot, err := e.staff.GetCanteenTotals(staff, &apiv1.GetCanteenTotalsRequest{CanteenId: "C1", FromDay: today, ToDay: today})
	if err != nil || len(tot.GetDays()) != 1 || tot.GetDays()[0].GetSumFen() != 1400 || tot.GetDays()[0].GetCount() != 1 {
		t.Fatalf("canteen totals: %v %v", tot, err)
	}
}
