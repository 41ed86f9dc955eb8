package fees

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	feestore "github.com/onecode/onecode/persistence/fees"
)

// Change is a row of an item's journal of changes.
type Change = feestore.Change

// ChangeKind says what a change did.
type ChangeKind = feestore.ChangeKind

// MaxChangePage bounds a page of changes.
const MaxChangePage = feestore.MaxChangeListSize

// notJournaled: the action took effect but its journal row could not be written; the
// same request again writes it (and answers the action's first outcome).
const notJournaled = "the change took effect but was not journaled: retry with the same request id"

// change is a change of the staff member on the item, now.
func (s *Service) change(st Staff, kind ChangeKind, itemID, key, accountID, detail string) Change {
	return Change{ItemID: itemID, Key: key, Kind: kind, StaffID: st.ID, Role: st.Role, AccountID: accountID,
		At: s.d.Now(), Detail: clipDetail(detail)}
}

// journal appends a change right after its action succeeded. The key derives from
// the action's idempotency key, so a retried action writes one row; a failure answers
// Unavailable (the action is retried, replays its first outcome and journals then).
func (s *Service) journal(ctx context.Context, st Staff, kind ChangeKind, itemID, key, accountID, detail string) error {
	_, _, err := s.d.Store.AppendChange(ctx, s.change(st, kind, itemID, key, accountID, detail))
	if err != nil {
		s.log.Error("fee item change not journaled", "item", itemID, "kind", string(kind), "key", key, "err", err)
		return reason.Wrap(reason.KindUnavailable, reason.Unavailable, notJournaled, err)
	}
	return nil
}

// ListChanges returns up to limit (0: DefaultPage) changes of an item of the staff's
// school with seq > afterSeq, oldest first; next is the afterSeq of the following
// page (0 at the end).
func (s *Service) ListChanges(ctx context.Context, st Staff, itemID string, afterSeq int64, limit int) (changes []Change, next int64, err error) {
	if _, err := s.GetItem(ctx, st, itemID); err != nil {
		return nil, 0, err
	}
	if limit == 0 {
		limit = DefaultPage
	}
	if limit < 1 || limit > MaxChangePage {
		return nil, 0, reason.Invalid(reason.InvalidPageSize, "page_size %d, want 1..%d", limit, MaxChangePage)
	}
	if afterSeq < 0 {
		return nil, 0, reason.New(reason.KindInvalid, reason.InvalidPageToken, "page_token is not one this API gave")
	}
	changes, err = s.d.Store.ListChanges(ctx, itemID, afterSeq, limit)
	if err != nil {
		return nil, 0, s.storeError("list changes", err)
	}
	if len(changes) == limit {
		next = changes[len(changes)-1].Seq
	}
	return changes, next, nil
}

// RefundNote is a bill refund staff asked for (app/recharge Config.OnRefundRequested).
type RefundNote struct {
	SchoolID, StaffID   string
	AccountID, ItemID   string
	RequestID, RefundNo string
	AmountFen           int64
	Reason              string
	State               string // the refund's state when it was answered
}

// JournalRefund journals a bill refund right after it was requested (written and
// sent); the key is the refund's request id, so a retried refund writes one row. The
// staff member's role is the caller's session's, when the context carries one.
func (s *Service) JournalRefund(ctx context.Context, r RefundNote) error {
	if r.ItemID == "" {
		return nil // a recharge refund: no fee item
	}
	st := Staff{ID: r.StaffID, SchoolID: r.SchoolID}
	if p, ok := access.PrincipalFrom(ctx); ok && p.SubjectID == r.StaffID {
		st.Role = string(p.Role)
	}
	return s.journal(ctx, st, feestore.ChangeRefund, r.ItemID, "refund:"+r.RequestID, r.AccountID,
		fmt.Sprintf("%s %s (%s): %s", r.RefundNo, money.Amount(r.AmountFen), r.State, r.Reason))
}

// clipDetail cuts a detail to the journal's bound, at a character boundary.
func clipDetail(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if utf8.RuneCountInString(s) <= feestore.MaxDetailRunes {
		return s
	}
	r := []rune(s)
	return string(r[:feestore.MaxDetailRunes-1]) + "…"
}
