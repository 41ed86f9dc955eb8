package enrolment

import (
	"context"
	"errors"

	"github.com/onecode/onecode/persistence/directory"
)

// MaxClasses bounds the classes ListClasses answers (a school of 5,000 pupils has
// about 125).
const MaxClasses = 1_000

// ListClasses lists the classes the caller reaches, by id: the school's (at most
// MaxClasses) for school admins and finance, a teacher's own class (none for a
// teacher without a class or whose class is gone).
func (s *Service) ListClasses(ctx context.Context, r Reach) ([]Class, error) {
	if r.SchoolID == "" {
		return nil, nil
	}
	if !r.WholeSchool {
		if r.ClassID == "" {
			return nil, nil
		}
		c, err := s.d.Directory.Class(ctx, r.SchoolID, r.ClassID)
		if errors.Is(err, directory.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []Class{c}, nil
	}
	var out []Class
	after := ""
	for len(out) < MaxClasses {
		page, err := s.d.Directory.ListClasses(ctx, r.SchoolID, after, min(directory.MaxPage, MaxClasses-len(out)))
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < directory.MaxPage {
			break
		}
		after = page[len(page)-1].ID
	}
	return out, nil
}
