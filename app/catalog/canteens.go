package catalog

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/onecode/onecode/app/schools"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// PutCanteen creates or renames canteen c (name trimmed) within sc and answers the
// canteen put. Staff put canteens of their own school (c.SchoolID is theirs); the
// operator's school must exist (SCHOOL_NOT_FOUND). A canteen never moves to another
// school: the id of another school's canteen, whether seen first or created
// meanwhile, changes nothing and answers the operator AlreadyExists
// CANTEEN_OF_OTHER_SCHOOL, staff ErrNotReachable.
func (s *Service) PutCanteen(ctx context.Context, sc Scope, c Canteen) (Canteen, error) {
	if !sc.operator {
		c.SchoolID = sc.schoolID
	}
	c.Name = strings.TrimSpace(c.Name)
	if err := directory.ValidateCanteen(&c); err != nil {
		return Canteen{}, schools.InvalidInput(err)
	}
	foreign := error(ErrNotReachable)
	if sc.operator {
		if _, err := schools.Find(ctx, s.dir, c.SchoolID); err != nil {
			return Canteen{}, err
		}
		foreign = reason.New(reason.KindAlreadyExists, reason.CanteenOfOtherSchool, "canteen "+c.ID+" belongs to another school")
	} else {
		old, err := s.dir.Canteen(ctx, c.ID)
		switch {
		case err == nil && old.SchoolID != c.SchoolID:
			return Canteen{}, ErrNotReachable
		case err != nil && !errors.Is(err, directory.ErrNotFound):
			return Canteen{}, err
		}
	}
	err := s.dir.PutCanteen(ctx, c)
	if errors.Is(err, directory.ErrConflict) {
		return Canteen{}, foreign
	}
	if err != nil {
		return Canteen{}, err
	}
	if !sc.operator {
		s.log.Info("canteen put", append([]any{slog.String("school", c.SchoolID), slog.String("canteen", c.ID)}, sc.logAttrs()...)...)
	}
	return c, nil
}
