package fees

import (
	"context"
	"fmt"

	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	feestore "github.com/onecode/onecode/persistence/fees"
)

// ErrNoNotices: reminders need the notice outbox (Deps.Notices), which is not wired.
var ErrNoNotices = reason.New(reason.KindUnavailable, reason.Unavailable, "reminders are not configured")

// Reminded is what a reminder run did.
type Reminded struct {
	// Queued notices now; Skipped bills already reminded on this China day.
	Queued, Skipped int
}

// RemindUnpaid queues a fee reminder to the guardians of every unpaid bill of the
// item (of one class; a teacher: their class). A bill is reminded at most once per
// China (Asia/Shanghai) day: the notice's cause is the bill and that day, so the
// outbox's dedupe key refuses a second one; a reminder made in quiet hours
// (21:00–07:00) waits in the outbox until 07:00 (notify.SendAt).
func (s *Service) RemindUnpaid(ctx context.Context, st Staff, itemID, classID string) (Reminded, error) {
	it, bills, err := s.UnpaidBills(ctx, st, itemID, classID)
	if err != nil {
		return Reminded{}, err
	}
	if s.d.Notices == nil {
		return Reminded{}, ErrNoNotices
	}
	day := s.d.Now().In(shanghai).Format("20060102")
	var out Reminded
	for _, b := range bills {
		p, err := s.d.Directory.PupilByAccount(ctx, b.AccountID)
		if err != nil {
			return out, failure.Classify(err)
		}
		_, created, err := s.d.Notices.Enqueue(ctx, notify.Notice{Kind: notify.KindFeeReminder, Cause: "bill:" + it.ID + ":" + day,
			SchoolID: it.SchoolID, Recipient: b.AccountID, Params: map[string]string{"name": masked(p.Name),
				"item": clipTitle(it.Title), "amount": money.Amount(b.DueFen - b.PaidFen - b.ExemptedFen).String(), "due": it.Due.String()}})
		if err != nil {
			return out, failure.Classify(err)
		}
		if created {
			out.Queued++
		} else {
			out.Skipped++
		}
	}
	s.log.Info("fee reminders", "item", it.ID, "queued", out.Queued, "skipped", out.Skipped, "staff", st.ID)
	if st.ClassID != "" {
		classID = st.ClassID
	}
	// One reminder a day per bill, so one row a day per class reminded.
	key := "remind:" + day + ":" + classID
	if err := s.journal(ctx, st, feestore.ChangeRemind, it.ID, key, "", fmt.Sprintf("class %q: %d queued, %d skipped", classID, out.Queued, out.Skipped)); err != nil {
		return Reminded{}, err
	}
	return out, nil
}
