package ops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/journal"
)

// AuditConfig bounds the wallet auditor.
type AuditConfig struct {
	Reader journal.AuditReader
	Alarms *Alarms
	// AccountsPerStep are the accounts audited per step (default 50, at most
	// journal.MaxAuditPage); Every is the pause between steps (default 200 ms), so
	// a pass over N accounts takes about N/AccountsPerStep × Every and the
	// auditor never competes with the writers for long.
	AccountsPerStep int
	Every           time.Duration
	// Rest is the pause after a complete pass (default 1 min), so that a small
	// journal is not read over and over.
	Rest time.Duration
	// MaxEvents bounds the events read for one account (default 100,000); a
	// longer account is skipped with a warning.
	MaxEvents int
	// Holder names this member for the auditor's lease in the alarm store: of the
	// members configured to audit, one holds it and audits, another takes over
	// within LeaseTTL (default 30 s) when it stops renewing (auditlease.go).
	// Empty: no lease, this auditor always runs (one process).
	Holder   string
	LeaseTTL time.Duration
	Now      func() time.Time // the lease clock, default time.Now
	Logger   *slog.Logger
}

// Auditor walks the journal account by account, in bounded steps on read
// connections, and alarms on a wallet anomaly: an account whose latest snapshot
// differs from the fold of its events, or with an event whose postings do not
// sum to zero; and, at the end of each pass, on a school whose ledger does not
// sum to zero. What it finds healthy again is cleared.
type Auditor struct {
	c AuditConfig

	cursor  string
	open    map[string]bool  // wallet alarms open at the start of the pass
	schools map[string]int64 // posting sums of the pass per school

	held    bool        // the lease is this auditor's
	renewed time.Time   // when it was last acquired or renewed
	holding atomic.Bool // held, for Holding (read by the metrics)
}

// AccountReport is what the auditor found on one account.
type AccountReport struct {
	SchoolID string
	Events   int
	Sum      int64    // of every posting of every event
	Problems []string // empty: healthy
}

// NewAuditor validates c and returns the Auditor.
func NewAuditor(c AuditConfig) (*Auditor, error) {
	if c.Reader == nil || c.Alarms == nil {
		return nil, errors.New("ops: an Auditor needs a Reader and Alarms")
	}
	if c.AccountsPerStep == 0 {
		c.AccountsPerStep = 50
	}
	if c.Every == 0 {
		c.Every = 200 * time.Millisecond
	}
	if c.MaxEvents == 0 {
		c.MaxEvents = 100_000
	}
	if c.Rest == 0 {
		c.Rest = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = 30 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.AccountsPerStep < 1 || c.AccountsPerStep > journal.MaxAuditPage || c.Every < 0 || c.Rest < 0 || c.MaxEvents < 1 ||
		c.LeaseTTL < time.Second || c.LeaseTTL > alarms.MaxLeaseTTL {
		return nil, fmt.Errorf("ops: audit bounds %+v out of range", c)
	}
	return &Auditor{c: c}, nil
}

// Run steps while it holds the lease, until ctx ends: Every between steps, Rest
// after each pass, a third of LeaseTTL between tries when another member holds
// the lease. At the end it releases the lease, so another member takes over at
// once.
func (a *Auditor) Run(ctx context.Context) {
	defer a.release()
	for {
		held, done, err := a.Turn(ctx)
		if err != nil && ctx.Err() == nil {
			a.c.Logger.Warn("wallet auditor", slog.Any("error", err))
		}
		pause := a.c.Every
		switch {
		case !held:
			pause = a.c.LeaseTTL / 3
		case done:
			pause = a.c.Rest
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Pass runs steps until one pass over every account is complete.
func (a *Auditor) Pass(ctx context.Context) error {
	for {
		done, err := a.Step(ctx)
		if err != nil || done {
			return err
		}
	}
}

// Step audits the next AccountsPerStep accounts; done reports the end of a pass
// (then the per-school sums are checked and the next step starts over).
func (a *Auditor) Step(ctx context.Context) (done bool, err error) {
	if a.open == nil {
		keys, err := a.c.Alarms.store.OpenKeys(ctx, prefix(KindWalletAnomaly, ""))
		if err != nil {
			return false, fmt.Errorf("ops: open wallet alarms: %w", err)
		}
		a.open, a.schools = make(map[string]bool, len(keys)), map[string]int64{}
		for _, k := range keys {
			a.open[k] = true
		}
	}
	ids, err := a.c.Reader.AuditAccounts(ctx, a.cursor, a.c.AccountsPerStep)
	if err != nil {
		return false, fmt.Errorf("ops: audit accounts: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := a.auditOne(ctx, id); err != nil {
			errs = append(errs, err)
		}
		a.cursor = id
	}
	if len(ids) < a.c.AccountsPerStep {
		errs = append(errs, a.endPass(ctx))
		return true, errors.Join(errs...)
	}
	return false, errors.Join(errs...)
}

func (a *Auditor) auditOne(ctx context.Context, id string) error {
	r, err := a.Audit(ctx, id)
	if err != nil {
		return err
	}
	a.schools[r.SchoolID] += r.Sum
	key := Key(KindWalletAnomaly, "", accountRef(id))
	if len(r.Problems) == 0 {
		if a.open[key] {
			_, err := a.c.Alarms.Clear(ctx, key)
			return err
		}
		return nil
	}
	_, _, err = a.c.Alarms.Raise(ctx, Alarm{Key: key, Kind: KindWalletAnomaly, Level: Critical, SchoolID: r.SchoolID,
		Subject: MaskAccount(id), Message: "wallet " + MaskAccount(id) + ": " + clipText(strings.Join(r.Problems, "; "))})
	return err
}

func (a *Auditor) endPass(ctx context.Context) error {
	var active []Alarm
	for school, sum := range a.schools {
		if sum != 0 {
			active = append(active, Alarm{Key: Key(KindLedgerImbalance, "", school), Kind: KindLedgerImbalance, Level: Critical,
				SchoolID: school, Subject: school,
				Message: fmt.Sprintf("the ledger of school %s sums to %d fen, not zero", school, sum)})
		}
	}
	err := a.c.Alarms.Sync(ctx, prefix(KindLedgerImbalance, ""), active, nil)
	a.cursor, a.open, a.schools = "", nil, nil
	return err
}

// Audit checks one account: every event's postings sum to zero, the sequence
// has no gap, and the latest snapshot equals the fold of the events up to it.
func (a *Auditor) Audit(ctx context.Context, id string) (AccountReport, error) {
	snap, err := a.c.Reader.LatestSnapshot(ctx, id)
	if err != nil {
		return AccountReport{}, fmt.Errorf("ops: audit snapshot: %w", err)
	}
	var (
		r     AccountReport
		state account.State
		after int64
	)
	for r.Events < a.c.MaxEvents {
		page, err := a.c.Reader.AuditEvents(ctx, id, after, min(journal.MaxAuditPage, a.c.MaxEvents-r.Events))
		if err != nil {
			return AccountReport{}, fmt.Errorf("ops: audit events: %w", err)
		}
		for _, e := range page {
			if state, err = a.fold(&r, state, e); err != nil {
				r.SchoolID = state.SchoolID
				return r, nil // undecodable: reported as a problem, not folded further
			}
			if snap != nil && e.Seq == snap.Seq {
				r.Problems = append(r.Problems, compareSnapshot(snap, state)...)
			}
			after = e.Seq
		}
		if len(page) == 0 || r.Events >= a.c.MaxEvents {
			break
		}
	}
	if r.Events >= a.c.MaxEvents {
		a.c.Logger.Warn("wallet auditor: account too long, audited in part", slog.String("account", MaskAccount(id)))
	}
	if snap != nil && snap.Seq > after {
		r.Problems = append(r.Problems, fmt.Sprintf("snapshot at seq %d beyond the last event %d", snap.Seq, after))
	}
	r.SchoolID = state.SchoolID
	return r, nil
}

// errUndecodable stops the fold of an account at an event the codec refuses.
var errUndecodable = errors.New("undecodable event")

func (a *Auditor) fold(r *AccountReport, s account.State, e journal.Event) (account.State, error) {
	r.Events++
	var sum int64
	for _, p := range e.Postings {
		sum += p.Amount
	}
	r.Sum += sum
	if sum != 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("postings of event %d sum to %d fen", e.Seq, sum))
	}
	if uint64(e.Seq) != s.Seq+1 {
		r.Problems = append(r.Problems, fmt.Sprintf("event %d follows seq %d", e.Seq, s.Seq))
	}
	ev, err := codec.DecodeEvent(e.Type, e.Data)
	if err != nil {
		r.Problems = append(r.Problems, fmt.Sprintf("event %d does not decode", e.Seq))
		return s, errUndecodable
	}
	return account.Apply(s, ev), nil
}

// compareSnapshot compares a snapshot with the folded state at its seq, both
// through the codec (so that encodings, not representations, are compared).
func compareSnapshot(snap *journal.Snapshot, folded account.State) []string {
	stored, err := codec.DecodeState(snap.Data)
	if err != nil {
		return []string{fmt.Sprintf("snapshot at seq %d does not decode", snap.Seq)}
	}
	enc, err := codec.EncodeState(folded)
	if err != nil {
		return []string{fmt.Sprintf("the fold at seq %d does not encode", snap.Seq)}
	}
	want, err := codec.DecodeState(enc)
	if err != nil {
		return []string{fmt.Sprintf("the fold at seq %d does not decode", snap.Seq)}
	}
	if reflect.DeepEqual(stored, want) {
		return nil
	}
	if stored.Balance != want.Balance {
		return []string{fmt.Sprintf("snapshot at seq %d holds balance %d fen, the events fold to %d", snap.Seq,
			stored.Balance, want.Balance)}
	}
	return []string{fmt.Sprintf("snapshot at seq %d differs from the fold of its events", snap.Seq)}
}

// accountRef names an account in a dedupe key without its student number: the
// first 16 bytes of its SHA-256, hex.
func accountRef(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:16])
}

// MaskAccount shows an account id (acc_<school>_<student no>) with all but the
// last four characters of the student number starred, for alarms and logs.
func MaskAccount(id string) string {
	i := strings.LastIndexByte(id, '_')
	if i < 0 {
		i = 0
	} else {
		i++
	}
	tail := id[i:]
	if len(tail) <= 4 {
		return id[:i] + strings.Repeat("*", len(tail))
	}
	return clip(id[:i] + strings.Repeat("*", len(tail)-4) + tail[len(tail)-4:])
}
