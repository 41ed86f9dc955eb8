package directorytest

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/directory"
)

const phc = "$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func staff(id, username string, role directory.StaffRole, classID string) directory.StaffUser {
	return directory.StaffUser{ID: id, SchoolID: schoolID, Username: username, PasswordHash: phc, Role: role,
		ClassID: classID, Status: directory.StaffActive}
}

// sameStaff compares all but CreatedAt, which it checks is recent.
func sameStaff(t *testing.T, got, want directory.StaffUser) {
	t.Helper()
	if got.CreatedAt.IsZero() || time.Since(got.CreatedAt) > time.Minute || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt %v, want the store clock in UTC", got.CreatedAt)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func testStaff(t *testing.T, s directory.Store) {
	setup(t, s)
	admin := staff("st_1", "wang.admin", directory.RoleSchoolAdmin, "")
	teacher := staff("st_2", "li-teacher", directory.RoleTeacher, "3-2")
	must(t, s.PutStaff(ctx, admin))
	must(t, s.PutStaff(ctx, teacher))
	got, err := s.StaffByUsername(ctx, schoolID, "li-teacher")
	must(t, err)
	sameStaff(t, got, teacher)
	created := got.CreatedAt
	got, err = s.StaffByID(ctx, "st_1")
	must(t, err)
	sameStaff(t, got, admin)

	// Update: role, class, status and password change; CreatedAt stays.
	teacher.ClassID, teacher.Status, teacher.PasswordHash = "3-1", directory.StaffDisabled, phc+"x"
	must(t, s.PutStaff(ctx, teacher))
	got, _ = s.StaffByID(ctx, "st_2")
	sameStaff(t, got, teacher)
	if !got.CreatedAt.Equal(created) {
		t.Errorf("CreatedAt changed on update: %v, was %v", got.CreatedAt, created)
	}
	teacher.Role, teacher.ClassID, teacher.Email = directory.RoleFinance, "", "cw.li@school.test"
	must(t, s.PutStaff(ctx, teacher))
	if got, _ := s.StaffByUsername(ctx, schoolID, "li-teacher"); got.Role != directory.RoleFinance || got.ClassID != "" ||
		got.Email != "cw.li@school.test" {
		t.Errorf("after role change got %+v", got)
	}

	// The same username in another school is another person.
	must(t, s.PutSchool(ctx, school("35002")))
	other := staff("st_3", "wang.admin", directory.RoleSchoolAdmin, "")
	other.SchoolID = "35002"
	must(t, s.PutStaff(ctx, other))
	if got, _ := s.StaffByUsername(ctx, "35002", "wang.admin"); got.ID != "st_3" {
		t.Errorf("35002/wang.admin is %q, want st_3", got.ID)
	}
	if got, _ := s.StaffByUsername(ctx, schoolID, "wang.admin"); got.ID != "st_1" {
		t.Errorf("35001/wang.admin is %q, want st_1", got.ID)
	}

	wantErr(t, "username taken", s.PutStaff(ctx, staff("st_4", "wang.admin", directory.RoleFinance, "")), directory.ErrConflict)
	moved := admin
	moved.SchoolID = "35002"
	wantErr(t, "move school", s.PutStaff(ctx, moved), directory.ErrConflict)
	wantErr(t, "class of no school", s.PutStaff(ctx, staff("st_5", "t5", directory.RoleTeacher, "9-9")), directory.ErrNotFound)
	noSchool := staff("st_6", "t6", directory.RoleFinance, "")
	noSchool.SchoolID = "35999"
	wantErr(t, "unknown school", s.PutStaff(ctx, noSchool), directory.ErrNotFound)
	_, err = s.StaffByUsername(ctx, schoolID, "nobody")
	wantErr(t, "unknown username", err, directory.ErrNotFound)
	_, err = s.StaffByID(ctx, "st_404")
	wantErr(t, "unknown id", err, directory.ErrNotFound)
	if got, _ := s.StaffByID(ctx, "st_1"); got.SchoolID != schoolID {
		t.Errorf("a rejected put changed st_1: %+v", got)
	}
}

func testStaffInvalid(t *testing.T, s directory.Store) {
	setup(t, s)
	for name, f := range map[string]func(u *directory.StaffUser){
		"bad id":                func(u *directory.StaffUser) { u.ID = "a b" },
		"bad username":          func(u *directory.StaffUser) { u.Username = "王老师" },
		"empty username":        func(u *directory.StaffUser) { u.Username = "" },
		"password in clear":     func(u *directory.StaffUser) { u.PasswordHash = "hunter2" },
		"hash with space":       func(u *directory.StaffUser) { u.PasswordHash = "$argon2id$ x" },
		"hash too long":         func(u *directory.StaffUser) { u.PasswordHash = "$" + string(make([]byte, 256)) },
		"bad role":              func(u *directory.StaffUser) { u.Role = "principal" },
		"teacher without class": func(u *directory.StaffUser) { u.Role, u.ClassID = directory.RoleTeacher, "" },
		"finance with class":    func(u *directory.StaffUser) { u.ClassID = "3-1" },
		"bad status":            func(u *directory.StaffUser) { u.Status = "gone" },
		"bad e-mail":            func(u *directory.StaffUser) { u.Email = "not an address" },
		"named e-mail":          func(u *directory.StaffUser) { u.Email = "Li <li@school.test>" },
		"bad school":            func(u *directory.StaffUser) { u.SchoolID = "3500" },
	} {
		u := staff("st_1", "zhao", directory.RoleFinance, "")
		f(&u)
		wantErr(t, name, s.PutStaff(ctx, u), directory.ErrInvalid)
	}
	_, err := s.StaffByUsername(ctx, "x", "zhao")
	wantErr(t, "lookup with a bad school", err, directory.ErrInvalid)
	_, err = s.StaffByID(ctx, "")
	wantErr(t, "lookup with an empty id", err, directory.ErrInvalid)
	_, err = s.StaffByID(ctx, "st_1")
	wantErr(t, "nothing written", err, directory.ErrNotFound)
}

func phoneHash(phone string) []byte {
	h := sha256.Sum256([]byte("phone " + phone))
	return h[:]
}

// Two sealed phones (shapes only: the store never opens them).
var (
	sealedA = strings.Repeat("A", 52)
	sealedB = strings.Repeat("b_-", 18)
)

func parent(id, phone string) directory.Parent {
	return directory.Parent{ID: id, PhoneHash: phoneHash(phone), PhoneMasked: phone[:3] + "****" + phone[7:]}
}

func testParents(t *testing.T, s directory.Store) {
	p := parent("par_1", "13812345678")
	got, err := s.PutParent(ctx, p)
	must(t, err)
	if got.ID != "par_1" || !reflect.DeepEqual(got.PhoneHash, p.PhoneHash) || got.PhoneMasked != "138****5678" ||
		got.CreatedAt.IsZero() || time.Since(got.CreatedAt) > time.Minute {
		t.Errorf("created %+v", got)
	}
	// Create-if-absent: the same phone under a new id returns the first parent.
	again, err := s.PutParent(ctx, parent("par_2", "13812345678"))
	must(t, err)
	if !reflect.DeepEqual(again, got) {
		t.Errorf("second put got %+v, want the existing %+v", again, got)
	}
	if _, err := s.ParentByID(ctx, "par_2"); err == nil {
		t.Error("par_2 was created for a known phone")
	}
	byHash, err := s.ParentByPhoneHash(ctx, phoneHash("13812345678"))
	must(t, err)
	byID, err := s.ParentByID(ctx, "par_1")
	must(t, err)
	if !reflect.DeepEqual(byHash, got) || !reflect.DeepEqual(byID, got) {
		t.Errorf("lookups got %+v and %+v, want %+v", byHash, byID, got)
	}
	// A login brings the sealed phone: it replaces the stored one; an empty one keeps it.
	for _, sealed := range []string{sealedA, sealedB, ""} {
		p := parent("par_3", "13812345678")
		p.PhoneSealed = sealed
		got, err := s.PutParent(ctx, p)
		must(t, err)
		if got.ID != "par_1" || got.PhoneSealed != cmp.Or(sealed, sealedB) {
			t.Errorf("put with sealed %q: got %+v, want par_1 with %q", sealed, got, cmp.Or(sealed, sealedB))
		}
	}
	_, err = s.PutParent(ctx, parent("par_1", "13900000000"))
	wantErr(t, "id of another phone", err, directory.ErrConflict)
	_, err = s.ParentByPhoneHash(ctx, phoneHash("13900000000"))
	wantErr(t, "unknown phone", err, directory.ErrNotFound)
	_, err = s.ParentByID(ctx, "par_404")
	wantErr(t, "unknown id", err, directory.ErrNotFound)

	for name, p := range map[string]directory.Parent{
		"short hash":      {ID: "par_9", PhoneHash: []byte{1, 2}, PhoneMasked: "138****5678"},
		"phone in clear":  {ID: "par_9", PhoneHash: phoneHash("1"), PhoneMasked: "13812345678"},
		"bad id":          {ID: "", PhoneHash: phoneHash("1"), PhoneMasked: "138****5678"},
		"sealed in clear": {ID: "par_9", PhoneHash: phoneHash("1"), PhoneMasked: "138****5678", PhoneSealed: "13812345678"},
		"sealed not b64":  {ID: "par_9", PhoneHash: phoneHash("1"), PhoneMasked: "138****5678", PhoneSealed: strings.Repeat("a+", 20)},
		"sealed too long": {ID: "par_9", PhoneHash: phoneHash("1"), PhoneMasked: "138****5678", PhoneSealed: strings.Repeat("a", 129)},
	} {
		_, err := s.PutParent(ctx, p)
		wantErr(t, name, err, directory.ErrInvalid)
	}
	_, err = s.ParentByPhoneHash(ctx, nil)
	wantErr(t, "nil hash", err, directory.ErrInvalid)
}

// family puts the school, a parent par_<i> per phone index and n pupils.
func family(t *testing.T, s directory.Store, parents, pupils int) {
	t.Helper()
	setup(t, s)
	for i := range parents {
		_, err := s.PutParent(ctx, parent(fmt.Sprint("par_", i), fmt.Sprintf("139%08d", i)))
		must(t, err)
	}
	var ps []directory.Pupil
	for i := range pupils {
		ps = append(ps, pupil(i+1, "3-1"))
	}
	if len(ps) > 0 {
		must(t, s.BulkImportPupils(ctx, schoolID, ps))
	}
}

func acc(n int) string { return pupil(n, "3-1").AccountID }

func testGuardianships(t *testing.T, s directory.Store) {
	family(t, s, 3, 3)
	bind := func(p, a int, rel string) error {
		return s.Bind(ctx, directory.Guardianship{ParentID: fmt.Sprint("par_", p), AccountID: acc(a), Relation: rel})
	}
	must(t, bind(0, 1, "mother"))
	must(t, bind(1, 1, "father"))
	must(t, bind(0, 2, "mother"))
	must(t, bind(0, 1, "aunt")) // idempotent; the first relation stays

	gs, err := s.Guardians(ctx, acc(1))
	must(t, err)
	if len(gs) != 2 || gs[0].ParentID != "par_0" || gs[0].Relation != "mother" || gs[1].ParentID != "par_1" ||
		gs[0].AccountID != acc(1) || gs[0].CreatedAt.IsZero() || gs[1].CreatedAt.Before(gs[0].CreatedAt) {
		t.Errorf("guardians of pupil 1: %+v", gs)
	}
	ps, err := s.GuardianParents(ctx, acc(1))
	must(t, err)
	if len(ps) != 2 || ps[0].ID != "par_0" || ps[1].ID != "par_1" || len(ps[0].PhoneHash) == 0 || ps[0].CreatedAt.IsZero() {
		t.Errorf("guardian parents of pupil 1: %+v", ps)
	}
	if p0, err := s.ParentByID(ctx, "par_0"); err != nil || !reflect.DeepEqual(p0, ps[0]) {
		t.Errorf("guardian parent %+v, ParentByID %+v, %v", ps[0], p0, err)
	}
	if ps, err := s.GuardianParents(ctx, "acc_unknown"); err != nil || len(ps) != 0 {
		t.Errorf("guardian parents of an unknown account: %v, %v", ps, err)
	}
	checkGuardianParentsOf(t, s, acc(1), acc(2))
	cs, err := s.ChildrenOf(ctx, "par_0")
	must(t, err)
	if len(cs) != 2 || cs[0].AccountID != acc(1) || cs[1].AccountID != acc(2) {
		t.Errorf("children of par_0: %+v", cs)
	}
	for _, tc := range []struct {
		p, a int
		want bool
	}{{0, 1, true}, {1, 1, true}, {0, 2, true}, {1, 2, false}, {2, 1, false}, {0, 3, false}} {
		got, err := s.IsGuardian(ctx, fmt.Sprint("par_", tc.p), acc(tc.a))
		must(t, err)
		if got != tc.want {
			t.Errorf("IsGuardian(par_%d, pupil %d) = %v, want %v", tc.p, tc.a, got, tc.want)
		}
		checkGuardedPupil(t, s, fmt.Sprint("par_", tc.p), acc(tc.a), tc.want)
	}
	if cs, err := s.ChildrenOf(ctx, "par_2"); err != nil || len(cs) != 0 {
		t.Errorf("children of par_2: %v, %v", cs, err)
	}
	if gs, err := s.Guardians(ctx, "acc_unknown"); err != nil || len(gs) != 0 {
		t.Errorf("guardians of an unknown account: %v, %v", gs, err)
	}
	wantErr(t, "unknown parent", bind(9, 1, "mother"), directory.ErrNotFound)
	wantErr(t, "unknown pupil", bind(0, 99, "mother"), directory.ErrNotFound)
	wantErr(t, "no relation", bind(0, 3, ""), directory.ErrInvalid)
	wantErr(t, "long relation", bind(0, 3, "一二三四五六七八九十一二三四五六七"), directory.ErrInvalid)
	if ok, _ := s.IsGuardian(ctx, "par_0", acc(3)); ok {
		t.Error("a rejected bind was written")
	}
	_, err = s.IsGuardian(ctx, "", acc(1))
	wantErr(t, "IsGuardian empty parent", err, directory.ErrInvalid)
	_, err = s.GuardedPupil(ctx, "", acc(1))
	wantErr(t, "GuardedPupil empty parent", err, directory.ErrInvalid)
	_, err = s.GuardedPupil(ctx, "par_0", "acc_unknown")
	wantErr(t, "GuardedPupil unknown account", err, directory.ErrNotFound)
}

// checkGuardedPupil: GuardedPupil answers the pupil exactly when IsGuardian is true.
func checkGuardedPupil(t *testing.T, s directory.Store, parentID, accountID string, guards bool) {
	t.Helper()
	p, err := s.GuardedPupil(ctx, parentID, accountID)
	if !guards {
		wantErr(t, "GuardedPupil("+parentID+", "+accountID+")", err, directory.ErrNotFound)
		return
	}
	want, werr := s.PupilByAccount(ctx, accountID)
	must(t, werr)
	if err != nil || !reflect.DeepEqual(p, want) {
		t.Errorf("GuardedPupil(%s, %s) = %+v, %v; want %+v", parentID, accountID, p, err, want)
	}
}

func testGuardianshipBounds(t *testing.T, s directory.Store) {
	family(t, s, directory.MaxGuardians+1, directory.MaxChildren+1)
	for a := 1; a <= directory.MaxChildren; a++ {
		must(t, s.Bind(ctx, directory.Guardianship{ParentID: "par_0", AccountID: acc(a), Relation: "mother"}))
	}
	err := s.Bind(ctx, directory.Guardianship{ParentID: "par_0", AccountID: acc(directory.MaxChildren + 1), Relation: "mother"})
	wantErr(t, "child beyond the bound", err, directory.ErrConflict)
	must(t, s.Bind(ctx, directory.Guardianship{ParentID: "par_0", AccountID: acc(1), Relation: "mother"})) // rebinding is fine
	for p := 1; p < directory.MaxGuardians; p++ {
		must(t, s.Bind(ctx, directory.Guardianship{ParentID: fmt.Sprint("par_", p), AccountID: acc(1), Relation: "guardian"}))
	}
	err = s.Bind(ctx, directory.Guardianship{ParentID: fmt.Sprint("par_", directory.MaxGuardians), AccountID: acc(1), Relation: "guardian"})
	wantErr(t, "guardian beyond the bound", err, directory.ErrConflict)
	cs, _ := s.ChildrenOf(ctx, "par_0")
	gs, _ := s.Guardians(ctx, acc(1))
	if len(cs) != directory.MaxChildren || len(gs) != directory.MaxGuardians {
		t.Errorf("got %d children and %d guardians, want %d and %d", len(cs), len(gs), directory.MaxChildren, directory.MaxGuardians)
	}
}

// testGuardianshipConcurrent: concurrent binds never pass the bounds.
func testGuardianshipConcurrent(t *testing.T, s directory.Store) {
	const extra = 10
	family(t, s, directory.MaxGuardians+extra, directory.MaxChildren+extra)
	var wg sync.WaitGroup
	for a := 1; a <= directory.MaxChildren+extra; a++ {
		wg.Go(func() {
			_ = s.Bind(ctx, directory.Guardianship{ParentID: "par_0", AccountID: acc(a), Relation: "mother"})
		})
	}
	for p := 1; p < directory.MaxGuardians+extra; p++ {
		wg.Go(func() {
			_ = s.Bind(ctx, directory.Guardianship{ParentID: fmt.Sprint("par_", p), AccountID: acc(directory.MaxChildren + extra), Relation: "guardian"})
		})
	}
	wg.Wait()
	cs, err := s.ChildrenOf(ctx, "par_0")
	must(t, err)
	gs, err := s.Guardians(ctx, acc(directory.MaxChildren+extra))
	must(t, err)
	if len(cs) > directory.MaxChildren || len(gs) > directory.MaxGuardians {
		t.Errorf("got %d children and %d guardians, bounds %d and %d", len(cs), len(gs), directory.MaxChildren, directory.MaxGuardians)
	}
	if len(cs) < directory.MaxChildren-1 {
		t.Errorf("got %d children, want the bound reached", len(cs))
	}
}

func testListStaff(t *testing.T, s directory.Store) {
	setup(t, s)
	must(t, s.PutSchool(ctx, school("35002")))
	for _, u := range []directory.StaffUser{
		staff("st_1", "wang.admin", directory.RoleSchoolAdmin, ""),
		staff("st_2", "li-teacher", directory.RoleTeacher, "3-2"),
		staff("st_3", "Zhou", directory.RoleFinance, ""),
	} {
		must(t, s.PutStaff(ctx, u))
	}
	other := staff("st_9", "aaa", directory.RoleFinance, "")
	other.SchoolID = "35002"
	must(t, s.PutStaff(ctx, other))
	names := func(us []directory.StaffUser) (out []string) {
		for _, u := range us {
			out = append(out, u.Username)
		}
		return out
	}
	got, err := s.ListStaff(ctx, schoolID, "", 2)
	must(t, err)
	if g := names(got); !reflect.DeepEqual(g, []string{"Zhou", "li-teacher"}) {
		t.Errorf("first page: got %v, want [Zhou li-teacher] (byte order, this school only)", g)
	}
	if got[1].PasswordHash != phc || got[1].ClassID != "3-2" || got[1].Role != directory.RoleTeacher {
		t.Errorf("row: got %+v", got[1])
	}
	got, err = s.ListStaff(ctx, schoolID, "li-teacher", 2)
	must(t, err)
	if g := names(got); !reflect.DeepEqual(g, []string{"wang.admin"}) {
		t.Errorf("second page: got %v, want [wang.admin]", g)
	}
	if got, err := s.ListStaff(ctx, "99999", "", 10); err != nil || len(got) != 0 {
		t.Errorf("unknown school: got %v, %v", got, err)
	}
	_, err = s.ListStaff(ctx, "3500", "", 10)
	wantErr(t, "bad school", err, directory.ErrInvalid)
	_, err = s.ListStaff(ctx, schoolID, "", 0)
	wantErr(t, "zero limit", err, directory.ErrInvalid)
}
