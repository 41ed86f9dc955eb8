package recharge

import (
	"fmt"
	"strings"
)

// MissingColumnError is a statement whose header lacks a column OneCode reads.
type MissingColumnError struct{ Column string }

func (e MissingColumnError) Error() string { return "no column " + e.Column }

// StatementColumns maps a statement's header (cells trimmed) to column indexes,
// or answers MissingColumnError for the first wanted column it lacks. Both
// providers' bill parsers read their rows by documented header, not position.
func StatementColumns(header []string, want ...string) (map[string]int, error) {
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, h := range want {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("statement header: %w", MissingColumnError{Column: h})
		}
	}
	return col, nil
}
