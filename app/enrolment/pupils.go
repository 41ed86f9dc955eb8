package enrolment

import (
	"context"
	"errors"
	"fmt"

	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// Reach is the part of a school a staff member may see and act on: school admins and
// finance the whole school, a teacher their class (and a teacher without a class no
// pupil). Roles that reach no pupil at all are refused before (at the edge).
type Reach struct {
	SchoolID    string
	WholeSchool bool
	// ClassID is the one class reached when WholeSchool is false.
	ClassID string
}

// Pupil reports whether the reach covers p.
func (r Reach) Pupil(p Pupil) bool {
	return r.SchoolID != "" && p.SchoolID == r.SchoolID && r.Class(p.ClassID)
}

// Class reports whether the reach covers the class classID of its school.
func (r Reach) Class(classID string) bool {
	return r.WholeSchool || (r.ClassID != "" && classID == r.ClassID)
}

// PupilView is a pupil as staff see it: full name, balance and card (zero while the
// account is not opened).
type PupilView struct {
	Pupil
	BalanceFen     int64
	CardState      string // "active", "lost", "expired"; "" before the account opens
	CardGeneration int64
}

// PupilPage is one page of ListPupils; Next is the token of the next page ("" at the
// end).
type PupilPage struct {
	Pupils []PupilView
	Next   string
}

// ListPupils lists pupils by student number, with balances and cards. classID names a
// class the caller reaches; "" lists every pupil the caller reaches: the whole school
// for school admins and finance, the class of a teacher (a teacher without a class
// gets an empty page). size 0 means DefaultPupilPage; the token is the last student
// number of the previous page.
func (s *Service) ListPupils(ctx context.Context, r Reach, classID string, size int, token string) (PupilPage, error) {
	switch {
	case size == 0:
		size = DefaultPupilPage
	case size < 0 || size > MaxPupilPage:
		return PupilPage{}, reason.Invalid(reason.InvalidPageSize, "page_size %d, want 1..%d (0 means %d)", size, MaxPupilPage, DefaultPupilPage)
	}
	if token != "" && directory.ValidateStudentNo(token) != nil {
		return PupilPage{}, reason.Invalid(reason.InvalidPageToken, "page_token is not one this API gave")
	}
	if classID == "" && !r.WholeSchool {
		if classID = r.ClassID; classID == "" {
			return PupilPage{}, nil
		}
	}
	if classID != "" {
		if _, err := s.reachClass(ctx, r, classID); err != nil {
			return PupilPage{}, err
		}
	}
	pupils, err := s.d.Directory.ListPupils(ctx, r.SchoolID, classID, token, size+1)
	if err != nil {
		return PupilPage{}, err
	}
	next := ""
	if len(pupils) > size {
		pupils = pupils[:size]
		next = pupils[size-1].StudentNo
	}
	views, err := s.views(ctx, pupils)
	return PupilPage{Pupils: views, Next: next}, err
}

// GetPupil returns a pupil the caller reaches, with balance and card.
func (s *Service) GetPupil(ctx context.Context, r Reach, accountID string) (PupilView, error) {
	p, err := s.ReachPupil(ctx, r, accountID)
	if err != nil {
		return PupilView{}, err
	}
	v, err := s.views(ctx, []Pupil{p})
	if err != nil {
		return PupilView{}, err
	}
	return v[0], nil
}

// views reads the accounts of pupils, openWorkers at a time.
func (s *Service) views(ctx context.Context, pupils []Pupil) ([]PupilView, error) {
	out := make([]PupilView, len(pupils))
	err := workers.ForEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
		st, err := s.d.Accounts.State(ctx, pupils[i].AccountID)
		if err != nil {
			return err
		}
		out[i].Pupil = pupils[i]
		if st.GetOpened() {
			out[i].BalanceFen, out[i].CardState, out[i].CardGeneration = st.GetBalanceFen(), st.GetCardState(), int64(st.GetCardGeneration())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reachClass returns a class of the caller's school that the caller reaches; any
// other is ErrNotReachable.
func (s *Service) reachClass(ctx context.Context, r Reach, classID string) (Class, error) {
	if directory.ValidateID("class", classID) != nil || !r.Class(classID) {
		return Class{}, ErrNotReachable
	}
	c, err := s.d.Directory.Class(ctx, r.SchoolID, classID)
	if errors.Is(err, directory.ErrNotFound) {
		return c, ErrNotReachable
	}
	return c, err
}

// ReachPupil returns a pupil the caller may see and act on; an unknown, foreign or
// out-of-reach one is ErrNotReachable.
func (s *Service) ReachPupil(ctx context.Context, r Reach, accountID string) (Pupil, error) {
	if directory.ValidateAccountID(accountID) != nil {
		return Pupil{}, ErrNotReachable
	}
	p, err := s.d.Directory.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return Pupil{}, ErrNotReachable
	}
	if err != nil {
		return Pupil{}, err
	}
	if !r.Pupil(p) {
		return Pupil{}, ErrNotReachable
	}
	return p, nil
}

// classTooLarge is the error of a class with more pupils than a sheet holds.
func classTooLarge(max int) error {
	return reason.New(reason.KindFailedPrecondition, reason.ClassTooLarge, fmt.Sprintf("more than %d pupils in the class", max))
}
