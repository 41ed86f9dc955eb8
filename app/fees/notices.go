package fees

import (
	"context"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/directory"
)

// notePublished queues the fee_published notices of a page of an item's bills
// (at most outbox.MaxPage) to the guardians of their pupils (each notice's
// recipient is the account), in one statement. Their cause is the item, so a
// re-run publish (an interrupted one completed) queues nothing twice. Without
// the notice outbox it does nothing.
func (s *Service) notePublished(ctx context.Context, it Item, page []directory.Pupil) error {
	if s.d.Notices == nil || len(page) == 0 {
		return nil
	}
	list := make([]notify.Notice, len(page))
	for i, p := range page {
		list[i] = notify.Notice{Kind: notify.KindFeePublished, Cause: "item:" + it.ID,
			SchoolID: it.SchoolID, Recipient: p.AccountID, Params: map[string]string{"name": masked(p.Name),
				"item": clipTitle(it.Title), "amount": it.Amount.String(), "due": it.Due.String()}}
	}
	_, err := s.d.Notices.EnqueueMany(ctx, list)
	return err
}

// DueTomorrow queues a fee_due_tomorrow notice to the guardians of every unpaid
// bill, in every school, of a published item whose last day to pay is tomorrow
// (China time). A bill is told at most once per China day: the notice's cause is
// the bill and today, so the outbox's dedupe key refuses the runs after the
// first; one made in quiet hours waits until 07:00 (notify.SendAt).
func (s *Service) DueTomorrow(ctx context.Context) (Reminded, error) {
	if s.d.Notices == nil {
		return Reminded{}, ErrNoNotices
	}
	now := s.d.Now().In(shanghai)
	today := now.Format("20060102")
	tomorrow := schoolday.Of(now.AddDate(0, 0, 1))
	var out Reminded
	after := ""
	for {
		items, err := s.d.Store.PublishedDueOn(ctx, tomorrow, after, MaxPage)
		if err != nil {
			return out, s.storeError("items due", err)
		}
		for _, it := range items {
			if err := s.dueTomorrow(ctx, it, today, &out); err != nil {
				return out, err
			}
		}
		if len(items) < MaxPage {
			return out, nil
		}
		after = items[len(items)-1].ID
	}
}

// dueTomorrow queues the notices of one item's unpaid bills.
func (s *Service) dueTomorrow(ctx context.Context, it Item, today string, out *Reminded) error {
	bills, err := s.unpaidBills(ctx, it.ID, "")
	if err != nil {
		return err
	}
	for _, b := range bills {
		p, err := s.d.Directory.PupilByAccount(ctx, b.AccountID)
		if err != nil {
			return failure.Classify(err)
		}
		_, created, err := s.d.Notices.Enqueue(ctx, notify.Notice{Kind: notify.KindFeeDueTomorrow, Cause: "bill:" + it.ID + ":" + today,
			SchoolID: it.SchoolID, Recipient: b.AccountID, Params: map[string]string{"name": masked(p.Name),
				"item": clipTitle(it.Title), "amount": money.Amount(b.DueFen - b.PaidFen - b.ExemptedFen).String(), "due": it.Due.String()}})
		if err != nil {
			return failure.Classify(err)
		}
		if created {
			out.Queued++
		} else {
			out.Skipped++
		}
	}
	return nil
}

// DefaultDueTomorrowEvery is how often RunDueTomorrow looks for bills due tomorrow.
const DefaultDueTomorrowEvery = time.Hour

// RunDueTomorrow runs DueTomorrow at once and then every interval (default an
// hour) until ctx ends. Runs after the first of a China day queue nothing more
// for the bills already told; a failed run is retried at the next tick.
func (s *Service) RunDueTomorrow(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = DefaultDueTomorrowEvery
	}
	workers.Every(ctx, func(ctx context.Context) time.Duration {
		r, err := s.DueTomorrow(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("fee due-tomorrow notices", slog.Any("err", err))
		} else if r.Queued > 0 {
			s.log.Info("fee due-tomorrow notices", slog.Int("queued", r.Queued), slog.Int("skipped", r.Skipped))
		}
		return every
	})
}

// masked is a pupil's name as notices show it ("*" for a pupil without one).
func masked(name string) string {
	if m := actors.MaskName(name); m != "" {
		return m
	}
	return "*"
}

// clipTitle cuts an item's title (up to 100 characters) to the 64 bytes a notice
// parameter may hold, at a character boundary, marking the cut with "…".
func clipTitle(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
