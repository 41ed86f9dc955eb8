package guardian

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/binding"
	"github.com/onecode/onecode/persistence/directory"
)

// tellGuardians queues the notice of a binding change (of parent, event n) to
// the pupil's other guardians in the notices' outbox, after the change
// committed. The change's cause (parent, account, event, time) is its dedupe
// key. A crash between the commit and this call loses the notice: the
// directory's old outbox queued it in the change's transaction, the notices'
// outbox is another store. A failure is logged, the change stands.
func (s *Service) tellGuardians(ctx context.Context, pupil directory.Pupil, parentID string, n binding.Notice, c notify.GuardianChange) {
	if s.c.Notices == nil {
		return
	}
	gs, err := s.c.Directory.Guardians(ctx, pupil.AccountID)
	if err == nil {
		for _, g := range gs {
			if g.ParentID != parentID {
				c.Recipients = append(c.Recipients, g.ParentID)
			}
		}
		sum := sha256.Sum256([]byte(parentID + "\x00" + pupil.AccountID + "\x00" + n.Event + "\x00" + n.At))
		c.Cause = n.Event + ":" + hex.EncodeToString(sum[:12])
		c.SchoolID, c.MaskedName, c.MaskedStudentNo = pupil.SchoolID, n.MaskedName, n.MaskedStudentNo
		err = s.c.Notices.EnqueueGuardianChange(ctx, c)
	}
	if err != nil {
		s.c.Logger.Error("guardian change notices not queued", slog.String("account", pupil.AccountID), slog.String("event", n.Event), slog.Any("error", err))
	}
}
