package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/persistence/directory"
)

// SettledRefund is a refund (of a bill or of a recharge) that reached its final
// state: Succeeded (the money went back) or not (the provider failed or closed it).
type SettledRefund struct {
	RefundNo  string
	SchoolID  string
	AccountID string
	AmountFen int64
	Succeeded bool
}

// RefundNotices tells of settled refunds: refund_done to the guardians of the
// account. Each notice's cause is the refund number, so a settlement told again
// (a repeated provider notification, the resolver after a crash) queues nothing
// twice.
type RefundNotices struct {
	Notices Notices
	Pupils  Pupils
	// Staff (optional) are the school's staff: a failed refund is told to its
	// active finance staff who keep an e-mail (staff_refund_failed).
	Staff Staff
}

// RefundSettled queues the notices of a settled refund.
func (rn RefundNotices) RefundSettled(ctx context.Context, r SettledRefund) error {
	if !r.Succeeded {
		return rn.refundFailed(ctx, r)
	}
	name := "*"
	p, err := rn.Pupils.PupilByAccount(ctx, r.AccountID)
	switch {
	case err == nil:
		if m := actors.MaskName(p.Name); m != "" {
			name = m
		}
	case !errors.Is(err, directory.ErrNotFound):
		return fmt.Errorf("notify: pupil of a refund: %w", err)
	}
	_, _, err = rn.Notices.Enqueue(ctx, Notice{Kind: KindRefundDone, Cause: "refund:" + r.RefundNo, SchoolID: r.SchoolID,
		Recipient: r.AccountID, Params: map[string]string{"name": name, "amount": yuan(r.AmountFen)}})
	return err
}

// refundFailed tells each active finance staff member of the school who keeps
// an e-mail that the refund failed, once per refund.
func (rn RefundNotices) refundFailed(ctx context.Context, r SettledRefund) error {
	if rn.Staff == nil || r.SchoolID == "" {
		return nil
	}
	staff, err := financeWithEmail(ctx, rn.Staff, r.SchoolID)
	if err != nil {
		return err
	}
	for _, u := range staff {
		if _, _, err := rn.Notices.Enqueue(ctx, Notice{Kind: KindStaffRefundFailed, Cause: "refund:" + r.RefundNo, SchoolID: r.SchoolID,
			Recipient: u.ID, Params: map[string]string{"refund": r.RefundNo, "amount": yuan(r.AmountFen)}}); err != nil {
			return err
		}
	}
	return nil
}
