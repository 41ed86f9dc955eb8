package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/alarms"
)

// Alarm is a stored alarm (persistence/alarms).
type Alarm = alarms.Alarm

// Level is an alarm's urgency.
type Level = alarms.Level

// Levels.
const (
	Warning  = alarms.Warning
	Critical = alarms.Critical
)

// Kinds of alarm, the first part of their dedupe keys.
const (
	KindTerminalOffline = "terminal_offline"
	KindIllegalAccess   = "illegal_access"
	KindWalletAnomaly   = "wallet_anomaly"
	KindLedgerImbalance = "ledger_imbalance"
	KindJournal         = "journal"
	KindBreakerOpen     = "breaker_open"
	KindOrderOverdue    = "order_overdue"
)

// Key is the dedupe key of an alarm of kind about subject, within scope (a
// member for what each member sees alone; "" for what the switch sees as one).
func Key(kind, scope, subject string) string {
	if scope == "" {
		return kind + "/" + subject
	}
	return kind + "/" + scope + "/" + subject
}

// prefix is the key prefix of kind within scope.
func prefix(kind, scope string) string { return Key(kind, scope, "") }

// Notifier delivers a newly raised alarm to the operators (e-mail, SMS). It is
// called once per alarm, when raised; a failure is logged, the alarm stays.
type Notifier interface {
	NotifyAlarm(ctx context.Context, a Alarm) error
}

// The errors of the alarm use cases.
var (
	errAlarmNotFound = reason.New(reason.KindNotFound, reason.NotFound, "no such alarm")
	errBadPage       = reason.New(reason.KindInvalid, reason.InvalidArgument, "page size must be 1..500 and the page token one this API gave")
)

// Alarms raises, clears, lists and acknowledges alarms.
type Alarms struct {
	store  alarms.Store
	notify Notifier
	now    func() time.Time
	logger *slog.Logger
	// notifyTimeout bounds one delivery.
	notifyTimeout time.Duration
}

// NewAlarms returns the alarms on store; notify (optional) delivers new alarms.
func NewAlarms(store alarms.Store, notify Notifier, now func() time.Time, logger *slog.Logger) *Alarms {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Alarms{store: store, notify: notify, now: now, logger: logger, notifyTimeout: 10 * time.Second}
}

// Raise opens the alarm a (its Key, Kind and Level set; RaisedAt is now) or counts
// one more occurrence of the open one. A new alarm is delivered once.
func (s *Alarms) Raise(ctx context.Context, a Alarm) (Alarm, bool, error) {
	a.RaisedAt = s.now()
	got, created, err := s.store.Raise(ctx, a)
	if err != nil {
		return Alarm{}, false, fmt.Errorf("ops: raise %s: %w", a.Key, err)
	}
	if created {
		s.logger.Warn("alarm raised", slog.Int64("alarm", got.ID), slog.String("kind", got.Kind),
			slog.String("level", string(got.Level)), slog.String("key", got.Key))
		if s.notify != nil {
			nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.notifyTimeout)
			if err := s.notify.NotifyAlarm(nctx, got); err != nil {
				s.logger.Warn("alarm not delivered", slog.Int64("alarm", got.ID), slog.Any("error", err))
			}
			cancel()
		}
	}
	return got, created, nil
}

// Clear closes the open alarm of key (re-arming it); false when none was open.
func (s *Alarms) Clear(ctx context.Context, key string) (bool, error) {
	ok, err := s.store.Clear(ctx, key, s.now())
	if err != nil {
		return false, fmt.Errorf("ops: clear %s: %w", key, err)
	}
	if ok {
		s.logger.Info("alarm cleared", slog.String("key", key))
	}
	return ok, nil
}

// Sync makes the open alarms under prefix (a kind and a scope, "breaker_open/m1/")
// exactly active: each is raised (or counted again), and every other open alarm
// under prefix that known accepts (nil: every one) is cleared. A source that sees
// the whole state of what it watches (open breakers, offline terminals) uses it,
// so that what healed is cleared and re-armed; known keeps a member from clearing
// what only another member sees.
func (s *Alarms) Sync(ctx context.Context, prefix string, active []Alarm, known func(key string) bool) error {
	keep := make(map[string]bool, len(active))
	var errs []error
	for _, a := range active {
		keep[a.Key] = true
		if _, _, err := s.Raise(ctx, a); err != nil {
			errs = append(errs, err)
		}
	}
	open, err := s.store.OpenKeys(ctx, prefix)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("ops: open %s alarms: %w", prefix, err))...)
	}
	for _, k := range open {
		if keep[k] || known != nil && !known(k) {
			continue
		}
		if _, err := s.Clear(ctx, k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// List returns a page of alarms newest first (operators only): the open ones,
// or all; pageSize 0 is 100; pageToken is the next token of the previous page.
func (s *Alarms) List(ctx context.Context, openOnly bool, pageSize int, pageToken string) ([]Alarm, string, error) {
	if _, err := RequireOperator(ctx); err != nil {
		return nil, "", err
	}
	if pageSize == 0 {
		pageSize = 100
	}
	var before int64
	if pageToken != "" {
		v, err := strconv.ParseInt(pageToken, 10, 64)
		if err != nil || v <= 0 {
			return nil, "", errBadPage
		}
		before = v
	}
	if pageSize < 1 || pageSize > alarms.MaxListLimit {
		return nil, "", errBadPage
	}
	list, err := s.store.List(ctx, alarms.Filter{OpenOnly: openOnly, BeforeID: before, Limit: pageSize})
	if err != nil {
		return nil, "", fmt.Errorf("ops: alarms: %w", err)
	}
	next := ""
	if len(list) == pageSize {
		next = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	return list, next, nil
}

// Acknowledge records that the calling operator saw alarm id (operators only). An
// alarm acknowledged before keeps its first acknowledgement.
func (s *Alarms) Acknowledge(ctx context.Context, id int64) (Alarm, error) {
	who, err := RequireOperator(ctx)
	if err != nil {
		return Alarm{}, err
	}
	a, err := s.store.Acknowledge(ctx, id, who, s.now())
	if errors.Is(err, alarms.ErrNotFound) {
		return Alarm{}, errAlarmNotFound
	}
	if err != nil {
		return Alarm{}, fmt.Errorf("ops: acknowledge %d: %w", id, err)
	}
	s.logger.Info("alarm acknowledged", slog.Int64("alarm", id))
	return a, nil
}

// clip bounds an id used in a key or subject.
func clip(s string) string {
	if len(s) > alarms.MaxIDLen {
		s = s[:alarms.MaxIDLen]
	}
	return strings.ToValidUTF8(s, "?")
}
