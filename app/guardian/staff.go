package guardian

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/binding"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// Staff is the staff member who asks (id, school, role, a teacher's class).
type Staff = binding.Staff

// IssuedCode is a bind code to print once on a slip, with its expiry.
type IssuedCode struct {
	Code      string // formatted, e.g. "7KQ2M-XP4RD"
	ExpiresAt time.Time
}

// Guardian is a parent bound to a pupil, as staff see them.
type Guardian struct {
	ParentID, MaskedPhone, Relation string
	BoundAt                         time.Time
}

var errNotBound = reason.New(reason.KindNotFound, reason.NotBound, "this parent is not bound to the pupil")

// IssueCode issues the pupil's one-time bind code (a school admin, or the pupil's
// teacher), replacing any earlier one. The code is answered here only; the directory
// keeps its keyed hash and expiry. It is never logged.
func (s *Service) IssueCode(ctx context.Context, st Staff, accountID string) (IssuedCode, error) {
	pupil, err := s.staffPupil(ctx, st, accountID, binding.CanManageRole, binding.CanManage)
	if err != nil {
		return IssuedCode{}, err
	}
	code, err := binding.NewCode(s.c.Rand)
	if err != nil {
		return IssuedCode{}, err
	}
	exp := binding.CodeExpiry(s.c.Now()).UTC().Truncate(time.Second)
	if err := s.c.Directory.PutBindCode(ctx, directory.BindCode{AccountID: pupil.AccountID,
		Hash: binding.HashCode(s.c.CodeKey, pupil.AccountID, code), ExpiresAt: exp}); err != nil {
		return IssuedCode{}, err
	}
	s.c.Logger.Info("bind code issued", slog.String("account", pupil.AccountID), slog.String("staff", st.ID))
	return IssuedCode{Code: binding.FormatCode(code), ExpiresAt: exp}, nil
}

// Guardians lists the pupil's guardians (a school admin, or the pupil's teacher).
func (s *Service) Guardians(ctx context.Context, st Staff, accountID string) ([]Guardian, error) {
	pupil, err := s.staffPupil(ctx, st, accountID, binding.CanManageRole, binding.CanManage)
	if err != nil {
		return nil, err
	}
	gs, err := s.c.Directory.Guardians(ctx, pupil.AccountID)
	if err != nil {
		return nil, err
	}
	out := make([]Guardian, 0, len(gs))
	for _, g := range gs {
		par, err := s.c.Directory.ParentByID(ctx, g.ParentID)
		if err != nil {
			return nil, err
		}
		out = append(out, Guardian{ParentID: g.ParentID, MaskedPhone: par.PhoneMasked, Relation: g.Relation, BoundAt: g.CreatedAt})
	}
	return out, nil
}

// UnbindByStaff removes a parent's binding to a pupil (a school admin of the pupil's
// school); the remaining guardians are told.
func (s *Service) UnbindByStaff(ctx context.Context, st Staff, accountID, parentID string) error {
	pupil, err := s.staffPupil(ctx, st, accountID, binding.CanUnbindRole, binding.CanUnbind)
	if err != nil {
		return err
	}
	if directory.ValidateID("parent", parentID) != nil {
		return errNotBound
	}
	if err := s.unbind(ctx, pupil, parentID, binding.EventUnboundStaff); err != nil {
		return err
	}
	s.c.Logger.Info("guardian unbound", slog.String("account", pupil.AccountID), slog.String("parent", parentID), slog.String("staff", st.ID))
	return nil
}

// Unbind removes the parent's own binding to a child; the other guardians are told.
func (s *Service) Unbind(ctx context.Context, parentID, accountID string) error {
	pupil, err := s.guardedPupil(ctx, parentID, accountID)
	if err != nil {
		return err
	}
	if err := s.unbind(ctx, pupil, parentID, binding.EventUnbound); err != nil {
		if errors.Is(err, errNotBound) {
			return ErrNotReachable // unbound concurrently
		}
		return err
	}
	s.c.Logger.Info("guardian unbound", slog.String("account", pupil.AccountID), slog.String("parent", parentID), slog.String("by", "parent"))
	return nil
}

// unbind deletes the binding and queues the notice of event to the others.
func (s *Service) unbind(ctx context.Context, pupil directory.Pupil, parentID, event string) error {
	par, err := s.c.Directory.ParentByID(ctx, parentID)
	if errors.Is(err, directory.ErrNotFound) {
		return errNotBound
	}
	if err != nil {
		return err
	}
	n := binding.NewNotice(event, actors.MaskName(pupil.Name), binding.MaskStudentNo(pupil.StudentNo),
		par.PhoneMasked, "", s.c.Now())
	var legacy *directory.Message
	if s.c.Notices == nil {
		legacy = &directory.Message{Topic: directory.TopicBinding, Payload: n.Payload()}
	}
	err = s.c.Directory.Unbind(ctx, parentID, pupil.AccountID, legacy)
	if errors.Is(err, directory.ErrNotFound) {
		return errNotBound
	}
	if err == nil {
		s.tellGuardians(ctx, pupil, parentID, n, notify.GuardianChange{MaskedPhone: par.PhoneMasked})
	}
	return err
}

// staffPupil returns the pupil if st's role may act at all (role) and reaches it
// (reach); a pupil out of reach answers as an unknown one.
func (s *Service) staffPupil(ctx context.Context, st Staff, accountID string, role func(binding.Role) error,
	reach func(binding.Staff, binding.Pupil) error) (directory.Pupil, error) {
	if role(st.Role) != nil {
		return directory.Pupil{}, ErrRoleNotAllowed
	}
	if directory.ValidateAccountID(accountID) != nil {
		return directory.Pupil{}, ErrNotReachable
	}
	pupil, err := s.c.Directory.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return pupil, ErrNotReachable
	}
	if err != nil {
		return pupil, err
	}
	switch err := reach(st, binding.Pupil{SchoolID: pupil.SchoolID, ClassID: pupil.ClassID}); {
	case errors.Is(err, binding.ErrRoleNotAllowed):
		return pupil, ErrRoleNotAllowed
	case err != nil:
		return pupil, ErrNotReachable
	}
	return pupil, nil
}
