package directorytest

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/onecode/onecode/persistence/directory"
)

// ids are the ids of a list, in its order.
func ids[T any](xs []T, id func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

// testLists pages through a school's classes, canteens and a canteen's terminals:
// byte order of the ids, other schools' rows never listed, no secret listed.
func testLists(t *testing.T, s directory.Store) {
	setup(t, s) // classes 3-1, 3-2 of 35001
	must(t, s.PutSchool(ctx, school("35002")))
	must(t, s.PutClass(ctx, directory.Class{SchoolID: "35002", ID: "1-1", Name: "1-1", Grade: 1}))
	must(t, s.PutClass(ctx, directory.Class{SchoolID: schoolID, ID: "B-1", Name: "B 班", Grade: 4}))
	must(t, s.PutClass(ctx, directory.Class{SchoolID: schoolID, ID: "a-1", Name: "a 班", Grade: 5}))
	classID := func(c directory.Class) string { return c.ID }
	for _, tc := range []struct {
		after string
		limit int
		want  []string
	}{
		{"", 10, []string{"3-1", "3-2", "B-1", "a-1"}}, // byte order: digits, upper, lower
		{"", 2, []string{"3-1", "3-2"}},
		{"3-2", 2, []string{"B-1", "a-1"}},
		{"a-1", 2, []string{}},
	} {
		got, err := s.ListClasses(ctx, schoolID, tc.after, tc.limit)
		must(t, err)
		if g := ids(got, classID); !reflect.DeepEqual(g, tc.want) {
			t.Errorf("ListClasses(after %q, %d): got %v, want %v", tc.after, tc.limit, g, tc.want)
		}
	}
	if got, _ := s.ListClasses(ctx, schoolID, "", 1); len(got) != 1 || got[0] != class("3-1", 3) {
		t.Errorf("ListClasses: got %+v, want %+v", got, class("3-1", 3))
	}
	if got, err := s.ListClasses(ctx, "99999", "", 10); err != nil || len(got) != 0 {
		t.Errorf("classes of an unknown school: %v %v", got, err)
	}

	for i, id := range []string{"c2", "C1", "c1"} {
		must(t, s.PutCanteen(ctx, directory.Canteen{SchoolID: schoolID, ID: id, Name: fmt.Sprint("食堂", i)}))
	}
	must(t, s.PutCanteen(ctx, directory.Canteen{SchoolID: "35002", ID: "c0", Name: "x"}))
	canteenID := func(c directory.Canteen) string { return c.ID }
	got, err := s.ListCanteens(ctx, schoolID, "", 10)
	must(t, err)
	if g := ids(got, canteenID); !reflect.DeepEqual(g, []string{"C1", "c1", "c2"}) || got[0].Name != "食堂1" || got[0].SchoolID != schoolID {
		t.Errorf("ListCanteens: got %+v", got)
	}
	if got, _ := s.ListCanteens(ctx, schoolID, "C1", 1); !reflect.DeepEqual(ids(got, canteenID), []string{"c1"}) {
		t.Errorf("ListCanteens after C1: got %v", got)
	}

	for _, id := range []string{"t-2", "T-9", "t-1"} {
		must(t, s.AddTerminal(ctx, directory.Terminal{ID: id, SchoolID: schoolID, CanteenID: "c1", Name: "窗口 " + id,
			SecretHash: []byte("0123456789abcdef"), Status: directory.TerminalActive, CanOverride: id == "t-2"}))
	}
	must(t, s.AddTerminal(ctx, directory.Terminal{ID: "t-0", SchoolID: schoolID, CanteenID: "c2", Name: "x",
		SecretHash: []byte("0123456789abcdef"), Status: directory.TerminalActive}))
	must(t, s.SetTerminalStatus(ctx, "t-1", directory.TerminalDisabled))
	terms, err := s.ListTerminals(ctx, "c1", "", 10)
	must(t, err)
	termID := func(t directory.Terminal) string { return t.ID }
	if g := ids(terms, termID); !reflect.DeepEqual(g, []string{"T-9", "t-1", "t-2"}) {
		t.Fatalf("ListTerminals: got %v", g)
	}
	t1, t2 := terms[1], terms[2]
	if t1.Status != directory.TerminalDisabled || t1.CanOverride || !t2.CanOverride || t2.Name != "窗口 t-2" || t2.SchoolID != schoolID || t2.CanteenID != "c1" || t2.CreatedAt.IsZero() {
		t.Errorf("ListTerminals rows: %+v %+v", t1, t2)
	}
	for _, x := range terms {
		if x.SecretHash != nil {
			t.Errorf("ListTerminals answered the secret of %s", x.ID)
		}
	}
	if terms, _ := s.ListTerminals(ctx, "c1", "t-1", 5); !reflect.DeepEqual(ids(terms, termID), []string{"t-2"}) {
		t.Errorf("ListTerminals after t-1: got %v", terms)
	}

	for what, err := range map[string]error{
		"bad school":    func() error { _, err := s.ListClasses(ctx, "3500", "", 10); return err }(),
		"bad after":     func() error { _, err := s.ListCanteens(ctx, schoolID, "a b", 10); return err }(),
		"limit 0":       func() error { _, err := s.ListTerminals(ctx, "c1", "", 0); return err }(),
		"limit too big": func() error { _, err := s.ListCanteens(ctx, schoolID, "", directory.MaxPage+1); return err }(),
		"bad canteen":   func() error { _, err := s.ListTerminals(ctx, "", "", 10); return err }(),
	} {
		wantErr(t, what, err, directory.ErrInvalid)
	}
}
