package enrolment

import (
	"context"

	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// SheetLabel is one card of a class sheet.
type SheetLabel struct {
	QR        string
	Name      string
	StudentNo string
}

// ClassSheet is what a class's card sheet prints: the school, the class and one label
// per active pupil whose card is active, sealed from the account's current card.
type ClassSheet struct {
	School School
	Class  Class
	Labels []SheetLabel
	// Expiry is the cards' expiry YYYYMMDD when they all share one, else "".
	Expiry string
}

// ClassSheet gathers the labels of a class the caller reaches, at most maxLabels
// pupils (CLASS_TOO_LARGE beyond); NO_CARDS when no card is active. The PDF is the
// edge's to render.
func (s *Service) ClassSheet(ctx context.Context, r Reach, classID string, maxLabels int) (ClassSheet, error) {
	class, err := s.reachClass(ctx, r, classID)
	if err != nil {
		return ClassSheet{}, err
	}
	school, err := s.d.Directory.School(ctx, r.SchoolID)
	if err != nil {
		return ClassSheet{}, err
	}
	pupils, err := s.classPupils(ctx, class, maxLabels)
	if err != nil {
		return ClassSheet{}, err
	}
	states := make([]*grainv1.GetStateResponse, len(pupils))
	err = workers.ForEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
		st, err := s.d.Accounts.State(ctx, pupils[i].AccountID)
		states[i] = st
		return err
	})
	if err != nil {
		return ClassSheet{}, err
	}
	sheet := ClassSheet{School: school, Class: class}
	expiries := map[string]bool{}
	for i, pu := range pupils {
		st := states[i]
		if !st.GetOpened() || st.GetCardState() != "active" {
			continue
		}
		qr, err := s.sealCard(pu.SchoolID, pu.StudentNo, cardToPrint{random: st.GetCardRandom(), expiry: st.GetCardExpiry(), print: true}, s.d.Rand)
		if err != nil {
			return ClassSheet{}, err
		}
		expiries[st.GetCardExpiry()] = true
		sheet.Labels = append(sheet.Labels, SheetLabel{QR: qr, Name: pu.Name, StudentNo: pu.StudentNo})
	}
	if len(sheet.Labels) == 0 {
		return ClassSheet{}, reason.New(reason.KindFailedPrecondition, reason.NoCards, "no pupil of this class has an active card to print")
	}
	if len(expiries) == 1 {
		for e := range expiries {
			sheet.Expiry = e
		}
	}
	return sheet, nil
}

// classPupils lists the active pupils of a class (at most max).
func (s *Service) classPupils(ctx context.Context, c Class, max int) ([]Pupil, error) {
	var out []Pupil
	after := ""
	for range max/directory.MaxPage + 1 {
		page, err := s.d.Directory.ListPupils(ctx, c.SchoolID, c.ID, after, directory.MaxPage)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			if p.Status == directory.PupilActive {
				out = append(out, p)
			}
		}
		if len(out) > max {
			return nil, classTooLarge(max)
		}
		if len(page) < directory.MaxPage {
			return out, nil
		}
		after = page[len(page)-1].StudentNo
	}
	return nil, classTooLarge(max)
}

// PupilCard gathers the one label of a pupil the caller reaches (ReachPupil), on a
// sheet of the pupil's school and class: NO_CARDS when the pupil's card is not
// active (lost, or no account yet). The PDF is the edge's to render.
func (s *Service) PupilCard(ctx context.Context, r Reach, accountID string) (ClassSheet, error) {
	pu, err := s.ReachPupil(ctx, r, accountID)
	if err != nil {
		return ClassSheet{}, err
	}
	school, err := s.d.Directory.School(ctx, pu.SchoolID)
	if err != nil {
		return ClassSheet{}, err
	}
	class, err := s.d.Directory.Class(ctx, pu.SchoolID, pu.ClassID)
	if err != nil {
		return ClassSheet{}, err
	}
	st, err := s.d.Accounts.State(ctx, pu.AccountID)
	if err != nil {
		return ClassSheet{}, err
	}
	if !st.GetOpened() || st.GetCardState() != "active" {
		return ClassSheet{}, reason.New(reason.KindFailedPrecondition, reason.NoCards, "this pupil has no active card to print")
	}
	qr, err := s.sealCard(pu.SchoolID, pu.StudentNo, cardToPrint{random: st.GetCardRandom(), expiry: st.GetCardExpiry(), print: true}, s.d.Rand)
	if err != nil {
		return ClassSheet{}, err
	}
	return ClassSheet{School: school, Class: class, Expiry: st.GetCardExpiry(),
		Labels: []SheetLabel{{QR: qr, Name: pu.Name, StudentNo: pu.StudentNo}}}, nil
}
