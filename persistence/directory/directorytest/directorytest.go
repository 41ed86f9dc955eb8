package directorytest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/directory"
)

// Run runs the suite; open returns a new, empty Store for each subtest
// (closed by the suite).
func Run(t *testing.T, open func(t *testing.T) directory.Store) {
	tests := []struct {
		name string
		f    func(t *testing.T, s directory.Store)
	}{
		{"School", testSchool},
		{"Class", testClass},
		{"PupilImportAndLookup", testPupils},
		{"ImportAllOrNothing", testImportAllOrNothing},
		{"ImportKeepsKeys", testImportKeepsKeys},
		{"ListPupilsPages", testListPupils},
		{"PupilsByAccounts", testPupilsByAccounts},
		{"CanteenAndTerminal", testTerminal},
		{"DishesAndCatalogVersion", testDishes},
		{"ListClassesCanteensTerminals", testLists},
		{"ListStaff", testListStaff},
		{"Outbox", testOutbox},
		{"OutboxConcurrentClaimers", testConcurrentClaimers},
		{"OutboxOutcomes", testOutboxOutcomes},
		{"Staff", testStaff},
		{"StaffInvalid", testStaffInvalid},
		{"Parents", testParents},
		{"Guardianships", testGuardianships},
		{"GuardianshipBounds", testGuardianshipBounds},
		{"GuardianshipConcurrentBounds", testGuardianshipConcurrent},
		{"BindCodesAndNotices", testBindCodes},
		{"BindCodeConcurrentUse", testBindCodeConcurrent},
		{"WeChatLinks", testWeChatLinks},
		{"WeChatLinksOf", testWeChatLinksOf},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.f(t, s)
		})
	}
}

// RunLease checks that a claimed message comes back once its lease has run
// out without MarkSent. open returns a new Store whose clock is now and
// whose lease is a minute.
func RunLease(t *testing.T, open func(t *testing.T, now func() time.Time) directory.Store) {
	var mu sync.Mutex
	clock := time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); clock = clock.Add(d) }
	s := open(t, now)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	id := enqueue(t, s, directory.TopicOTP, "phone:1")
	if got := claimIDs(t, s, 10); !reflect.DeepEqual(got, []int64{id}) {
		t.Fatalf("first claim got %v, want [%d]", got, id)
	}
	advance(30 * time.Second)
	if got := claimIDs(t, s, 10); len(got) != 0 {
		t.Fatalf("claim within the lease got %v, want none", got)
	}
	advance(31 * time.Second)
	got, err := s.ClaimBatch(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != id || got[0].Attempts != 2 {
		t.Fatalf("claim after the lease got %+v, want id %d on attempt 2", got, id)
	}
	if !got[0].CreatedAt.Equal(time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("CreatedAt %v, want the store clock at Enqueue", got[0].CreatedAt)
	}
	if err := s.MarkSent(ctx, []int64{id}); err != nil {
		t.Fatal(err)
	}
	advance(2 * time.Minute)
	if got := claimIDs(t, s, 10); len(got) != 0 {
		t.Fatalf("claim after MarkSent got %v, want none", got)
	}
	// A permanently failed message stays out after its lease (issue 12).
	bad := enqueue(t, s, directory.TopicOTP, "phone:2")
	if got := claimIDs(t, s, 10); !reflect.DeepEqual(got, []int64{bad}) {
		t.Fatalf("claim got %v, want [%d]", got, bad)
	}
	if err := s.MarkFailed(ctx, bad, "sms: invalid phone"); err != nil {
		t.Fatal(err)
	}
	advance(2 * time.Minute)
	if got := claimIDs(t, s, 10); len(got) != 0 {
		t.Fatalf("claim after MarkFailed got %v, want none", got)
	}
}

const schoolID = "35001"

var ctx = context.Background()

func school(id string) directory.School {
	return directory.School{ID: id, Name: "第一实验小学", SingleRechargeMax: 100_000, BalanceCap: 200_000,
		DailySpendCap: 5_000, ArrearsCap: 2_000, VoidWindowSeconds: 300}
}

func class(id string, grade int32) directory.Class {
	return directory.Class{SchoolID: schoolID, ID: id, Name: id, Grade: grade}
}

func pupil(n int, classID string) directory.Pupil {
	h := sha256.Sum256([]byte(fmt.Sprint("id number ", n)))
	return directory.Pupil{
		AccountID: fmt.Sprintf("acc_%s_%010d", schoolID, n), SchoolID: schoolID, StudentNo: fmt.Sprintf("%010d", n),
		Name: fmt.Sprint("学生", n), ClassID: classID, IDNumberHash: h[:], CardRandom: "07", CardExpiry: 20300831,
		Status: directory.PupilActive,
	}
}

// setup puts the school 35001 with classes 3-1 and 3-2.
func setup(t *testing.T, s directory.Store) {
	t.Helper()
	must(t, s.PutSchool(ctx, school(schoolID)))
	must(t, s.PutClass(ctx, class("3-1", 3)))
	must(t, s.PutClass(ctx, class("3-2", 3)))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

func testSchool(t *testing.T, s directory.Store) {
	sc := school(schoolID)
	must(t, s.PutSchool(ctx, sc))
	got, err := s.School(ctx, schoolID)
	must(t, err)
	if got != sc {
		t.Errorf("got %+v, want %+v", got, sc)
	}
	sc.ArrearsCap, sc.Name = 0, "改名小学"
	must(t, s.PutSchool(ctx, sc))
	if got, _ := s.School(ctx, schoolID); got != sc {
		t.Errorf("after update got %+v, want %+v", got, sc)
	}
	_, err = s.School(ctx, "99999")
	wantErr(t, "unknown school", err, directory.ErrNotFound)
	_, err = s.School(ctx, "3500")
	wantErr(t, "4-digit school id", err, directory.ErrInvalid)
	bad := []func(*directory.School){
		func(s *directory.School) { s.ID = "3500a" },
		func(s *directory.School) { s.Name = "" },
		func(s *directory.School) { s.SingleRechargeMax = s.BalanceCap + 1 },
		func(s *directory.School) { s.DailySpendCap = 0 },
		func(s *directory.School) { s.ArrearsCap = -1 },
		func(s *directory.School) { s.VoidWindowSeconds = directory.MaxVoidWindow + 1 },
	}
	for i, f := range bad {
		b := school("35002")
		f(&b)
		wantErr(t, fmt.Sprint("bad school ", i), s.PutSchool(ctx, b), directory.ErrInvalid)
	}
	_, err = s.School(ctx, "35002")
	wantErr(t, "bad school written", err, directory.ErrNotFound)
}

func testClass(t *testing.T, s directory.Store) {
	wantErr(t, "class of unknown school", s.PutClass(ctx, class("3-2", 3)), directory.ErrNotFound)
	setup(t, s)
	c := class("3-2", 3)
	c.Name = "三年级二班"
	must(t, s.PutClass(ctx, c))
	got, err := s.Class(ctx, schoolID, "3-2")
	must(t, err)
	if got != c {
		t.Errorf("got %+v, want %+v", got, c)
	}
	_, err = s.Class(ctx, schoolID, "9-9")
	wantErr(t, "unknown class", err, directory.ErrNotFound)
	wantErr(t, "grade 13", s.PutClass(ctx, class("13-1", 13)), directory.ErrInvalid)
	wantErr(t, "class id with space", s.PutClass(ctx, class("3 2", 3)), directory.ErrInvalid)
}

func testPupils(t *testing.T, s directory.Store) {
	setup(t, s)
	rows := []directory.Pupil{pupil(1, "3-1"), pupil(2, "3-1"), pupil(3, "3-2")}
	rows[2].SchoolID = "" // takes the import's school
	must(t, s.BulkImportPupils(ctx, schoolID, rows))
	rows[2].SchoolID = schoolID
	for _, p := range rows {
		got, err := s.PupilByAccount(ctx, p.AccountID)
		must(t, err)
		if !reflect.DeepEqual(got, p) {
			t.Errorf("by account got %+v, want %+v", got, p)
		}
		got, err = s.PupilByStudentNo(ctx, schoolID, p.StudentNo)
		must(t, err)
		if !reflect.DeepEqual(got, p) {
			t.Errorf("by student no got %+v, want %+v", got, p)
		}
	}
	// Re-import updates; PutPupil inserts and updates one.
	rows[0].Name, rows[0].ClassID, rows[0].Status = "改名", "3-2", directory.PupilLeft
	must(t, s.BulkImportPupils(ctx, schoolID, rows[:1]))
	p4 := pupil(4, "3-2")
	must(t, s.PutPupil(ctx, p4))
	p4.CardRandom, p4.CardExpiry = "42", 20310831
	must(t, s.PutPupil(ctx, p4))
	for _, p := range []directory.Pupil{rows[0], p4} {
		got, err := s.PupilByAccount(ctx, p.AccountID)
		must(t, err)
		if !reflect.DeepEqual(got, p) {
			t.Errorf("after update got %+v, want %+v", got, p)
		}
	}
	_, err := s.PupilByAccount(ctx, "acc_none")
	wantErr(t, "unknown account", err, directory.ErrNotFound)
	_, err = s.PupilByStudentNo(ctx, schoolID, "9999999999")
	wantErr(t, "unknown student no", err, directory.ErrNotFound)
	_, err = s.PupilByStudentNo(ctx, schoolID, "123")
	wantErr(t, "short student no", err, directory.ErrInvalid)
	bad := pupil(5, "3-2")
	bad.IDNumberHash = []byte("110101201501011234") // an ID number in clear
	wantErr(t, "clear id number", s.PutPupil(ctx, bad), directory.ErrInvalid)
	bad = pupil(5, "9-9")
	wantErr(t, "unknown class", s.PutPupil(ctx, bad), directory.ErrNotFound)
	wantErr(t, "empty import", s.BulkImportPupils(ctx, schoolID, nil), directory.ErrInvalid)
	wantErr(t, "import to unknown school", s.BulkImportPupils(ctx, "99999", []directory.Pupil{pupil(6, "3-1")}), directory.ErrNotFound)
}

// testImportAllOrNothing imports 20 good rows and one bad one, for each
// kind of bad row: nothing is written and the bad row is reported.
func testImportAllOrNothing(t *testing.T, s directory.Store) {
	setup(t, s)
	existing := pupil(900, "3-1")
	must(t, s.PutPupil(ctx, existing))
	cases := []struct {
		name string
		bad  func(p *directory.Pupil)
		want error
	}{
		{"bad student no", func(p *directory.Pupil) { p.StudentNo = "12345" }, directory.ErrInvalid},
		{"bad card expiry", func(p *directory.Pupil) { p.CardExpiry = 20250231 }, directory.ErrInvalid},
		{"bad status", func(p *directory.Pupil) { p.Status = "lost" }, directory.ErrInvalid},
		{"other school", func(p *directory.Pupil) { p.SchoolID = "35002" }, directory.ErrInvalid},
		{"unknown class", func(p *directory.Pupil) { p.ClassID = "9-9" }, directory.ErrNotFound},
		{"student no twice in batch", func(p *directory.Pupil) { p.StudentNo = "0000000001" }, directory.ErrConflict},
		{"account twice in batch", func(p *directory.Pupil) { p.AccountID = pupil(1, "").AccountID }, directory.ErrConflict},
		{"student no of another account", func(p *directory.Pupil) { p.StudentNo = existing.StudentNo }, directory.ErrConflict},
		{"account with another student no", func(p *directory.Pupil) { p.AccountID = existing.AccountID }, directory.ErrConflict},
	}
	const badRow = 13
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := make([]directory.Pupil, 20)
			for i := range rows {
				rows[i] = pupil(i+1, "3-2")
			}
			tc.bad(&rows[badRow])
			err := s.BulkImportPupils(ctx, schoolID, rows)
			wantErr(t, "import", err, tc.want)
			var ie *directory.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *ImportError", err)
			}
			if len(ie.Rows) != 1 || ie.Rows[0].Row != badRow {
				t.Errorf("got row errors %v, want one for row %d", ie.Rows, badRow)
			}
			for _, p := range rows[:badRow] {
				_, err := s.PupilByAccount(ctx, p.AccountID)
				wantErr(t, "good row of a rejected import", err, directory.ErrNotFound)
			}
			got, err := s.PupilByAccount(ctx, existing.AccountID)
			must(t, err)
			if !reflect.DeepEqual(got, existing) {
				t.Errorf("existing pupil changed to %+v", got)
			}
		})
	}
	t.Run("every bad row reported", func(t *testing.T) {
		rows := []directory.Pupil{pupil(1, "3-2"), pupil(2, "9-9"), pupil(3, "3-2"), pupil(4, "3-2")}
		rows[3].CardRandom = "7"
		var ie *directory.ImportError
		if err := s.BulkImportPupils(ctx, schoolID, rows); !errors.As(err, &ie) {
			t.Fatalf("got %v, want an *ImportError", err)
		}
		if len(ie.Rows) != 2 || ie.Rows[0].Row != 1 || ie.Rows[1].Row != 3 {
			t.Errorf("got row errors %v, want rows 1 and 3", ie.Rows)
		}
	})
}

func testImportKeepsKeys(t *testing.T, s directory.Store) {
	setup(t, s)
	must(t, s.PutSchool(ctx, school("35002")))
	p := pupil(1, "3-1")
	must(t, s.PutPupil(ctx, p))
	moved := p
	moved.StudentNo = "0000000099"
	wantErr(t, "new student no", s.PutPupil(ctx, moved), directory.ErrConflict)
	other := pupil(2, "3-1")
	other.StudentNo = p.StudentNo
	wantErr(t, "taken student no", s.PutPupil(ctx, other), directory.ErrConflict)
	must(t, s.PutClass(ctx, directory.Class{SchoolID: "35002", ID: "3-1", Name: "3-1", Grade: 3}))
	elsewhere := p
	elsewhere.SchoolID = "35002"
	wantErr(t, "account moving school", s.PutPupil(ctx, elsewhere), directory.ErrConflict)
	// The same student number in another school is another pupil.
	twin := pupil(1, "3-1")
	twin.SchoolID, twin.AccountID = "35002", "acc_35002_0000000001"
	must(t, s.PutPupil(ctx, twin))
	got, err := s.PupilByStudentNo(ctx, schoolID, p.StudentNo)
	must(t, err)
	if !reflect.DeepEqual(got, p) {
		t.Errorf("got %+v, want %+v", got, p)
	}
}

func testListPupils(t *testing.T, s directory.Store) {
	setup(t, s)
	var rows []directory.Pupil
	for i := 25; i >= 1; i-- { // imported out of order
		rows = append(rows, pupil(i, "3-2"))
	}
	for i := 26; i <= 28; i++ {
		rows = append(rows, pupil(i, "3-1"))
	}
	must(t, s.BulkImportPupils(ctx, schoolID, rows))
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		page, err := s.ListPupils(ctx, schoolID, "3-2", after, 10)
		must(t, err)
		for _, p := range page {
			got = append(got, p.StudentNo)
		}
		if len(page) < 10 {
			break
		}
		after = page[len(page)-1].StudentNo
	}
	var want []string
	for i := 1; i <= 25; i++ {
		want = append(want, fmt.Sprintf("%010d", i))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	page, err := s.ListPupils(ctx, schoolID, "9-9", "", 10)
	must(t, err)
	if len(page) != 0 {
		t.Errorf("unknown class listed %d pupils", len(page))
	}
	// No class: the whole school, every class, by student number.
	page, err = s.ListPupils(ctx, schoolID, "", fmt.Sprintf("%010d", 24), 3)
	must(t, err)
	got = nil
	for _, p := range page {
		got = append(got, p.StudentNo+" "+p.ClassID)
	}
	if want := []string{"0000000025 3-2", "0000000026 3-1", "0000000027 3-1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("school page got %v, want %v", got, want)
	}
	page, err = s.ListPupils(ctx, "99999", "", "", 10)
	must(t, err)
	if len(page) != 0 {
		t.Errorf("unknown school listed %d pupils", len(page))
	}
	for _, limit := range []int{0, -1, directory.MaxPage + 1} {
		_, err := s.ListPupils(ctx, schoolID, "3-2", "", limit)
		wantErr(t, fmt.Sprint("limit ", limit), err, directory.ErrInvalid)
	}
	_, err = s.ListPupils(ctx, schoolID, "3-2", "abc", 10)
	wantErr(t, "bad cursor", err, directory.ErrInvalid)
}

func testTerminal(t *testing.T, s directory.Store) {
	setup(t, s)
	must(t, s.PutSchool(ctx, school("35002")))
	c := directory.Canteen{SchoolID: schoolID, ID: "c1", Name: "一食堂"}
	wantErr(t, "canteen of unknown school", s.PutCanteen(ctx, directory.Canteen{SchoolID: "99999", ID: "c9", Name: "x"}), directory.ErrNotFound)
	must(t, s.PutCanteen(ctx, c))
	c.Name = "第一食堂"
	must(t, s.PutCanteen(ctx, c))
	got, err := s.Canteen(ctx, "c1")
	must(t, err)
	if got != c {
		t.Errorf("got %+v, want %+v", got, c)
	}
	wantErr(t, "canteen moving school", s.PutCanteen(ctx, directory.Canteen{SchoolID: "35002", ID: "c1", Name: "x"}), directory.ErrConflict)
	must(t, s.PutCanteen(ctx, directory.Canteen{SchoolID: "35002", ID: "c2", Name: "二食堂"}))
	_, err = s.Canteen(ctx, "c9")
	wantErr(t, "unknown canteen", err, directory.ErrNotFound)

	before := time.Now().Add(-time.Second)
	term := directory.Terminal{ID: "t-0001", SchoolID: schoolID, CanteenID: "c1", Name: "1号窗口",
		SecretHash: []byte("0123456789abcdef0123456789abcdef"), Status: directory.TerminalActive, CanOverride: true}
	must(t, s.AddTerminal(ctx, term))
	gt, err := s.Terminal(ctx, term.ID)
	must(t, err)
	if gt.CreatedAt.Before(before) || gt.CreatedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("CreatedAt %v, want about now", gt.CreatedAt)
	}
	gt.CreatedAt = time.Time{}
	if !reflect.DeepEqual(gt, term) {
		t.Errorf("got %+v, want %+v", gt, term)
	}
	wantErr(t, "terminal twice", s.AddTerminal(ctx, term), directory.ErrConflict)
	plain := term
	plain.ID, plain.CanOverride = "t-0003", false
	must(t, s.AddTerminal(ctx, plain))
	if gp, err := s.Terminal(ctx, plain.ID); err != nil || gp.CanOverride {
		t.Errorf("terminal without override: got CanOverride %v (%v), want false", gp.CanOverride, err)
	}
	other := term
	other.ID, other.CanteenID = "t-0002", "c2" // c2 is of school 35002
	wantErr(t, "terminal of another school's canteen", s.AddTerminal(ctx, other), directory.ErrNotFound)
	other.SecretHash = []byte("short")
	wantErr(t, "short secret", s.AddTerminal(ctx, other), directory.ErrInvalid)
	must(t, s.SetTerminalStatus(ctx, term.ID, directory.TerminalDisabled))
	if gt, _ := s.Terminal(ctx, term.ID); gt.Status != directory.TerminalDisabled {
		t.Errorf("status %q, want disabled", gt.Status)
	}
	wantErr(t, "status of unknown terminal", s.SetTerminalStatus(ctx, "t-9999", directory.TerminalActive), directory.ErrNotFound)
	wantErr(t, "bad status", s.SetTerminalStatus(ctx, term.ID, "lost"), directory.ErrInvalid)
	_, err = s.Terminal(ctx, "t-9999")
	wantErr(t, "unknown terminal", err, directory.ErrNotFound)
}
