package pgoutbox

import (
	"cmp"
	"slices"
	"strings"

	"github.com/onecode/onecode/persistence/outbox"
)

// prefixed qualifies each column of a comma-separated list with p.
func prefixed(p, list string) string {
	parts := strings.Split(list, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// sortDue orders claimed notices as they fell due.
func sortDue(ns []outbox.Notice) {
	slices.SortFunc(ns, func(a, b outbox.Notice) int {
		return cmp.Or(a.NotBefore.Compare(b.NotBefore), cmp.Compare(a.ID, b.ID))
	})
}
