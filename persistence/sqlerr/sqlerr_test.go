package sqlerr

import (
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	errNotFound = errors.New("not found")
	errConflict = errors.New("conflict")
	errInvalid  = errors.New("invalid")
	m           = Mapper{Store: "teststore", NotFound: errNotFound, Conflict: errConflict, Invalid: errInvalid}
)

// SQLite constraint errors cannot be made outside the driver; the directory and
// orders conformance suites cover them on a real database.
func TestMapper(t *testing.T) {
	other := errors.New("connection reset")
	for _, c := range []struct {
		name string
		got  error
		want error // nil: the error is nil
	}{
		{"nil postgres", m.Postgres("x", nil), nil},
		{"nil sqlite", m.SQLite("x", nil), nil},
		{"no rows postgres", m.Postgres("get", pgx.ErrNoRows), errNotFound},
		{"no rows sqlite", m.SQLite("get", sql.ErrNoRows), errNotFound},
		{"unique", m.Postgres("put", &pgconn.PgError{Code: "23505"}), errConflict},
		{"foreign key", m.Postgres("put", &pgconn.PgError{Code: "23503"}), errNotFound},
		{"check", m.Postgres("put", &pgconn.PgError{Code: "23514"}), errInvalid},
		{"own error passes", m.SQLite("put", errInvalid), errInvalid},
		{"other", m.Postgres("put", other), other},
	} {
		if c.want == nil {
			if c.got != nil {
				t.Errorf("%s: %v, want nil", c.name, c.got)
			}
			continue
		}
		if !errors.Is(c.got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if got := m.Postgres("put", other).Error(); got != "teststore: put: connection reset" {
		t.Errorf("other error reads %q", got)
	}
	if got := m.Postgres("get", pgx.ErrNoRows).Error(); !strings.HasPrefix(got, "not found: get") {
		t.Errorf("not found reads %q", got)
	}
}
