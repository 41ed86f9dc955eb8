package directorytest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/onecode/onecode/persistence/directory"
)

// testPupilsByAccounts: one read answers the school's pupils among many ids (more
// than a list page), in account id order, without unknown ids or another
// school's pupils, each once; its bounds are checked first.
func testPupilsByAccounts(t *testing.T, s directory.Store) {
	setup(t, s)
	const n = 450 // more than directory.MaxPage
	rows := make([]directory.Pupil, n)
	for i := range rows {
		rows[i] = pupil(i+1, "3-1")
	}
	rows[7].Status = directory.PupilLeft // left pupils are answered too: the caller decides
	must(t, s.BulkImportPupils(ctx, schoolID, rows))
	must(t, s.PutSchool(ctx, school("35002")))
	other := pupil(9001, "7-1")
	other.SchoolID, other.AccountID = "35002", "acc_other_school"
	must(t, s.PutClass(ctx, directory.Class{SchoolID: "35002", ID: "7-1", Name: "7-1", Grade: 1}))
	must(t, s.PutPupil(ctx, other))

	// Asked in reverse order, with an unknown id, another school's pupil and a repeat.
	var ids []string
	for i := n - 1; i >= 0; i-- {
		ids = append(ids, rows[i].AccountID)
	}
	ids = append(ids, "acc_none", other.AccountID, rows[3].AccountID)
	got, err := s.PupilsByAccounts(ctx, schoolID, ids)
	must(t, err)
	if !reflect.DeepEqual(got, rows) { // rows are in account id order already
		t.Errorf("got %d pupils, want the %d of the school in account id order", len(got), len(rows))
		for i := range min(len(got), len(rows)) {
			if !reflect.DeepEqual(got[i], rows[i]) {
				t.Fatalf("first difference at %d: got %+v, want %+v", i, got[i], rows[i])
			}
		}
	}
	got, err = s.PupilsByAccounts(ctx, "35002", []string{other.AccountID, rows[0].AccountID})
	must(t, err)
	if len(got) != 1 || !reflect.DeepEqual(got[0], other) {
		t.Errorf("other school got %+v, want only %s", got, other.AccountID)
	}
	got, err = s.PupilsByAccounts(ctx, schoolID, nil)
	if err != nil || len(got) != 0 {
		t.Errorf("no ids = %v, %v; want none", got, err)
	}

	many := make([]string, directory.MaxImport+1)
	for i := range many {
		many[i] = fmt.Sprintf("acc_%d", i)
	}
	_, err = s.PupilsByAccounts(ctx, schoolID, many)
	wantErr(t, "too many ids", err, directory.ErrInvalid)
	_, err = s.PupilsByAccounts(ctx, schoolID, []string{rows[0].AccountID, ""})
	wantErr(t, "empty id", err, directory.ErrInvalid)
	_, err = s.PupilsByAccounts(ctx, schoolID, []string{strings.Repeat("x", directory.MaxAccountLen+1)})
	wantErr(t, "long id", err, directory.ErrInvalid)
	_, err = s.PupilsByAccounts(ctx, "bad school", []string{rows[0].AccountID})
	wantErr(t, "bad school", err, directory.ErrInvalid)
}
