package sqlitedirectory

import (
	"context"
	"strings"

	"github.com/onecode/onecode/persistence/directory"
)

// GuardianParentsOf implements directory.Store.
func (s *Store) GuardianParentsOf(ctx context.Context, accountIDs []string) (map[string][]directory.Parent, error) {
	if err := directory.ValidateAccountIDBatch(accountIDs, directory.MaxPage); err != nil {
		return nil, err
	}
	out := map[string][]directory.Parent{}
	if len(accountIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(accountIDs))
	for i, id := range accountIDs {
		args[i] = id
	}
	rows, err := s.db.QueryContext(ctx, `SELECT g.account_id, p.id, p.phone_hash, p.phone_masked, p.phone_sealed, p.created_at
		FROM guardianships g JOIN parents p ON p.id = g.parent_id
		WHERE g.account_id IN (?`+strings.Repeat(", ?", len(args)-1)+`) ORDER BY g.account_id, g.created_at, g.parent_id`, args...)
	if err != nil {
		return nil, mapErr("guardian parents of accounts", err)
	}
	err = eachRow(rows, func() error {
		var acc string
		var p directory.Parent
		var created int64
		if err := rows.Scan(&acc, &p.ID, &p.PhoneHash, &p.PhoneMasked, &p.PhoneSealed, &created); err != nil {
			return err
		}
		p.CreatedAt = fromMicro(created)
		if len(out[acc]) < directory.MaxGuardians {
			out[acc] = append(out[acc], p)
		}
		return nil
	})
	if err != nil {
		return nil, mapErr("guardian parents of accounts", err)
	}
	return out, nil
}
