package schools

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/directory/sqlitedirectory"
)

func newService(t *testing.T) *Service {
	t.Helper()
	dir, err := sqlitedirectory.Open(context.Background(), filepath.Join(t.TempDir(), "dir.db"), sqlitedirectory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dir.Close() })
	return New(dir, nil)
}

func TestInvalidInput(t *testing.T) {
	err := InvalidInput(directory.ValidateSchoolID("3500"))
	if e, ok := reason.As(err); !ok || e.Kind != reason.KindInvalid || e.Code != reason.InvalidArgument || e.Msg != `school id "3500", want 5 digits` {
		t.Fatalf("got %#v", err)
	}
	other := errors.New("disk on fire")
	if got := InvalidInput(other); got != other {
		t.Fatalf("another error became %v", got)
	}
}

func TestPutSchoolAndClass(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	good := School{ID: "35001", Name: " 测试小学 ", SingleRechargeMax: 100000, BalanceCap: 200000, DailySpendCap: 10000, ArrearsCap: 3000}
	tests := []struct {
		name string
		edit func(*School)
		code reason.Code
	}{
		{"4-digit id", func(sc *School) { sc.ID = "3500" }, reason.InvalidArgument},
		{"zero cap", func(sc *School) { sc.BalanceCap = 0 }, reason.InvalidArgument},
		{"cap above the bound", func(sc *School) { sc.BalanceCap = MaxLimitFen + 1 }, reason.InvalidArgument},
		{"arrears above the bound", func(sc *School) { sc.ArrearsCap = MaxLimitFen + 1 }, reason.InvalidArgument},
	}
	for _, tt := range tests {
		sc := good
		tt.edit(&sc)
		if _, err := s.PutSchool(ctx, sc); reason.Of(err) != tt.code {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.code)
		}
	}
	if _, err := s.School(ctx, "35001"); reason.Of(err) != reason.SchoolNotFound {
		t.Fatalf("a rejected put wrote the school: %v", err)
	}
	got, err := s.PutSchool(ctx, good)
	if err != nil || got.Name != "测试小学" {
		t.Fatalf("PutSchool: %+v %v", got, err)
	}
	if _, err := s.PutClass(ctx, Class{SchoolID: "35002", ID: "3-1", Name: "三年级1班", Grade: 3}); reason.Of(err) != reason.SchoolNotFound {
		t.Errorf("class of an unknown school: %v", err)
	}
	if _, err := s.PutClass(ctx, Class{SchoolID: "35001", ID: "3/1", Name: "x", Grade: 3}); reason.Of(err) != reason.InvalidArgument {
		t.Errorf("class id with a slash: %v", err)
	}
	if c, err := s.PutClass(ctx, Class{SchoolID: "35001", ID: "3-1", Name: " 三年级1班 ", Grade: 3}); err != nil || c.Name != "三年级1班" {
		t.Errorf("PutClass: %+v %v", c, err)
	}
	if _, err := s.Pupil(ctx, "acc_35001_2025000001"); reason.Of(err) != reason.AccountNotFound {
		t.Errorf("unknown pupil: %v", err)
	}
	if _, err := s.GrantSubsidy(ctx, Subsidy{AccountID: "acc_35001_2025000001", AmountFen: MaxSubsidyFen + 1, Reason: "x", RequestID: "r"}); reason.Of(err) != reason.InvalidArgument {
		t.Errorf("subsidy above the bound: %v", err)
	}
}
