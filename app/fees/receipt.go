package fees

import (
	"context"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/failure"
)

// ReceiptData is what the electronic receipt of a bill shows.
type ReceiptData struct {
	SchoolID, SchoolName string
	ItemID, ItemTitle    string
	AccountID            string
	MaskedName           string // never the full name
	PaidFen              int64
	// Payments are the payments on the bill, oldest first (from the account's
	// journal; none without Deps.Journal).
	Payments []Payment
}

// Receipt answers the receipt of the child's bill for its guardian: the school,
// the item, the masked name and what was paid. Another parent's child, an unknown
// bill and a bill with nothing paid answer as an unknown bill.
func (s *Service) Receipt(ctx context.Context, parentID, accountID, itemID string) (ReceiptData, error) {
	p, err := s.guardedPupil(ctx, parentID, accountID)
	if err != nil {
		return ReceiptData{}, err
	}
	st, err := s.d.Accounts.State(ctx, accountID)
	if err != nil {
		return ReceiptData{}, failure.Classify(err)
	}
	for _, b := range st.GetBills() {
		if b.GetItemId() != itemID || b.GetPaidFen() <= 0 {
			continue
		}
		r := ReceiptData{SchoolID: p.SchoolID, ItemID: itemID, ItemTitle: itemID, AccountID: accountID,
			MaskedName: actors.MaskName(p.Name), PaidFen: b.GetPaidFen()}
		if it, err := s.d.Store.GetItem(ctx, itemID); err == nil {
			r.ItemTitle = it.Title
		}
		if sc, err := s.d.Directory.School(ctx, p.SchoolID); err == nil {
			r.SchoolName = sc.Name
		}
		if r.Payments, err = s.payments(ctx, accountID, itemID); err != nil {
			return ReceiptData{}, err
		}
		return r, nil
	}
	return ReceiptData{}, ErrBillNotFound
}
