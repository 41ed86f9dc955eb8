package gateway_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/idnumber"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/internal/switchtest"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

const testToken = "test-operator-token"

var testIDHashKey = bytes.Repeat([]byte{0x5a}, 32)

// adminEnv is a real edge: PostgreSQL journal and directory, a one-member cluster of
// Account grains, the gRPC server and the REST gateway on loopback.
type adminEnv struct {
	client   apiv1.AdminServiceClient
	httpBase string
	dir      directory.Store
	accounts *actors.Accounts
	keyring  *card.Keyring
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	sw := switchtest.New(t, switchtest.Options{Name: "admin-test", Logger: discardLogger()})
	e := &adminEnv{dir: sw.Directory, accounts: sw.Accounts, keyring: sw.Keyring}
	deps := sw.Deps()
	deps.IDHashKey = testIDHashKey
	srv := switchtest.Serve(t, gateway.Config{Logger: discardLogger(), OperatorToken: testToken},
		func(s *grpc.Server) { apiv1.RegisterAdminServiceServer(s, gateway.NewAdminService(deps)) })
	e.client = apiv1.NewAdminServiceClient(switchtest.Dial(t, srv))
	e.httpBase = "http://" + srv.HTTPAddr()
	return e
}

func authed() context.Context {
	// The server bounds every call (gateway.Config.MaxRequestTime).
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+testToken)
}

func wantCode(t *testing.T, err error, code codes.Code, reason string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("got %v, want code %v", err, code)
	}
	if reason == "" {
		return
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetReason() == reason {
			return
		}
	}
	t.Fatalf("got %v (details %v), want reason %s", err, st.Details(), reason)
}

var demoSchool = &apiv1.School{
	Id: "35001", Name: "测试小学", SingleRechargeMaxFen: 100000, BalanceCapFen: 200000,
	DailySpendCapFen: 10000, ArrearsCapFen: 3000, VoidWindowSeconds: 600,
}

func nextYear() string { return time.Now().In(card.Zone()).AddDate(1, 0, 0).Format("20060102") }

func (e *adminEnv) seedSchool(t *testing.T) {
	t.Helper()
	if _, err := e.client.PutSchool(authed(), &apiv1.PutSchoolRequest{School: demoSchool}); err != nil {
		t.Fatalf("PutSchool: %v", err)
	}
	for _, c := range []*apiv1.Class{{SchoolId: "35001", Id: "3-1", Name: "三年级1班", Grade: 3}, {SchoolId: "35001", Id: "3-2", Name: "三年级2班", Grade: 3}} {
		if _, err := e.client.PutClass(authed(), &apiv1.PutClassRequest{Class: c}); err != nil {
			t.Fatalf("PutClass: %v", err)
		}
	}
}

var goodRows = []*apiv1.PupilRow{
	{StudentNo: "2024000001", Name: "王梓涵", ClassId: "3-1", IdNumber: "350102201503120020"},
	{StudentNo: "2024000002", Name: "李浩然", ClassId: "3-1", IdNumber: "11010120150101123 3"}, // spaces are dropped
	{StudentNo: "2024000003", Name: "陈雨桐", ClassId: "3-2"},                                  // no ID number
}

func TestImportSubsidyAccount(t *testing.T) {
	e := newAdminEnv(t)
	e.seedSchool(t)
	ctx := context.Background()
	expiry := nextYear()

	resp, err := e.client.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", Pupils: goodRows, CardExpiry: expiry})
	if err != nil {
		t.Fatalf("ImportPupils: %v", err)
	}
	if len(resp.GetErrors()) != 0 || len(resp.GetPupils()) != len(goodRows) {
		t.Fatalf("import answered %d pupils, errors %v; want %d pupils", len(resp.GetPupils()), resp.GetErrors(), len(goodRows))
	}
	randoms := map[string]string{}
	for i, got := range resp.GetPupils() {
		no := goodRows[i].GetStudentNo()
		wantAcc := "acc_35001_" + no
		if got.GetStudentNo() != no || got.GetAccountId() != wantAcc {
			t.Fatalf("row %d: got %s %s, want %s %s", i, got.GetStudentNo(), got.GetAccountId(), no, wantAcc)
		}
		p, err := e.dir.PupilByAccount(ctx, wantAcc)
		if err != nil {
			t.Fatalf("pupil %s: %v", wantAcc, err)
		}
		c, err := e.keyring.Open(got.GetCardQr(), time.Now())
		if err != nil {
			t.Fatalf("open QR of %s: %v", no, err)
		}
		if c.ID.School() != "35001" || c.ID.StudentNo() != no || c.ID.Random() != p.CardRandom || c.Expiry.Format("20060102") != expiry {
			t.Fatalf("QR of %s carries %s expiry %s, want random %s expiry %s", no, c.ID, c.Expiry.Format("20060102"), p.CardRandom, expiry)
		}
		randoms[no] = p.CardRandom
		st, err := e.accounts.State(ctx, wantAcc)
		if err != nil {
			t.Fatal(err)
		}
		l := st.GetLimits()
		if !st.GetOpened() || st.GetCardRandom() != p.CardRandom || l.GetSingleRechargeMaxFen() != 100000 ||
			l.GetBalanceCapFen() != 200000 || l.GetDailySpendCapFen() != 10000 || l.GetArrearsCapFen() != 3000 {
			t.Fatalf("account %s: %v, want opened with the school's limits and random %s", wantAcc, st, p.CardRandom)
		}
	}

	// The ID number is kept only as its keyed hash; no ID number gives a hash nothing matches.
	p1, _ := e.dir.PupilByAccount(ctx, "acc_35001_2024000001")
	if want, _ := idnumber.Hash(testIDHashKey, "350102201503120020"); !bytes.Equal(p1.IDNumberHash, want) {
		t.Fatalf("id hash of row 1 is not HMAC(key, number)")
	}
	p2, _ := e.dir.PupilByAccount(ctx, "acc_35001_2024000002")
	if want, _ := idnumber.Hash(testIDHashKey, "110101201501011233"); !bytes.Equal(p2.IDNumberHash, want) {
		t.Fatalf("id hash of row 2 is not HMAC(key, normalised number)")
	}
	p3, _ := e.dir.PupilByAccount(ctx, "acc_35001_2024000003")
	if len(p3.IDNumberHash) != directory.IDNumberHashLen || bytes.Equal(p3.IDNumberHash, p1.IDNumberHash) {
		t.Fatalf("row without id number: hash %x", p3.IDNumberHash)
	}

	// A subsidy credits once per request id.
	acc := "acc_35001_2024000001"
	sub := &apiv1.GrantSubsidyRequest{AccountId: acc, AmountFen: 5000, Reason: "meal subsidy", RequestId: "sub-1"}
	for i, wantReplayed := range []bool{false, true} {
		got, err := e.client.GrantSubsidy(authed(), sub)
		if err != nil {
			t.Fatalf("subsidy %d: %v", i, err)
		}
		if got.GetBalanceFen() != 5000 || got.GetReplayed() != wantReplayed {
			t.Fatalf("subsidy %d: balance %d replayed %v, want 5000 %v", i, got.GetBalanceFen(), got.GetReplayed(), wantReplayed)
		}
	}
	_, err = e.client.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: acc, AmountFen: 6000, Reason: "meal subsidy", RequestId: "sub-1"})
	wantCode(t, err, codes.AlreadyExists, "IDEMPOTENCY_CONFLICT")
	if _, err := e.client.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: acc, AmountFen: 1000, Reason: "top-up", RequestId: "sub-2"}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: "acc_35001_2099999999", AmountFen: 1000, Reason: "x", RequestId: "sub-3"})
	wantCode(t, err, codes.NotFound, "ACCOUNT_NOT_FOUND")

	got, err := e.client.GetAccount(authed(), &apiv1.GetAccountRequest{AccountId: acc})
	if err != nil {
		t.Fatal(err)
	}
	if got.GetBalanceFen() != 6000 || got.GetName() != "王梓涵" || got.GetStudentNo() != "2024000001" || got.GetSchoolId() != "35001" ||
		got.GetCardState() != "active" || got.GetCardGeneration() != 1 || got.GetDailySpendCapFen() != 10000 || got.GetArrearsCapFen() != 3000 {
		t.Fatalf("GetAccount: %v", got)
	}

	// Running the same import again is safe: same accounts, same cards, money untouched.
	again, err := e.client.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", Pupils: goodRows, CardExpiry: expiry})
	if err != nil || len(again.GetPupils()) != len(goodRows) {
		t.Fatalf("re-import: %v %v", again, err)
	}
	for _, p := range again.GetPupils() {
		c, err := e.keyring.Open(p.GetCardQr(), time.Now())
		if err != nil || c.ID.Random() != randoms[p.GetStudentNo()] {
			t.Fatalf("re-import card of %s: %v random %s, want %s", p.GetStudentNo(), err, c.ID.Random(), randoms[p.GetStudentNo()])
		}
	}
	if got, _ := e.client.GetAccount(authed(), &apiv1.GetAccountRequest{AccountId: acc}); got.GetBalanceFen() != 6000 {
		t.Fatalf("balance after re-import %d, want 6000", got.GetBalanceFen())
	}
}

func TestImportRejectsBadRowsAndImportsNothing(t *testing.T) {
	e := newAdminEnv(t)
	e.seedSchool(t)
	rows := []*apiv1.PupilRow{
		{StudentNo: "2024000001", Name: "王梓涵", ClassId: "3-1"},
		{StudentNo: "202400002", Name: "李浩然", ClassId: "3-1"},                                  // 9 digits
		{StudentNo: "2024000001", Name: "张一鸣", ClassId: "3-1"},                                 // duplicate of row 1
		{StudentNo: "2024000004", Name: "刘思琪", ClassId: "9-9"},                                 // unknown class
		{StudentNo: "2024000005", Name: "  ", ClassId: "3-2"},                                  // empty name
		{StudentNo: "2024000006", Name: "赵子轩", ClassId: "3-2", IdNumber: "350102201503120021"}, // wrong check character
	}
	resp, err := e.client.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", Pupils: rows, CardExpiry: nextYear()})
	if err != nil {
		t.Fatalf("ImportPupils: %v", err)
	}
	type rowReason struct {
		row    int32
		reason string
	}
	var got []rowReason
	for _, re := range resp.GetErrors() {
		got = append(got, rowReason{re.GetRow(), re.GetReason()})
		if strings.Contains(re.GetMessage(), "350102201503120021") {
			t.Fatalf("a row error quotes the ID number: %q", re.GetMessage())
		}
	}
	want := []rowReason{{2, "INVALID_STUDENT_NO"}, {3, "DUPLICATE_STUDENT_NO"}, {4, "UNKNOWN_CLASS"}, {5, "INVALID_NAME"}, {6, "INVALID_ID_NUMBER"}}
	if fmt.Sprint(got) != fmt.Sprint(want) || len(resp.GetPupils()) != 0 {
		t.Fatalf("row errors %v (pupils %d), want %v and no pupils", got, len(resp.GetPupils()), want)
	}
	if _, err := e.dir.PupilByAccount(context.Background(), "acc_35001_2024000001"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("the good row was imported: %v", err)
	}
}

func TestAdminRejectsInvalidRequests(t *testing.T) {
	e := newAdminEnv(t)
	e.seedSchool(t)
	if _, err := e.client.PutCanteen(authed(), &apiv1.PutCanteenRequest{Canteen: &apiv1.Canteen{SchoolId: "35001", Id: "C1", Name: "一食堂"}}); err != nil {
		t.Fatal(err)
	}
	tooMany := make([]*apiv1.PupilRow, gateway.MaxImportRows+1)
	for i := range tooMany {
		tooMany[i] = &apiv1.PupilRow{StudentNo: fmt.Sprintf("20250%05d", i), Name: "学生", ClassId: "3-1"}
	}
	today := time.Now().In(card.Zone()).Format("20060102")
	row := []*apiv1.PupilRow{{StudentNo: "2025000001", Name: "学生", ClassId: "3-1"}}
	school := func(f func(s *apiv1.School)) *apiv1.PutSchoolRequest {
		s := proto.Clone(demoSchool).(*apiv1.School)
		s.Id = "35002"
		f(s)
		return &apiv1.PutSchoolRequest{School: s}
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"school missing", func() error { _, err := e.client.PutSchool(authed(), &apiv1.PutSchoolRequest{}); return err }},
		{"school id 4 digits", func() error {
			_, err := e.client.PutSchool(authed(), school(func(s *apiv1.School) { s.Id = "3500" }))
			return err
		}},
		{"school zero cap", func() error {
			_, err := e.client.PutSchool(authed(), school(func(s *apiv1.School) { s.BalanceCapFen = 0 }))
			return err
		}},
		{"school recharge above cap", func() error {
			_, err := e.client.PutSchool(authed(), school(func(s *apiv1.School) { s.SingleRechargeMaxFen = s.BalanceCapFen + 1 }))
			return err
		}},
		{"school huge cap", func() error {
			_, err := e.client.PutSchool(authed(), school(func(s *apiv1.School) { s.BalanceCapFen = gateway.MaxLimitFen + 1 }))
			return err
		}},
		{"class grade 0", func() error {
			_, err := e.client.PutClass(authed(), &apiv1.PutClassRequest{Class: &apiv1.Class{SchoolId: "35001", Id: "0-1", Name: "x", Grade: 0}})
			return err
		}},
		{"class id with slash", func() error {
			_, err := e.client.PutClass(authed(), &apiv1.PutClassRequest{Class: &apiv1.Class{SchoolId: "35001", Id: "3/1", Name: "x", Grade: 3}})
			return err
		}},
		{"import too many rows", func() error {
			_, err := e.client.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", Pupils: tooMany, CardExpiry: nextYear()})
			return err
		}},
		{"import no rows", func() error {
			_, err := e.client.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear()})
			return err
		}},
		{"import expiry today", func() error {
			_, err := e.client.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", Pupils: row, CardExpiry: today})
			return err
		}},
		{"import expiry not a day", func() error {
			_, err := e.client.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", Pupils: row, CardExpiry: "20990231"})
			return err
		}},
		{"import school id bad", func() error {
			_, err := e.client.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "x", Pupils: row, CardExpiry: nextYear()})
			return err
		}},
		{"dish price 0", func() error {
			_, err := e.client.PutDish(authed(), &apiv1.PutDishRequest{Dish: &apiv1.Dish{CanteenId: "C1", Barcode: "D1", Name: "饭", PriceFen: 0}})
			return err
		}},
		{"dish negative kcal", func() error {
			_, err := e.client.PutDish(authed(), &apiv1.PutDishRequest{Dish: &apiv1.Dish{CanteenId: "C1", Barcode: "D1", Name: "饭", PriceFen: 100, Kcal: -1}})
			return err
		}},
		{"terminal id empty", func() error {
			_, err := e.client.RegisterTerminal(authed(), &apiv1.RegisterTerminalRequest{CanteenId: "C1"})
			return err
		}},
		{"subsidy zero", func() error {
			_, err := e.client.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: "acc_35001_2025000001", AmountFen: 0, Reason: "x", RequestId: "r"})
			return err
		}},
		{"subsidy too large", func() error {
			_, err := e.client.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: "acc_35001_2025000001", AmountFen: gateway.MaxSubsidyFen + 1, Reason: "x", RequestId: "r"})
			return err
		}},
		{"subsidy no request id", func() error {
			_, err := e.client.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: "acc_35001_2025000001", AmountFen: 100, Reason: "x"})
			return err
		}},
		{"subsidy no reason", func() error {
			_, err := e.client.GrantSubsidy(authed(), &apiv1.GrantSubsidyRequest{AccountId: "acc_35001_2025000001", AmountFen: 100, RequestId: "r"})
			return err
		}},
		{"account id empty", func() error { _, err := e.client.GetAccount(authed(), &apiv1.GetAccountRequest{}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.call(), codes.InvalidArgument, "INVALID_ARGUMENT") })
	}
	ctx := context.Background()
	if _, err := e.dir.School(ctx, "35002"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("an invalid PutSchool wrote school 35002: %v", err)
	}
	if _, err := e.dir.PupilByAccount(ctx, "acc_35001_2025000001"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("an invalid import wrote a pupil: %v", err)
	}
	if v, err := e.dir.CatalogVersion(ctx, "C1"); err != nil || v != 0 {
		t.Fatalf("an invalid PutDish changed the catalog: version %d, %v", v, err)
	}
}

func TestRegisterTerminalAndDishes(t *testing.T) {
	e := newAdminEnv(t)
	e.seedSchool(t)
	ctx := context.Background()
	_, err := e.client.RegisterTerminal(authed(), &apiv1.RegisterTerminalRequest{TerminalId: "T1", CanteenId: "C1", Name: "窗口1"})
	wantCode(t, err, codes.NotFound, "CANTEEN_NOT_FOUND")
	if _, err := e.client.PutCanteen(authed(), &apiv1.PutCanteenRequest{Canteen: &apiv1.Canteen{SchoolId: "35001", Id: "C1", Name: "一食堂"}}); err != nil {
		t.Fatal(err)
	}
	reg, err := e.client.RegisterTerminal(authed(), &apiv1.RegisterTerminalRequest{TerminalId: "T1", CanteenId: "C1", Name: "窗口1", CanOverride: true})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := hex.DecodeString(reg.GetSecret())
	if err != nil || len(secret) != gateway.TerminalSecretLen || reg.GetSchoolId() != "35001" || reg.GetTerminalId() != "T1" {
		t.Fatalf("RegisterTerminal answered %v (%v)", reg, err)
	}
	term, err := e.dir.Terminal(ctx, "T1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(term.SecretHash, secret) || term.SchoolID != "35001" || term.CanteenID != "C1" || !term.CanOverride || term.Status != directory.TerminalActive {
		t.Fatalf("stored terminal %+v does not match", term)
	}
	_, err = e.client.RegisterTerminal(authed(), &apiv1.RegisterTerminalRequest{TerminalId: "T1", CanteenId: "C1", Name: "窗口1"})
	wantCode(t, err, codes.AlreadyExists, "TERMINAL_EXISTS")

	dish := &apiv1.Dish{CanteenId: "C1", Barcode: "D1001", Name: "米饭", PriceFen: 100, Kcal: 232, ProteinMg: 5200, CarbMg: 51000, Active: proto.Bool(true)}
	for i, want := range []int64{1, 1} { // the same dish again changes nothing
		got, err := e.client.PutDish(authed(), &apiv1.PutDishRequest{Dish: dish})
		if err != nil || got.GetCatalogVersion() != want || got.GetDish().GetPriceFen() != 100 {
			t.Fatalf("PutDish %d: %v %v, want version %d", i, got, err, want)
		}
	}
	dish.PriceFen, dish.Allergens = 150, []string{"gluten"}
	if got, err := e.client.PutDish(authed(), &apiv1.PutDishRequest{Dish: dish}); err != nil || got.GetCatalogVersion() != 2 {
		t.Fatalf("PutDish changed: %v %v, want version 2", got, err)
	}
	_, err = e.client.PutDish(authed(), &apiv1.PutDishRequest{Dish: &apiv1.Dish{CanteenId: "C9", Barcode: "D1", Name: "饭", PriceFen: 100}})
	wantCode(t, err, codes.NotFound, "CANTEEN_NOT_FOUND")
}

// restCall sends a JSON request to the REST gateway and decodes the JSON answer.
func restCall(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		t.Fatalf("%s %s: status %d, body is not JSON: %v", method, url, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func errorReason(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	r, _ := e["reason"].(string)
	return r
}

func TestAdminREST(t *testing.T) {
	e := newAdminEnv(t)
	school := map[string]any{
		"name": "测试小学", "singleRechargeMaxFen": "100000", "balanceCapFen": "200000",
		"dailySpendCapFen": "10000", "arrearsCapFen": "3000", "voidWindowSeconds": 600,
	}
	url := e.httpBase + "/v1/admin/schools/35001"
	for _, tok := range []string{"", "wrong-token"} {
		code, body := restCall(t, http.MethodPut, url, tok, school)
		if code != http.StatusUnauthorized || errorReason(body) != "UNAUTHENTICATED" {
			t.Fatalf("token %q: %d %v, want 401 UNAUTHENTICATED", tok, code, body)
		}
	}
	if _, err := e.dir.School(context.Background(), "35001"); !errors.Is(err, directory.ErrNotFound) {
		t.Fatalf("an unauthenticated PutSchool wrote: %v", err)
	}
	code, body := restCall(t, http.MethodPut, url, testToken, school)
	if sc, _ := body["school"].(map[string]any); code != http.StatusOK || sc["id"] != "35001" || fmt.Sprint(sc["balanceCapFen"]) != "200000" {
		t.Fatalf("PutSchool over REST: %d %v", code, body)
	}
	code, body = restCall(t, http.MethodPut, url+"/classes/3-1", testToken, map[string]any{"name": "三年级1班", "grade": 3})
	if c, _ := body["class"].(map[string]any); code != http.StatusOK || c["schoolId"] != "35001" || c["id"] != "3-1" {
		t.Fatalf("PutClass over REST: %d %v", code, body)
	}

	importURL := url + "/pupils:import"
	bad := map[string]any{"cardExpiry": nextYear(), "pupils": []map[string]any{
		{"studentNo": "2024000001", "name": "王梓涵", "classId": "3-1", "idNumber": "350102201503120020"},
		{"studentNo": "20240000x2", "name": "李浩然", "classId": "3-1"},
	}}
	code, body = restCall(t, http.MethodPost, importURL, testToken, bad)
	errs, _ := body["errors"].([]any)
	if code != http.StatusOK || len(errs) != 1 || len(body["pupils"].([]any)) != 0 {
		t.Fatalf("import with a bad row: %d %v, want one row error and no pupils", code, body)
	}
	if re := errs[0].(map[string]any); re["row"] != float64(2) || re["reason"] != "INVALID_STUDENT_NO" {
		t.Fatalf("row error %v", re)
	}
	accURL := e.httpBase + "/v1/admin/accounts/acc_35001_2024000001"
	if code, body := restCall(t, http.MethodGet, accURL, testToken, nil); code != http.StatusNotFound || errorReason(body) != "ACCOUNT_NOT_FOUND" {
		t.Fatalf("after a rejected import: %d %v, want 404 ACCOUNT_NOT_FOUND", code, body)
	}
	bad["cardExpiry"] = "2020-01-01"
	if code, body := restCall(t, http.MethodPost, importURL, testToken, bad); code != http.StatusBadRequest || errorReason(body) != "INVALID_ARGUMENT" {
		t.Fatalf("import with a bad expiry: %d %v, want 400 INVALID_ARGUMENT", code, body)
	}

	good := map[string]any{"cardExpiry": nextYear(), "pupils": []map[string]any{
		{"studentNo": "2024000001", "name": "王梓涵", "classId": "3-1", "idNumber": "350102201503120020"},
	}}
	code, body = restCall(t, http.MethodPost, importURL, testToken, good)
	if pupils, _ := body["pupils"].([]any); code != http.StatusOK || len(pupils) != 1 {
		t.Fatalf("import: %d %v", code, body)
	}
	code, body = restCall(t, http.MethodPost, accURL+":subsidy", testToken, map[string]any{"amountFen": "8800", "reason": "meal subsidy", "requestId": "rest-1"})
	if code != http.StatusOK || fmt.Sprint(body["balanceFen"]) != "8800" {
		t.Fatalf("subsidy over REST: %d %v", code, body)
	}
	code, body = restCall(t, http.MethodGet, accURL, testToken, nil)
	if code != http.StatusOK || body["name"] != "王梓涵" || fmt.Sprint(body["balanceFen"]) != "8800" || body["cardState"] != "active" {
		t.Fatalf("GetAccount over REST: %d %v", code, body)
	}
	if code, body := restCall(t, http.MethodGet, accURL, "", nil); code != http.StatusUnauthorized || errorReason(body) != "UNAUTHENTICATED" {
		t.Fatalf("GetAccount without token: %d %v", code, body)
	}
}

// TestDishWithoutActiveIsActive: a dish put over gRPC or REST without the active
// field is on sale; an explicit false withdraws it (issue 10, defect 7).
func TestDishWithoutActiveIsActive(t *testing.T) {
	e := newAdminEnv(t)
	e.seedSchool(t)
	ctx := context.Background()
	if _, err := e.client.PutCanteen(authed(), &apiv1.PutCanteenRequest{Canteen: &apiv1.Canteen{SchoolId: "35001", Id: "C1", Name: "一食堂"}}); err != nil {
		t.Fatal(err)
	}
	got, err := e.client.PutDish(authed(), &apiv1.PutDishRequest{Dish: &apiv1.Dish{CanteenId: "C1", Barcode: "D1", Name: "米饭", PriceFen: 100}})
	if err != nil || !got.GetDish().GetActive() {
		t.Fatalf("gRPC PutDish without active: %v %v, want an active dish", got, err)
	}
	url := e.httpBase + "/v1/admin/canteens/C1/dishes/"
	code, body := restCall(t, http.MethodPut, url+"D2", testToken, map[string]any{"name": "红烧肉", "priceFen": "1250"})
	if d, _ := body["dish"].(map[string]any); code != http.StatusOK || d["active"] != true {
		t.Fatalf("REST PutDish without active: %d %v, want an active dish", code, body)
	}
	code, body = restCall(t, http.MethodPut, url+"D3", testToken, map[string]any{"name": "停售菜", "priceFen": "900", "active": false})
	if d, _ := body["dish"].(map[string]any); code != http.StatusOK || d["active"] != false {
		t.Fatalf("REST PutDish active false: %d %v, want a withdrawn dish", code, body)
	}
	for barcode, want := range map[string]bool{"D1": true, "D2": true, "D3": false} {
		if d, err := e.dir.Dish(ctx, "C1", barcode); err != nil || d.Active != want {
			t.Errorf("stored dish %s: %+v %v, want active %v", barcode, d, err, want)
		}
	}
}
