package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/alarms"
)

// dayRows is the rows of one upsert statement (10 parameters each).
const dayRows = 200

// WriteDays implements alarms.TerminalDays: multi-row upserts in one
// transaction; a stored row that counts more sales or declines is kept.
func (s *Store) WriteDays(ctx context.Context, rows []alarms.TerminalDay) error {
	if len(rows) > alarms.MaxDayRows {
		return fmt.Errorf("%w: %d day rows, at most %d", alarms.ErrInvalid, len(rows), alarms.MaxDayRows)
	}
	args := make([][]any, 0, len(rows))
	seen := make(map[[4]string]bool, len(rows))
	for _, d := range rows {
		if err := alarms.ValidateDay(d); err != nil {
			return err
		}
		key := [4]string{d.Day.String(), d.TerminalID, d.Member, d.Run}
		if seen[key] {
			return fmt.Errorf("%w: day %v of terminal %q, member %q, run %q given twice", alarms.ErrInvalid, d.Day, d.TerminalID, d.Member, d.Run)
		}
		seen[key] = true
		byReason, err := json.Marshal(d.Declines)
		if err != nil {
			return fmt.Errorf("%w: declines of %q: %v", alarms.ErrInvalid, d.TerminalID, err)
		}
		if d.Declines == nil {
			byReason = []byte("{}")
		}
		args = append(args, []any{int32(d.Day), d.TerminalID, d.Member, d.Run, d.SchoolID, d.Sales, d.SalesFen,
			d.DeclineTotal(), string(byReason), max(micro(d.UpdatedAt), 1)})
	}
	if len(args) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr("terminal days", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	for len(args) > 0 {
		n := min(len(args), dayRows)
		var q strings.Builder
		q.WriteString(`INSERT INTO terminal_days (day, terminal_id, member, run, school_id, sales, sales_fen, declines,
			by_reason, updated_at) VALUES `)
		flat := make([]any, 0, 10*n)
		for i, a := range args[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			flat = append(flat, a...)
		}
		q.WriteString(` ON CONFLICT (day, terminal_id, member, run) DO UPDATE SET school_id = excluded.school_id,
			sales = excluded.sales, sales_fen = excluded.sales_fen, declines = excluded.declines,
			by_reason = excluded.by_reason, updated_at = excluded.updated_at
		WHERE excluded.sales >= terminal_days.sales AND excluded.declines >= terminal_days.declines`)
		if _, err := tx.ExecContext(ctx, s.q(q.String()), flat...); err != nil {
			return s.mapErr("terminal days", err)
		}
		args = args[n:]
	}
	return s.mapErr("terminal days", tx.Commit())
}

// Days implements alarms.TerminalDays.
func (s *Store) Days(ctx context.Context, day schoolday.Date, schoolID string, limit int) ([]alarms.TerminalDay, error) {
	if limit < 1 || limit > alarms.MaxDayRows || !day.Valid() {
		return nil, fmt.Errorf("%w: day %v, limit %d (want 1..%d)", alarms.ErrInvalid, day, limit, alarms.MaxDayRows)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT day, terminal_id, member, run, school_id, sales, sales_fen, by_reason,
			updated_at FROM terminal_days
		WHERE day = ? AND (? = '' OR school_id = ?) ORDER BY terminal_id, member, run LIMIT ?`),
		int32(day), schoolID, schoolID, limit)
	if err != nil {
		return nil, s.mapErr("terminal days", err)
	}
	defer rows.Close()
	var out []alarms.TerminalDay
	for rows.Next() {
		var (
			d        alarms.TerminalDay
			dayNum   int64
			byReason string
			updated  int64
		)
		if err := rows.Scan(&dayNum, &d.TerminalID, &d.Member, &d.Run, &d.SchoolID, &d.Sales, &d.SalesFen, &byReason,
			&updated); err != nil {
			return nil, s.mapErr("terminal days", err)
		}
		d.Day, d.UpdatedAt = schoolday.Date(dayNum), fromMicro(updated)
		if err := json.Unmarshal([]byte(byReason), &d.Declines); err != nil {
			return nil, fmt.Errorf("terminal days: declines of %s: %w", d.TerminalID, err)
		}
		out = append(out, d)
	}
	return out, s.mapErr("terminal days", rows.Err())
}

// PruneDays implements alarms.TerminalDays.
func (s *Store) PruneDays(ctx context.Context, before schoolday.Date) (int64, error) {
	if !before.Valid() {
		return 0, fmt.Errorf("%w: day %v", alarms.ErrInvalid, before)
	}
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM terminal_days WHERE day < ?`), int32(before))
	if err != nil {
		return 0, s.mapErr("prune terminal days", err)
	}
	n, err := res.RowsAffected()
	return n, s.mapErr("prune terminal days", err)
}
