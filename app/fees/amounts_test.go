package fees

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/internal/testfiles"
)

// TestImportAmountsAllOrNothing: a file with any bad row stores nothing and answers
// every bad row by its line; a good file replaces the amounts, and publishing bills
// exactly the listed pupils their amounts.
func TestImportAmountsAllOrNothing(t *testing.T) {
	svc, g, _ := newWorld(t, 3)
	ctx := context.Background()
	it := classItem(t, svc, 5000, false)
	bad := "学号,姓名,金额(元),备注\n" +
		"2024000000,王一,120.50,住校\n" + // line 2: fine
		"2024009999,无名,10,\n" + // 3: unknown
		"2024000000,王一,10,\n" + // 4: twice
		"2024000001,李二,12.345,\n" + // 5: three decimals
		"2024000002,张三,0,\n" + // 6: zero
		"2024000002,张三,1000000.01,\n" + // 7: twice and above the bound
		"12345,赵四,abc," + strings.Repeat("长", 101) + "\n" // 8: student no, amount, note
	res, err := svc.ImportAmounts(ctx, fin, it.ID, "csv", []byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range res.Errors {
		got = append(got, string(rune('0'+e.Row))+":"+string(e.Reason))
	}
	want := []string{"3:UNKNOWN_STUDENT_NO", "4:DUPLICATE_STUDENT_NO", "5:INVALID_AMOUNT", "6:INVALID_AMOUNT",
		"7:DUPLICATE_STUDENT_NO", "7:INVALID_AMOUNT", "8:INVALID_STUDENT_NO", "8:INVALID_AMOUNT", "8:INVALID_NOTE"}
	if !reflect.DeepEqual(got, want) || len(res.Amounts) != 0 {
		t.Fatalf("row errors %v (amounts %v), want %v", got, res.Amounts, want)
	}
	if _, amounts, err := svc.ListAmounts(ctx, fin, it.ID); err != nil || len(amounts) != 0 {
		t.Fatalf("a refused file stored %v, %v", amounts, err)
	}

	good := testfiles.XLSX(t, [][]any{
		{"学号", "姓名", "金额", "备注"},
		{"2024000000", "王一", "¥1,200.5", "住校"},
		{},
		{2024000002, "张三", 35, ""},
	})
	res, err = svc.ImportAmounts(ctx, fin, it.ID, "xlsx", good)
	if err != nil || len(res.Errors) != 0 || len(res.Amounts) != 2 || res.TotalFen != 120050+3500 {
		t.Fatalf("good file = %+v, %v", res, err)
	}
	_, amounts, err := svc.ListAmounts(ctx, fin, it.ID)
	wantAmounts := []Amount{{AccountID: "acc_0000", StudentNo: "2024000000", AmountFen: 120050, Note: "住校", Line: 2},
		{AccountID: "acc_0002", StudentNo: "2024000002", AmountFen: 3500, Line: 4}}
	if err != nil || !reflect.DeepEqual(amounts, wantAmounts) {
		t.Fatalf("stored %+v, %v, want %+v", amounts, err, wantAmounts)
	}
	if _, err := svc.ImportAmounts(ctx, Staff{ID: "fin_9", SchoolID: "35002"}, it.ID, "xlsx", good); reason.Of(err) != reason.FeeItemNotFound {
		t.Fatalf("another school's staff: %v", err)
	}
	pub, err := svc.Publish(ctx, fin, it.ID)
	if err != nil || pub.Bills != 2 {
		t.Fatalf("publish = %+v, %v; want 2 bills", pub, err)
	}
	for acc, due := range map[string]int64{"acc_0000": 120050, "acc_0002": 3500} {
		if b, ok := g.states[acc].Bill(it.ID); !ok || int64(b.Due) != due {
			t.Fatalf("%s billed %+v, want %d", acc, b, due)
		}
	}
	if _, ok := g.states["acc_0001"].Bill(it.ID); ok {
		t.Fatal("a pupil not in the file was billed")
	}
	if _, err := svc.ImportAmounts(ctx, fin, it.ID, "xlsx", good); reason.Of(err) != reason.FeeItemNotDraft {
		t.Fatalf("import after publish: %v", err)
	}
	if _, err := svc.Close(ctx, fin, it.ID); err != nil {
		t.Fatalf("close after an import: %v", err)
	}
}

func TestParseYuan(t *testing.T) {
	for in, want := range map[string]int64{"1": 100, "0.01": 1, "120.5": 12050, "1,200.00": 120000, "￥35元": 3500, "1000000": 100000000} {
		if got, err := parseYuan(in); err != nil || got != want {
			t.Errorf("parseYuan(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0.00", "1.", ".5", "1.234", "-1", "1e3", "1000000.01", "12a", "99999999999"} {
		if got, err := parseYuan(in); err == nil {
			t.Errorf("parseYuan(%q) = %d, want an error", in, got)
		}
	}
}

// TestImportAmountsOnce: the same file imported twice (a retry after a lost answer)
// and twice at once (a double click) is one change in the journal, the second
// answer says it was already applied; other content, and the first content again
// after it, are changes of their own; a bad file still answers its row errors.
func TestImportAmountsOnce(t *testing.T) {
	svc, _, _ := newWorld(t, 3)
	ctx := context.Background()
	it := classItem(t, svc, 5000, false)
	a := []byte("学号,金额\n2024000000,120.50\n2024000001,30\n")
	b := []byte("学号,金额\n2024000000,120.50\n2024000001,31\n")
	imports := func() []string {
		t.Helper()
		changes, _, err := svc.ListChanges(ctx, fin, it.ID, 0, MaxChangePage)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range changes {
			if c.Kind == "import_amounts" {
				out = append(out, c.Detail)
			}
		}
		return out
	}
	var wg sync.WaitGroup
	res := make([]AmountImport, 2)
	errs := make([]error, 2)
	for i := range res {
		wg.Add(1)
		go func() { defer wg.Done(); res[i], errs[i] = svc.ImportAmounts(ctx, fin, it.ID, "csv", a) }()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || res[0].AlreadyApplied == res[1].AlreadyApplied {
		t.Fatalf("double click = %+v %v, %+v %v; want one applied, one already applied", res[0], errs[0], res[1], errs[1])
	}
	again, err := svc.ImportAmounts(ctx, fin, it.ID, "csv", a)
	if err != nil || !again.AlreadyApplied || len(again.Amounts) != 2 || again.TotalFen != 15050 {
		t.Fatalf("retry = %+v, %v; want the same amounts, already applied", again, err)
	}
	if got := imports(); len(got) != 1 {
		t.Fatalf("journal after the same import 3 times: %v, want one change", got)
	}
	for _, f := range [][]byte{b, a} {
		if r, err := svc.ImportAmounts(ctx, fin, it.ID, "csv", f); err != nil || r.AlreadyApplied {
			t.Fatalf("import = %+v, %v; want applied", r, err)
		}
	}
	if got, want := imports(), []string{"2 pupils, 150.50", "2 pupils, 151.50", "2 pupils, 150.50"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("journal %v, want %v", got, want)
	}
	bad := []byte("学号,金额\n2024000000,0\n")
	for range 2 {
		if r, err := svc.ImportAmounts(ctx, fin, it.ID, "csv", bad); err != nil || len(r.Errors) != 1 || r.AlreadyApplied {
			t.Fatalf("bad file = %+v, %v; want its row error", r, err)
		}
	}
	if _, amounts, _ := svc.ListAmounts(ctx, fin, it.ID); len(amounts) != 2 || amounts[1].AmountFen != 3000 {
		t.Fatalf("amounts after bad files: %+v", amounts)
	}
}
