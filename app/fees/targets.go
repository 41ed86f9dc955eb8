package fees

import (
	"context"
	"errors"

	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/directory"
)

func amount(fen int64) money.Amount { return money.Amount(fen) }

func dueDay(d int32) schoolday.Date { return schoolday.Date(d) }

// pupilOf returns a pupil of the school; another school's (or an unknown id) is
// ErrBillNotFound.
func (s *Service) pupilOf(ctx context.Context, schoolID, accountID string) (directory.Pupil, error) {
	if directory.ValidateAccountID(accountID) != nil {
		return directory.Pupil{}, ErrBillNotFound
	}
	p, err := s.d.Directory.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return directory.Pupil{}, ErrBillNotFound
	}
	if err != nil {
		return directory.Pupil{}, failure.Classify(err)
	}
	if p.SchoolID != schoolID {
		return directory.Pupil{}, ErrBillNotFound
	}
	return p, nil
}

// pupilsOf returns the pupils of the school among accountIDs, by account id, read
// in batches of directory.MaxImport ids (one read for any item's list); ids that are
// invalid, unknown or of another school are absent.
func (s *Service) pupilsOf(ctx context.Context, schoolID string, accountIDs []string) (map[string]directory.Pupil, error) {
	ids := make([]string, 0, len(accountIDs))
	for _, a := range accountIDs {
		if directory.ValidateAccountID(a) == nil {
			ids = append(ids, a)
		}
	}
	out := make(map[string]directory.Pupil, len(ids))
	for lo := 0; lo < len(ids); lo += directory.MaxImport {
		page, err := s.d.Directory.PupilsByAccounts(ctx, schoolID, ids[lo:min(lo+directory.MaxImport, len(ids))])
		if err != nil {
			return nil, failure.Classify(err)
		}
		for _, p := range page {
			if p.SchoolID == schoolID {
				out[p.AccountID] = p
			}
		}
	}
	return out, nil
}

// billing is who an item bills and how much: with imported per-pupil amounts
// (ImportAmounts) the listed pupils, each their amount (due, by account id); without,
// the item's target at the item's amount (due is nil).
func (s *Service) billing(ctx context.Context, it Item, withLeft bool) ([]directory.Pupil, map[string]int64, error) {
	amounts, err := s.d.Store.ListAmounts(ctx, it.ID)
	if err != nil {
		return nil, nil, s.storeError("list amounts", err)
	}
	if len(amounts) == 0 {
		pupils, err := s.targets(ctx, it, withLeft)
		return pupils, nil, err
	}
	due := make(map[string]int64, len(amounts))
	listed := it
	listed.Target = fee.Target{Kind: fee.TargetAccounts, AccountIDs: make([]string, 0, len(amounts))}
	for _, a := range amounts {
		due[a.AccountID] = a.AmountFen
		listed.Target.AccountIDs = append(listed.Target.AccountIDs, a.AccountID)
	}
	pupils, err := s.targets(ctx, listed, withLeft)
	return pupils, due, err
}

// targets lists the pupils an item bills: the active pupils of the school, of the
// classes or listed (withLeft: those who left too, to close their bills).
func (s *Service) targets(ctx context.Context, it Item, withLeft bool) ([]directory.Pupil, error) {
	var out []directory.Pupil
	keep := func(p directory.Pupil) bool { return withLeft || p.Status == "" || p.Status == directory.PupilActive }
	switch it.Target.Kind {
	case fee.TargetSchool:
		if err := s.listPupils(ctx, it.SchoolID, "", keep, &out); err != nil {
			return nil, err
		}
	case fee.TargetClasses:
		for _, c := range it.Target.ClassIDs {
			if err := s.listPupils(ctx, it.SchoolID, c, keep, &out); err != nil {
				return nil, err
			}
		}
	case fee.TargetAccounts:
		listed, err := s.pupilsOf(ctx, it.SchoolID, it.Target.AccountIDs)
		if err != nil {
			return nil, err
		}
		for _, a := range it.Target.AccountIDs {
			if p, ok := listed[a]; ok && keep(p) {
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return nil, ErrTargetEmpty
	}
	return out, nil
}

func (s *Service) listPupils(ctx context.Context, schoolID, classID string, keep func(directory.Pupil) bool, out *[]directory.Pupil) error {
	after := ""
	for {
		page, err := s.d.Directory.ListPupils(ctx, schoolID, classID, after, pupilPage)
		if err != nil {
			return failure.Classify(err)
		}
		for _, p := range page {
			if keep(p) {
				*out = append(*out, p)
			}
		}
		if len(*out) > MaxPupils {
			return reason.Newf(reason.KindFailedPrecondition, reason.TooManyBills, "more than %d pupils", MaxPupils)
		}
		if len(page) < pupilPage {
			return nil
		}
		after = page[len(page)-1].StudentNo
	}
}
