package orders

import (
	"context"
	"fmt"
	"time"
)

// Bounds of refunds.
const (
	MaxReasonLen   = 256 // bytes in a refund's reason
	MaxRefundBatch = 200 // refunds in one list
)

// RefundState is where a refund is.
type RefundState string

// Refund states. Succeeded, failed and closed are final.
const (
	// RefundPending: written; the grain's reservation and the provider call follow.
	RefundPending RefundState = "pending"
	// RefundProcessing: sent to the provider (or its answer was lost).
	RefundProcessing RefundState = "processing"
	// RefundSucceeded: paid back; the reservation is settled.
	RefundSucceeded RefundState = "succeeded"
	// RefundFailed: refused (by the grain or the provider); nothing was paid back.
	RefundFailed RefundState = "failed"
	// RefundClosed: closed by the provider; nothing was paid back.
	RefundClosed RefundState = "closed"
)

// Final reports whether s is final.
func (s RefundState) Final() bool {
	return s == RefundSucceeded || s == RefundFailed || s == RefundClosed
}

// Counts reports whether a refund in state s counts against its order's amount
// (everything but a refund that paid nothing back).
func (s RefundState) Counts() bool { return s != RefundFailed && s != RefundClosed }

// CanMoveRefund reports whether a refund may move from one state to another.
func CanMoveRefund(from, to RefundState) bool {
	switch from {
	case RefundPending:
		return to == RefundProcessing || to.Final()
	case RefundProcessing:
		return to == RefundProcessing || to.Final()
	}
	return false
}

// Refund is a refund of a paid online order, written before the provider is asked.
type Refund struct {
	RefundNo  string // ours; the provider's out_refund_no (6–32 of [A-Za-z0-9_-])
	RequestID string // the staff's idempotency key, unique per school
	SchoolID  string
	OrderID   string
	AccountID string
	ItemID    string // the bill refunded; "" for a recharge
	AmountFen int64
	Reason    string
	StaffID   string
	State     RefundState
	// ProviderRefundID is the provider's refund id, once known.
	ProviderRefundID string
	CreatedAt        time.Time
	UpdatedAt        time.Time // set by the store on every write
}

// RefundStore keeps refunds, in the same database as the orders they refund.
type RefundStore interface {
	// CreateRefund writes a new pending refund, unless the school already has one of
	// that request id: then it returns that one and created = false, without calling
	// check. check (optional) runs inside the write, serialised with every other
	// CreateRefund of the order, with the sum of the order's refunds that count
	// (RefundState.Counts); an error from it is returned as is and nothing is written.
	CreateRefund(ctx context.Context, r Refund, check func(refundedFen int64) error) (got Refund, created bool, err error)
	// GetRefund returns a refund (ErrNotFound).
	GetRefund(ctx context.Context, refundNo string) (Refund, error)
	// MoveRefund moves the refund to state to if its state is one of from, setting
	// the provider's refund id if not empty. ErrConflict if it is elsewhere.
	MoveRefund(ctx context.Context, refundNo string, from []RefundState, to RefundState, providerRefundID string) (Refund, error)
	// ListRefunds returns the school's refunds, newest first, at most limit
	// (1…MaxRefundBatch).
	ListRefunds(ctx context.Context, schoolID string, limit int) ([]Refund, error)
	// RefundsToResolve returns at most limit pending or processing refunds last
	// written before olderThan, least recently written first.
	RefundsToResolve(ctx context.Context, olderThan time.Time, limit int) ([]Refund, error)
	// PaidForBill returns the credited fee orders of the account's bill of itemID,
	// oldest first.
	PaidForBill(ctx context.Context, accountID, itemID string) ([]Order, error)
}

// ValidateRefund checks a refund given to CreateRefund and normalises it.
func ValidateRefund(r *Refund) error {
	if err := ValidateOrderID(r.RefundNo); err != nil {
		return fmt.Errorf("refund number: %w", err)
	}
	if err := ValidateOrderID(r.OrderID); err != nil {
		return err
	}
	switch {
	case r.RequestID == "" || len(r.RequestID) > MaxRequestIDLen:
		return fmt.Errorf("%w: request id must be 1–%d bytes", ErrInvalid, MaxRequestIDLen)
	case r.SchoolID == "" || len(r.SchoolID) > MaxPartyIDLen || r.AccountID == "" || len(r.AccountID) > MaxPartyIDLen ||
		r.StaffID == "" || len(r.StaffID) > MaxPartyIDLen:
		return fmt.Errorf("%w: school, account and staff ids must be 1–%d bytes", ErrInvalid, MaxPartyIDLen)
	case len(r.ItemID) > MaxItemIDLen:
		return fmt.Errorf("%w: item id longer than %d bytes", ErrInvalid, MaxItemIDLen)
	case r.AmountFen <= 0:
		return fmt.Errorf("%w: amount %d fen must be positive", ErrInvalid, r.AmountFen)
	case r.Reason == "" || len(r.Reason) > MaxReasonLen:
		return fmt.Errorf("%w: reason must be 1–%d bytes", ErrInvalid, MaxReasonLen)
	case r.State != "" && r.State != RefundPending:
		return fmt.Errorf("%w: a new refund is pending, not %s", ErrInvalid, r.State)
	case r.ProviderRefundID != "" || r.CreatedAt.IsZero():
		return fmt.Errorf("%w: a new refund has a creation time and no provider id", ErrInvalid)
	}
	r.State = RefundPending
	r.CreatedAt = Micro(r.CreatedAt)
	return nil
}

// ValidateMoveRefund checks the arguments of MoveRefund.
func ValidateMoveRefund(refundNo string, from []RefundState, to RefundState, providerRefundID string) error {
	if err := ValidateOrderID(refundNo); err != nil {
		return err
	}
	if len(from) == 0 || len(from) > 3 {
		return fmt.Errorf("%w: 1–3 states to move from", ErrInvalid)
	}
	for _, f := range from {
		if !CanMoveRefund(f, to) {
			return fmt.Errorf("%w: a refund cannot move from %q to %q", ErrInvalid, f, to)
		}
	}
	if len(providerRefundID) > MaxTxIDLen {
		return fmt.Errorf("%w: provider refund id longer than %d bytes", ErrInvalid, MaxTxIDLen)
	}
	return nil
}

// ValidateRefundLimit checks a refund list's limit.
func ValidateRefundLimit(limit int) error {
	if limit < 1 || limit > MaxRefundBatch {
		return fmt.Errorf("%w: limit %d, want 1–%d", ErrInvalid, limit, MaxRefundBatch)
	}
	return nil
}

// RefundStrings returns the states as strings (for query parameters).
func RefundStrings(states []RefundState) []string {
	out := make([]string, 0, len(states))
	for _, s := range states {
		out = append(out, string(s))
	}
	return out
}
