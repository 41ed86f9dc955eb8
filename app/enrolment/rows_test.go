package enrolment

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/directory"
)

func TestParseExpiry(t *testing.T) {
	now := time.Date(2025, 8, 31, 20, 0, 0, 0, time.UTC) // 2025-09-01 04:00 in Asia/Shanghai
	tests := []struct {
		in   string
		want int32
		ok   bool
	}{
		{"20250902", 20250902, true},
		{"20250901", 0, false}, // today in Shanghai
		{"20250831", 0, false},
		{"2025-09-02", 0, false},
		{"20250230", 0, false},
		{"99991231", 99991231, true},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseExpiry(tt.in, now)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseExpiry(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && reason.Of(err) != reason.InvalidArgument {
			t.Errorf("ParseExpiry(%q): reason %s, want INVALID_ARGUMENT", tt.in, reason.Of(err))
		}
	}
	if got := FormatDay(int32(schoolday.NewDate(2030, 1, 2))); got != "20300102" {
		t.Errorf("FormatDay = %s", got)
	}
}

func TestChanges(t *testing.T) {
	old := Pupil{Name: "王小明", ClassID: "3-1", IDNumberHash: []byte{1}}
	tests := []struct {
		name string
		row  Pupil
		want string
	}{
		{"same, no ID number", Pupil{Name: "王小明", ClassID: "3-1"}, ""},
		{"same ID number", Pupil{Name: "王小明", ClassID: "3-1", IDNumberHash: []byte{1}}, ""},
		{"renamed", Pupil{Name: "王晓明", ClassID: "3-1"}, "name"},
		{"moved", Pupil{Name: "王小明", ClassID: "3-2"}, "class"},
		{"everything", Pupil{Name: "x", ClassID: "3-2", IDNumberHash: []byte{2}}, "name, class, ID number"},
	}
	for _, tt := range tests {
		if got := changes(old, tt.row); got != tt.want {
			t.Errorf("%s: changes = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCheckRowFields(t *testing.T) {
	first := map[string]int{}
	var got []string
	for i, r := range []Row{
		{StudentNo: "2024000001", Name: " 王梓涵 ", ClassID: "3-1"},
		{StudentNo: "202400002", Name: "李浩然", ClassID: "3-1"},
		{StudentNo: "2024000001", Name: "张一鸣", ClassID: "3/1"},
		{StudentNo: "2024000004", Name: "  ", ClassID: "3-2"},
	} {
		for _, e := range checkRowFields(i, r, first) {
			got = append(got, fmt.Sprintf("%d %s", e.Row, e.Reason))
		}
	}
	want := "[2 INVALID_STUDENT_NO 3 DUPLICATE_STUDENT_NO 3 INVALID_CLASS_ID 4 INVALID_NAME]"
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestCapRowErrors(t *testing.T) {
	errs := make([]RowError, MaxRowErrors+3)
	got := capRowErrors(errs)
	if len(got) != MaxRowErrors+1 || got[MaxRowErrors].Row != 0 || got[MaxRowErrors].Reason != reason.TooManyErrors {
		t.Fatalf("capped to %d, last %+v", len(got), got[len(got)-1])
	}
	if got := capRowErrors(errs[:2]); len(got) != 2 {
		t.Fatalf("2 errors capped to %d", len(got))
	}
}

func TestStoreRowErrors(t *testing.T) {
	ie := &directory.ImportError{Rows: []directory.RowError{
		{Row: 0, Err: fmt.Errorf("class: %w", directory.ErrNotFound)},
		{Row: 1, Err: fmt.Errorf("moved: %w", directory.ErrConflict)},
		{Row: 2, Err: errors.New("bad")},
	}}
	var got []string
	for _, e := range storeRowErrors(ie, []int{1, 4, 6}) { // the written pupils are rows 2, 5, 7
		got = append(got, fmt.Sprintf("%d %s", e.Row, e.Reason))
	}
	if want := "[2 UNKNOWN_CLASS 5 CONFLICT 7 INVALID_ROW]"; fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestFileRowErrors(t *testing.T) {
	file := PupilFile{Rows: []Row{{StudentNo: "2.0240001E+09"}, {IDNumber: "4.40106E+17"}}, Lines: []int{2, 5}}
	got := fileRowErrors([]RowError{
		{Row: 1, Reason: reason.InvalidStudentNo, Message: "m"},
		{Row: 2, Reason: reason.InvalidIDNumber, Message: "m"},
		{Row: 0, Reason: reason.TooManyErrors, Message: "m"},
	}, file)
	hint := "m (the spreadsheet stored it as a number and lost digits: format the column as text)"
	if got[0].Row != 2 || got[0].Message != hint || got[1].Row != 5 || got[1].Message != hint || got[2].Row != 0 || got[2].Message != "m" {
		t.Fatalf("got %+v", got)
	}
}

func TestReach(t *testing.T) {
	p := Pupil{SchoolID: "35001", ClassID: "3-1"}
	tests := []struct {
		name string
		r    Reach
		want bool
	}{
		{"school admin", Reach{SchoolID: "35001", WholeSchool: true}, true},
		{"other school", Reach{SchoolID: "35002", WholeSchool: true}, false},
		{"teacher of the class", Reach{SchoolID: "35001", ClassID: "3-1"}, true},
		{"teacher of another class", Reach{SchoolID: "35001", ClassID: "3-2"}, false},
		{"teacher without a class", Reach{SchoolID: "35001"}, false},
		{"no school", Reach{WholeSchool: true}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Pupil(p); got != tt.want {
			t.Errorf("%s: Pupil = %v, want %v", tt.name, got, tt.want)
		}
	}
}
