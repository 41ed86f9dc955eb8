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

// refundFailed tells the school's finance staff of a failed refund (step 2 of
// issue 12's staff e-mail; nothing yet).
func (rn RefundNotices) refundFailed(context.Context, SettledRefund) error { return nil }
