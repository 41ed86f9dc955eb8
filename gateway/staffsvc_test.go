package gateway_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/internal/testfiles"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	"github.com/onecode/onecode/terminalclient"
)

func TestImportPupilsFileRowErrorsByLineThenImport(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1")
	finance := bearer(e.staffToken(t, "35001", "st_fin", directory.RoleFinance, ""))
	imp := func(format string, content []byte) (*apiv1.ImportPupilsFileResponse, error) {
		return e.staff.ImportPupilsFile(finance, &apiv1.ImportPupilsFileRequest{Format: format, Content: content, CardExpiry: nextYear()})
	}
	// A GBK CSV as Excel saves it on Chinese Windows, with three bad rows.
	bad := testfiles.GBK(t, "学号,姓名,班级,身份证号\r\n2024000101,王小明,3-1,110105201503070021\r\n2024000101,重复,3-1,\r\n2024000103,李华,9-9,\r\n\r\n2024000104,张伟,3-1,4.40106E+17\r\n")
	r, err := imp("csv", bad)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, re := range r.GetErrors() {
		got = append(got, fmt.Sprintf("%d %s", re.GetRow(), re.GetReason()))
	}
	want := "3 DUPLICATE_STUDENT_NO|4 UNKNOWN_CLASS|6 INVALID_ID_NUMBER"
	if strings.Join(got, "|") != want || r.GetImported() != 0 {
		t.Fatalf("row errors %q, want %q (imported %d)", got, want, r.GetImported())
	}
	if !strings.Contains(r.GetErrors()[2].GetMessage(), "format the column as text") {
		t.Fatalf("no hint for a number-mangled ID number: %q", r.GetErrors()[2].GetMessage())
	}
	if _, err := e.dir.PupilByAccount(context.Background(), "acc_35001_2024000101"); err == nil {
		t.Fatal("a rejected file imported a pupil")
	}
	// File-level problems are InvalidArgument INVALID_FILE.
	_, err = imp("csv", []byte("姓名\n王小明\n"))
	wantCode(t, err, codes.InvalidArgument, "INVALID_FILE")
	_, err = e.staff.ImportPupilsFile(finance, &apiv1.ImportPupilsFileRequest{Format: "csv", Content: []byte("学号,姓名,班级\n2024000101,王小明,3-1\n"), CardExpiry: "2020"})
	wantCode(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")

	good := append([]byte{0xEF, 0xBB, 0xBF}, "学号,姓名,班级\n2024000101,王小明,3-1\n2024000102,李华,3-1\n"...)
	r, err = imp("csv", good)
	if err != nil || r.GetImported() != 2 {
		t.Fatalf("import: %v %v", r, err)
	}
	// Again: nothing changes, the cards stay.
	st1, _ := e.accounts.State(context.Background(), "acc_35001_2024000101")
	if r, err = imp("csv", good); err != nil || r.GetImported() != 2 {
		t.Fatalf("re-import: %v %v", r, err)
	}
	st2, _ := e.accounts.State(context.Background(), "acc_35001_2024000101")
	if st1.GetSeq() != st2.GetSeq() || st1.GetCardRandom() != st2.GetCardRandom() {
		t.Fatalf("re-import changed the account: %v → %v", st1, st2)
	}
}

func TestStaffPupilsReissueAndSheet(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1", "3-2")
	resp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: "35001", CardExpiry: nextYear(), Pupils: []*apiv1.PupilRow{
		{StudentNo: "2024000101", Name: "王小明", ClassId: "3-1"}, {StudentNo: "2024000102", Name: "Li Hua", ClassId: "3-1"},
		{StudentNo: "2024000103", Name: "张伟", ClassId: "3-1"}, {StudentNo: "2024000201", Name: "赵六", ClassId: "3-2"},
	}})
	if err != nil || len(resp.GetErrors()) > 0 {
		t.Fatal(resp, err)
	}
	teacher := bearer(e.staffToken(t, "35001", "st_t31", directory.RoleTeacher, "3-1"))
	admin := bearer(e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, ""))

	// Pages of the teacher's class, full names, balances.
	p1, err := e.staff.ListPupils(teacher, &apiv1.ListPupilsRequest{PageSize: 2})
	if err != nil || len(p1.GetPupils()) != 2 || p1.GetPupils()[0].GetName() != "王小明" || p1.GetNextPageToken() != "2024000102" || p1.GetPupils()[0].GetCardState() != "active" {
		t.Fatalf("page 1: %v %v", p1, err)
	}
	p2, err := e.staff.ListPupils(teacher, &apiv1.ListPupilsRequest{PageSize: 2, PageToken: p1.GetNextPageToken()})
	if err != nil || len(p2.GetPupils()) != 1 || p2.GetNextPageToken() != "" {
		t.Fatalf("page 2: %v %v", p2, err)
	}
	// Without a class, an admin lists the whole school (issue 10, defect 7).
	all, err := e.staff.ListPupils(admin, &apiv1.ListPupilsRequest{})
	if err != nil || len(all.GetPupils()) != 4 || all.GetPupils()[3].GetClassId() != "3-2" || all.GetNextPageToken() != "" {
		t.Fatalf("the school's pupils: %v %v", all, err)
	}
	_, err = e.staff.ListPupils(admin, &apiv1.ListPupilsRequest{ClassId: "3-1", PageSize: 1000})
	wantCode(t, err, codes.InvalidArgument, "INVALID_PAGE_SIZE")
	_, err = e.staff.ListPupils(admin, &apiv1.ListPupilsRequest{ClassId: "3-1", PageToken: "x"})
	wantCode(t, err, codes.InvalidArgument, "INVALID_PAGE_TOKEN")

	// Loss, then re-issue: a new random, the old QR dead, idempotent by request id.
	const acc = "acc_35001_2024000101"
	oldQR := e.cardQR(t, acc)
	before, _ := e.accounts.State(context.Background(), acc)
	if _, err := e.staff.ReportPupilLoss(teacher, &apiv1.ReportPupilLossRequest{AccountId: acc, RequestId: "l1"}); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().In(card.Zone()).AddDate(2, 0, 0).Format("20060102")
	r1, err := e.staff.ReissueCard(teacher, &apiv1.ReissueCardRequest{AccountId: acc, RequestId: "re-1", CardExpiry: exp})
	if err != nil {
		t.Fatal(err)
	}
	opened, err := e.keyring.Open(r1.GetCardQr(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	after, _ := e.accounts.State(context.Background(), acc)
	if opened.ID.Random() == before.GetCardRandom() || opened.ID.Random() != after.GetCardRandom() || after.GetCardState() != "active" ||
		r1.GetCardGeneration() != int64(after.GetCardGeneration()) || after.GetCardExpiry() != exp {
		t.Fatalf("re-issued card %s, account before %v after %v", opened.ID, before, after)
	}
	p, _ := e.dir.PupilByAccount(context.Background(), acc)
	if p.CardRandom != after.GetCardRandom() || fmt.Sprint(p.CardExpiry) != exp {
		t.Fatalf("directory card %s/%d, account %s/%s", p.CardRandom, p.CardExpiry, after.GetCardRandom(), exp)
	}
	r2, err := e.staff.ReissueCard(teacher, &apiv1.ReissueCardRequest{AccountId: acc, RequestId: "re-1", CardExpiry: exp})
	if err != nil || r2.GetCardGeneration() != r1.GetCardGeneration() {
		t.Fatalf("same request again: %v %v", r2, err)
	}
	if again, _ := e.accounts.State(context.Background(), acc); again.GetSeq() != after.GetSeq() {
		t.Fatal("a repeated re-issue appended an event")
	}
	_, err = e.staff.ReissueCard(teacher, &apiv1.ReissueCardRequest{AccountId: acc, RequestId: "re-1", CardExpiry: nextYear()})
	wantCode(t, err, codes.AlreadyExists, "IDEMPOTENCY_CONFLICT")
	r3, err := e.staff.ReissueCard(admin, &apiv1.ReissueCardRequest{AccountId: acc, RequestId: "re-2", CardExpiry: exp})
	if err != nil || r3.GetCardGeneration() <= r1.GetCardGeneration() {
		t.Fatalf("second re-issue: %v %v", r3, err)
	}
	_, err = e.staff.ReissueCard(teacher, &apiv1.ReissueCardRequest{AccountId: acc, RequestId: "re-1", CardExpiry: exp})
	wantCode(t, err, codes.FailedPrecondition, "REISSUE_SUPERSEDED")
	if oldQR == r1.GetCardQr() {
		t.Fatal("the QR did not change")
	}

	// The class sheet: a PDF of the class's active cards (non-ASCII names left off
	// without a CJK font); the history shows loss and re-issues.
	sheet, err := e.staff.GetClassSheet(teacher, &apiv1.GetClassSheetRequest{ClassId: "3-1"})
	if err != nil || !strings.HasPrefix(string(sheet.GetData()), "%PDF-") || sheet.GetContentType() != "application/pdf" {
		t.Fatalf("sheet: %v", err)
	}
	h, err := e.staff.ListPupilHistory(admin, &apiv1.ListPupilHistoryRequest{AccountId: acc})
	if err != nil || len(h.GetLines()) != 3 || h.GetLines()[0].GetKind() != "reissue" || h.GetLines()[2].GetKind() != "loss_report" {
		t.Fatalf("history %v %v", h, err)
	}
}

func TestCanteenTotalsRange(t *testing.T) {
	e := newSwitchEnv(t)
	e.school(t, "35001", "C1", "T1", "3-1")
	manager := bearer(e.staffToken(t, "35001", "st_cm", directory.RoleCanteenManager, ""))
	totals := func(from, to string) error {
		_, err := e.staff.GetCanteenTotals(manager, &apiv1.GetCanteenTotalsRequest{CanteenId: "C1", FromDay: from, ToDay: to})
		return err
	}
	if err := totals("20250101", "20260204"); err != nil { // 400 days
		t.Fatal(err)
	}
	for _, tc := range [][2]string{{"20250101", "20260205"}, {"20250102", "20250101"}, {"2025-01-01", "20250102"}, {"20250230", "20250301"}, {"", ""}, {"19991231", "20000101"}} {
		wantCode(t, totals(tc[0], tc[1]), codes.InvalidArgument, "INVALID_ARGUMENT")
	}
}

// TestStaffCanteenTerminalLifecycle: a canteen manager opens a canteen,
// registers a terminal (its secret answered once), the terminal authenticates
// with it; disabled it cannot open a session (one already open is not cut),
// enabled again it can.
func TestStaffCanteenTerminalLifecycle(t *testing.T) {
	e := newSwitchEnv(t)
	ctx := context.Background()
	e.school(t, "35001", "C1", "T1", "3-1")
	e.school(t, "35002", "C2", "T2", "2A")
	manager := bearer(e.staffToken(t, "35001", "st_cm", directory.RoleCanteenManager, ""))
	finance := bearer(e.staffToken(t, "35001", "st_fin", directory.RoleFinance, ""))

	// Canteens: created in the caller's school, renamed; another school's id
	// is NotFound and stays as it was.
	c, err := e.staff.PutStaffCanteen(manager, &apiv1.PutStaffCanteenRequest{CanteenId: "C3", Name: " 二食堂 "})
	if err != nil || c.GetCanteen().GetSchoolId() != "35001" || c.GetCanteen().GetName() != "二食堂" {
		t.Fatalf("PutStaffCanteen: %v %v", c, err)
	}
	if _, err := e.staff.PutStaffCanteen(manager, &apiv1.PutStaffCanteenRequest{CanteenId: "C3", Name: "二食堂(新)"}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.dir.Canteen(ctx, "C3"); err != nil || got.SchoolID != "35001" || got.Name != "二食堂(新)" {
		t.Fatalf("canteen C3 stored as %+v (%v)", got, err)
	}
	_, err = e.staff.PutStaffCanteen(manager, &apiv1.PutStaffCanteenRequest{CanteenId: "C2", Name: "mine"})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	if got, _ := e.dir.Canteen(ctx, "C2"); got.SchoolID != "35002" || got.Name != "第一食堂C2" {
		t.Fatalf("school 2's canteen changed: %+v", got)
	}
	for _, req := range []*apiv1.PutStaffCanteenRequest{{CanteenId: "C4", Name: " "}, {CanteenId: "C/4", Name: "x"}, {CanteenId: "C4", Name: strings.Repeat("食", directory.MaxNameLen+1)}} {
		_, err = e.staff.PutStaffCanteen(manager, req)
		wantCode(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
	}
	_, err = e.staff.PutStaffCanteen(finance, &apiv1.PutStaffCanteenRequest{CanteenId: "C4", Name: "x"})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")

	// A terminal of the new canteen: the secret once, stored raw.
	reg, err := e.staff.RegisterCanteenTerminal(manager, &apiv1.RegisterCanteenTerminalRequest{CanteenId: "C3", TerminalId: "T3", Name: "2号窗口", CanOverride: true})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := hex.DecodeString(reg.GetSecret())
	if err != nil || len(secret) != gateway.TerminalSecretLen || reg.GetTerminalId() != "T3" {
		t.Fatalf("RegisterCanteenTerminal answered %v (%v)", reg, err)
	}
	term, err := e.dir.Terminal(ctx, "T3")
	if err != nil || !bytes.Equal(term.SecretHash, secret) || term.SchoolID != "35001" || term.CanteenID != "C3" ||
		!term.CanOverride || term.Status != directory.TerminalActive || term.Name != "2号窗口" {
		t.Fatalf("stored terminal %+v (%v)", term, err)
	}
	// Registering an id again, ours or another school's, shows no secret and
	// changes nothing.
	for _, id := range []string{"T3", "T2"} {
		before, _ := e.dir.Terminal(ctx, id)
		r, err := e.staff.RegisterCanteenTerminal(manager, &apiv1.RegisterCanteenTerminalRequest{CanteenId: "C3", TerminalId: id})
		wantCode(t, err, codes.AlreadyExists, "TERMINAL_EXISTS")
		if r.GetSecret() != "" {
			t.Fatalf("re-registering %s answered a secret", id)
		}
		if after, _ := e.dir.Terminal(ctx, id); !bytes.Equal(after.SecretHash, before.SecretHash) || after.SchoolID != before.SchoolID || after.CanteenID != before.CanteenID {
			t.Fatalf("re-registering %s changed it: %+v → %+v", id, before, after)
		}
	}
	_, err = e.staff.RegisterCanteenTerminal(manager, &apiv1.RegisterCanteenTerminalRequest{CanteenId: "C3", TerminalId: ""})
	wantCode(t, err, codes.InvalidArgument, "INVALID_ARGUMENT")
	_, err = e.staff.RegisterCanteenTerminal(finance, &apiv1.RegisterCanteenTerminalRequest{CanteenId: "C3", TerminalId: "T4"})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")

	// The terminal authenticates with the secret it was given.
	dial := func() (*terminalclient.Session, error) {
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return terminalclient.Dial(dctx, e.grpcAddr, "T3", secret)
	}
	open, err := dial()
	if err != nil {
		t.Fatalf("the registered terminal cannot authenticate: %v", err)
	}
	defer open.Close()
	if w := open.Welcome(); w.GetSchoolId() != "35001" || w.GetCanteenId() != "C3" || w.GetCanteenName() != "二食堂(新)" {
		t.Fatalf("welcome %v", w)
	}

	// Disabled (twice: the second changes nothing): no new session.
	for range 2 {
		r, err := e.staff.SetTerminalEnabled(manager, &apiv1.SetTerminalEnabledRequest{TerminalId: "T3", Enabled: false})
		if err != nil || r.GetEnabled() || r.GetTerminalId() != "T3" {
			t.Fatalf("disable: %v %v", r, err)
		}
	}
	if term, _ := e.dir.Terminal(ctx, "T3"); term.Status != directory.TerminalDisabled {
		t.Fatalf("terminal status %s after disabling", term.Status)
	}
	if s, err := dial(); status.Code(err) != codes.Unauthenticated {
		if s != nil {
			s.Close()
		}
		t.Fatalf("a disabled terminal dialled: %v, want Unauthenticated", err)
	}
	// The session opened before disabling is cut within seconds (the session
	// re-reads its terminal's status): polled with a deadline.
	deadline := time.Now().Add(15 * time.Second)
	for {
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := open.Heartbeat(hctx, time.Now().UnixMilli())
		cancel()
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the session open before disabling was not cut")
		}
		time.Sleep(100 * time.Millisecond) // polling with a deadline
	}
	_, err = e.staff.SetTerminalEnabled(finance, &apiv1.SetTerminalEnabledRequest{TerminalId: "T3", Enabled: true})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")
	_, err = e.staff.SetTerminalEnabled(manager, &apiv1.SetTerminalEnabledRequest{TerminalId: "T2", Enabled: false})
	wantCode(t, err, codes.NotFound, "NOT_FOUND")
	if term, _ := e.dir.Terminal(ctx, "T2"); term.Status != directory.TerminalActive {
		t.Fatalf("school 2's terminal is %s", term.Status)
	}

	// Enabled again: it connects.
	if r, err := e.staff.SetTerminalEnabled(manager, &apiv1.SetTerminalEnabledRequest{TerminalId: "T3", Enabled: true}); err != nil || !r.GetEnabled() {
		t.Fatalf("enable: %v %v", r, err)
	}
	again, err := dial()
	if err != nil {
		t.Fatalf("the re-enabled terminal cannot authenticate: %v", err)
	}
	again.Close()
}

// TestStaffCanteenDishes: dish validation (nothing written on a refusal), the
// catalog version, pages by barcode, and the REST shape of the route.
func TestStaffCanteenDishes(t *testing.T) {
	e := newSwitchEnv(t)
	ctx := context.Background()
	e.school(t, "35001", "C1", "T1", "3-1") // dishes D1001, D1002: catalog version 2
	adminToken := e.staffToken(t, "35001", "st_admin", directory.RoleSchoolAdmin, "")
	admin := bearer(adminToken)
	teacher := bearer(e.staffToken(t, "35001", "st_t", directory.RoleTeacher, "3-1"))
	put := func(ctx context.Context, barcode string, d *apiv1.Dish) (*apiv1.PutCanteenDishResponse, error) {
		return e.staff.PutCanteenDish(ctx, &apiv1.PutCanteenDishRequest{CanteenId: "C1", Barcode: barcode, Dish: d})
	}
	dish := func(mod func(d *apiv1.Dish)) *apiv1.Dish {
		d := &apiv1.Dish{Name: "番茄炒蛋", PriceFen: 800, Kcal: 180, ProteinMg: 9000, FatMg: 12000, CarbMg: 6000, Allergens: []string{"egg"}, Active: proto.Bool(true)}
		if mod != nil {
			mod(d)
		}
		return d
	}
	many := make([]string, directory.MaxAllergens+1)
	for i := range many {
		many[i] = fmt.Sprintf("a%d", i)
	}
	for _, tc := range []struct {
		name    string
		barcode string
		dish    *apiv1.Dish
	}{
		{"no dish", "D2001", nil},
		{"price 0", "D2001", dish(func(d *apiv1.Dish) { d.PriceFen = 0 })},
		{"price negative", "D2001", dish(func(d *apiv1.Dish) { d.PriceFen = -100 })},
		{"price too high", "D2001", dish(func(d *apiv1.Dish) { d.PriceFen = gateway.MaxLimitFen + 1 })},
		{"barcode too long", strings.Repeat("9", directory.MaxBarcodeLen+1), dish(nil)},
		{"barcode not ASCII", "菜2001", dish(nil)},
		{"barcode control character", "D2001\n", dish(nil)},
		{"barcode empty", "", dish(nil)},
		{"name empty", "D2001", dish(func(d *apiv1.Dish) { d.Name = "  " })},
		{"kcal negative", "D2001", dish(func(d *apiv1.Dish) { d.Kcal = -1 })},
		{"protein negative", "D2001", dish(func(d *apiv1.Dish) { d.ProteinMg = -1 })},
		{"fat negative", "D2001", dish(func(d *apiv1.Dish) { d.FatMg = -1 })},
		{"carbs negative", "D2001", dish(func(d *apiv1.Dish) { d.CarbMg = -1 })},
		{"too many allergens", "D2001", dish(func(d *apiv1.Dish) { d.Allergens = many })},
		{"allergen too long", "D2001", dish(func(d *apiv1.Dish) { d.Allergens = []string{strings.Repeat("x", directory.MaxAllergenLen+1)} })},
		{"allergen empty", "D2001", dish(func(d *apiv1.Dish) { d.Allergens = []string{" "} })},
		{"body names another canteen", "D2001", dish(func(d *apiv1.Dish) { d.CanteenId = "C2" })},
		{"body names another barcode", "D2001", dish(func(d *apiv1.Dish) { d.Barcode = "D1001" })},
	} {
		_, err := put(admin, tc.barcode, tc.dish)
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", tc.name, err)
		}
	}
	if v, err := e.dir.CatalogVersion(ctx, "C1"); err != nil || v != 2 {
		t.Fatalf("refused puts changed the catalog: version %d (%v)", v, err)
	}
	_, err := put(teacher, "D2001", dish(nil))
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")

	// New, same again (version stays), changed (version moves); the body may
	// repeat the path's canteen and barcode.
	for i, want := range []int64{3, 3} {
		r, err := put(admin, "D2001", dish(nil))
		if err != nil || r.GetCatalogVersion() != want || r.GetDish().GetCanteenId() != "C1" || r.GetDish().GetBarcode() != "D2001" || r.GetDish().GetPriceFen() != 800 {
			t.Fatalf("put %d: %v %v, want version %d", i, r, err, want)
		}
	}
	r, err := put(admin, "D2001", dish(func(d *apiv1.Dish) {
		d.CanteenId, d.Barcode, d.PriceFen, d.Active = "C1", "D2001", 900, proto.Bool(false)
	}))
	if err != nil || r.GetCatalogVersion() != 4 || r.GetDish().GetActive() {
		t.Fatalf("changed put: %v %v, want version 4", r, err)
	}
	if d, err := e.dir.Dish(ctx, "C1", "D2001"); err != nil || d.PriceFen != 900 || d.Active || len(d.Allergens) != 1 {
		t.Fatalf("stored dish %+v (%v)", d, err)
	}
	for _, b := range []string{"D2002", "D2003"} {
		if _, err := put(admin, b, dish(nil)); err != nil {
			t.Fatal(err)
		}
	}

	// Pages by barcode: D1001 D1002 D2001 D2002 D2003 (inactive dishes listed).
	var got []string
	token := ""
	for page := 0; ; page++ {
		l, err := e.staff.ListCanteenDishes(admin, &apiv1.ListCanteenDishesRequest{CanteenId: "C1", PageSize: 2, PageToken: token})
		if err != nil || len(l.GetDishes()) > 2 || page > 3 {
			t.Fatalf("page %d: %v %v", page, l, err)
		}
		for _, d := range l.GetDishes() {
			got = append(got, fmt.Sprintf("%s/%d/%t", d.GetBarcode(), d.GetPriceFen(), d.GetActive()))
		}
		if token = l.GetNextPageToken(); token == "" {
			break
		}
	}
	if want := "D1001/1200/true D1002/100/true D2001/900/false D2002/800/true D2003/800/true"; strings.Join(got, " ") != want {
		t.Fatalf("dishes %q, want %q", strings.Join(got, " "), want)
	}
	if l, err := e.staff.ListCanteenDishes(admin, &apiv1.ListCanteenDishesRequest{CanteenId: "C1"}); err != nil || len(l.GetDishes()) != 5 || l.GetNextPageToken() != "" {
		t.Fatalf("default page: %v %v", l, err)
	}
	for _, size := range []int32{-1, gateway.MaxDishPage + 1} {
		_, err := e.staff.ListCanteenDishes(admin, &apiv1.ListCanteenDishesRequest{CanteenId: "C1", PageSize: size})
		wantCode(t, err, codes.InvalidArgument, "INVALID_PAGE_SIZE")
	}
	for _, tok := range []string{"菜", strings.Repeat("x", directory.MaxBarcodeLen+1), "a\tb"} {
		_, err := e.staff.ListCanteenDishes(admin, &apiv1.ListCanteenDishesRequest{CanteenId: "C1", PageToken: tok})
		wantCode(t, err, codes.InvalidArgument, "INVALID_PAGE_TOKEN")
	}
	_, err = e.staff.ListCanteenDishes(teacher, &apiv1.ListCanteenDishesRequest{CanteenId: "C1"})
	wantCode(t, err, codes.PermissionDenied, "ROLE_NOT_ALLOWED")

	// REST: the path carries canteen and barcode, the body the dish; a refusal
	// is the JSON error body.
	code, body := restCall(t, http.MethodPut, e.httpBase+"/v1/staff/canteens/C1/dishes/D3001", adminToken, map[string]any{
		"dish": map[string]any{"name": "米饭", "priceFen": "150", "kcal": 230, "allergens": []string{}, "active": true}})
	if code != http.StatusOK || body["catalogVersion"] != "7" {
		t.Fatalf("REST put: %d %v", code, body)
	}
	code, body = restCall(t, http.MethodPut, e.httpBase+"/v1/staff/canteens/C1/dishes/D3001", adminToken, map[string]any{
		"dish": map[string]any{"name": "米饭", "priceFen": "0"}})
	want := map[string]any{"code": float64(400), "status": "InvalidArgument", "reason": "INVALID_ARGUMENT", "message": "dish D3001: price 0 fen, want > 0"}
	if got := body["error"]; code != http.StatusBadRequest || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("REST refusal: %d %v, want 400 %v", code, body, want)
	}
}
