package pgdirectory

import (
	"context"

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
	rows, err := s.pool.Query(ctx, `SELECT g.account_id, p.id, p.phone_hash, p.phone_masked, p.phone_sealed, p.created_at
		FROM guardianships g JOIN parents p ON p.id = g.parent_id
		WHERE g.account_id = ANY($1) ORDER BY g.account_id, g.created_at, g.parent_id`, accountIDs)
	if err != nil {
		return nil, mapErr("guardian parents of accounts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var acc string
		var p directory.Parent
		if err := rows.Scan(&acc, &p.ID, &p.PhoneHash, &p.PhoneMasked, &p.PhoneSealed, &p.CreatedAt); err != nil {
			return nil, mapErr("guardian parents of accounts", err)
		}
		p.CreatedAt = p.CreatedAt.UTC()
		if len(out[acc]) < directory.MaxGuardians {
			out[acc] = append(out[acc], p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("guardian parents of accounts", err)
	}
	return out, nil
}
