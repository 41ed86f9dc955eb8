package fees

import (
	"context"
	"errors"

	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	feestore "github.com/onecode/onecode/persistence/fees"
)

// ErrPupilNotActive: the pupil has left the school.
var ErrPupilNotActive = reason.New(reason.KindFailedPrecondition, reason.PupilNotActive, "the pupil has left the school")

// AddPupil adds a pupil of the staff's school who joined after the publish (or is
// outside the item's target) to an open published item: the bill is issued in the
// pupil's grain under the same key as a publish would (fee.BillKey), the bound
// guardians are told as on a publish (the notice's cause is the item, so a pupil
// already told is not told twice) and the change is journaled (key: the account).
// Adding a pupil who already has the bill answers that bill, replayed.
func (s *Service) AddPupil(ctx context.Context, st Staff, itemID, accountID string) (Bill, error) {
	it, err := s.openItem(ctx, st, itemID)
	if err != nil {
		return Bill{}, err
	}
	p, err := s.pupilOf(ctx, st.SchoolID, accountID)
	if err != nil {
		return Bill{}, err
	}
	if p.Status != "" && p.Status != directory.PupilActive {
		return Bill{}, ErrPupilNotActive
	}
	a, err := s.execute(ctx, p.AccountID, issueRequest(it, p.AccountID, 0)) // the item amount: the default for pupils added later
	if err != nil {
		return Bill{}, err
	}
	s.project(ctx, p, a)
	if err := s.notePublished(ctx, it, []directory.Pupil{p}); err != nil {
		return Bill{}, failure.Classify(err)
	}
	detail := "bill " + it.Amount.String()
	if a.GetReplayed() {
		detail += " (already billed)"
	}
	if err := s.journal(ctx, st, feestore.ChangeAddPupil, it.ID, "add_pupil:"+p.AccountID, p.AccountID, detail); err != nil {
		return Bill{}, err
	}
	s.log.Info("pupil added to a fee item", "item", it.ID, "account", p.AccountID, "replayed", a.GetReplayed(), "staff", st.ID)
	return billOf(p.AccountID, a), nil
}

// billed lists the pupils whose bills of the item a close must close: the item's
// target (those who left too), the pupils added to it (the journal) and every bill
// of the read model, each once.
func (s *Service) billed(ctx context.Context, it Item) ([]directory.Pupil, error) {
	out, err := s.targets(ctx, it, true)
	if err != nil && !errors.Is(err, ErrTargetEmpty) {
		return nil, err
	}
	seen := make(map[string]bool, len(out))
	for _, p := range out {
		seen[p.AccountID] = true
	}
	add := func(accountID string) error {
		if accountID == "" || seen[accountID] {
			return nil
		}
		seen[accountID] = true
		p, err := s.pupilOf(ctx, it.SchoolID, accountID)
		if errors.Is(err, ErrBillNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, p)
		if len(out) > MaxPupils {
			return reason.Newf(reason.KindFailedPrecondition, reason.TooManyBills, "more than %d pupils", MaxPupils)
		}
		return nil
	}
	for after := int64(0); ; {
		changes, err := s.d.Store.ListChanges(ctx, it.ID, after, MaxChangePage)
		if err != nil {
			return nil, s.storeError("list changes", err)
		}
		for _, c := range changes {
			if c.Kind == feestore.ChangeAddPupil {
				if err := add(c.AccountID); err != nil {
					return nil, err
				}
			}
		}
		if len(changes) < MaxChangePage {
			break
		}
		after = changes[len(changes)-1].Seq
	}
	for after := ""; ; {
		rows, err := s.d.Store.ListBills(ctx, it.ID, "", after, MaxPage)
		if err != nil {
			return nil, s.storeError("list bills", err)
		}
		for _, b := range rows {
			if err := add(b.AccountID); err != nil {
				return nil, err
			}
		}
		if len(rows) < MaxPage {
			return out, nil
		}
		after = rows[len(rows)-1].AccountID
	}
}
