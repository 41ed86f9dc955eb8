package gateway

import (
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/idnumber"
)

// ErrInvalidIDNumber is idnumber.ErrInvalid (kept for the edge's other files).
var ErrInvalidIDNumber = idnumber.ErrInvalid

// NormalizeIDNumber is idnumber.Normalize.
func NormalizeIDNumber(s string) (string, error) { return idnumber.Normalize(s) }

// HashIDNumber is idnumber.Hash: the keyed hash compared at binding.
func HashIDNumber(key []byte, idNumber string) ([]byte, error) { return idnumber.Hash(key, idNumber) }

// AccountID is account.ID: the account id of a pupil, acc_<school>_<student no>.
func AccountID(schoolID, studentNo string) string { return account.ID(schoolID, studentNo) }
