package directorytest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/onecode/onecode/persistence/directory"
)

// checkGuardianParentsOf checks the batch read against GuardianParents of each
// account (a1 and a2 have guardians): the same parents in the same order, an
// unknown account and an empty batch without a key, an id given twice read
// once, and a bad or too long batch rejected.
func checkGuardianParentsOf(t *testing.T, s directory.Store, a1, a2 string) {
	t.Helper()
	got, err := s.GuardianParentsOf(ctx, []string{a2, a1, "acc_unknown", a1})
	must(t, err)
	if len(got) != 2 {
		t.Errorf("guardian parents of %s, %s and an unknown account: %d keys, want 2", a1, a2, len(got))
	}
	for _, a := range []string{a1, a2} {
		want, err := s.GuardianParents(ctx, a)
		must(t, err)
		if len(want) == 0 || !reflect.DeepEqual(got[a], want) {
			t.Errorf("guardian parents of %s in a batch: %+v, alone: %+v", a, got[a], want)
		}
	}
	if got, err := s.GuardianParentsOf(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("guardian parents of no account: %v, %v", got, err)
	}
	if _, err := s.GuardianParentsOf(ctx, []string{a1, ""}); !errors.Is(err, directory.ErrInvalid) {
		t.Errorf("guardian parents of an empty account id: %v, want ErrInvalid", err)
	}
	many := strings.Split(strings.Repeat(a1+" ", directory.MaxPage+1), " ")[:directory.MaxPage+1]
	if _, err := s.GuardianParentsOf(ctx, many); !errors.Is(err, directory.ErrInvalid) {
		t.Errorf("guardian parents of %d accounts: %v, want ErrInvalid", len(many), err)
	}
}
