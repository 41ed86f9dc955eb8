package fees

import (
	"context"

	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// OnlineBill is what a parent may pay online of a child's bill: its outstanding.
type OnlineBill struct {
	AccountID string
	ItemID    string
	AmountFen int64
}

// ErrNothingDue: the bill has nothing outstanding (paid, exempted or closed).
var ErrNothingDue = reason.New(reason.KindFailedPrecondition, reason.BillNothingDue, "the bill has nothing outstanding")

// PrepareOnline checks that the parent guards the child, that the item is
// published and open, and that the child's bill of it has something outstanding,
// and answers that outstanding amount: what the online-payment order is for
// (app/recharge CreateFeeOrder writes and places it). The bill's own rules are
// checked again by the grain when the verified payment arrives.
func (s *Service) PrepareOnline(ctx context.Context, parentID, accountID, itemID string) (OnlineBill, error) {
	p, err := s.guardedPupil(ctx, parentID, accountID)
	if err != nil {
		return OnlineBill{}, err
	}
	if _, err := s.openItem(ctx, Staff{SchoolID: p.SchoolID}, itemID); err != nil {
		return OnlineBill{}, err
	}
	st, err := s.d.Accounts.State(ctx, accountID)
	if err != nil {
		return OnlineBill{}, failure.Classify(err)
	}
	for _, b := range st.GetBills() {
		if b.GetItemId() != itemID {
			continue
		}
		due := b.GetDueFen() - b.GetPaidFen() - b.GetExemptedFen()
		if b.GetClosed() || due <= 0 {
			return OnlineBill{}, ErrNothingDue
		}
		return OnlineBill{AccountID: accountID, ItemID: itemID, AmountFen: due}, nil
	}
	return OnlineBill{}, ErrBillNotFound
}

// ProjectBill writes a bill the grain settled outside this service (a verified
// online payment, app/recharge) into the read model, like every bill command here.
func (s *Service) ProjectBill(ctx context.Context, accountID string, a *grainv1.Accepted) {
	row, ok := billRow(directory.Pupil{AccountID: accountID}, a)
	if !ok {
		return
	}
	// The bill's row, written when it was published, keeps its school and class.
	if wrote, err := s.d.Store.UpdateBill(ctx, row); err == nil && wrote {
		return
	}
	p, err := s.d.Directory.PupilByAccount(ctx, accountID)
	if err != nil {
		s.log.Warn("bill read model not written: pupil not read", "account", accountID, "err", err)
		return
	}
	s.project(ctx, p, a)
}
