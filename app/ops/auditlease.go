package ops

import (
	"context"
	"log/slog"
	"time"
)

// auditLease names the wallet auditor's lease in the alarm store.
const auditLease = "wallet-auditor"

// Turn is one step of Run: it takes or renews the lease (at most every third of
// LeaseTTL) and, while it holds it, audits the next accounts (Step). held is
// false when another member audits (nothing was read). A lease lost (another
// member took it after this one failed to renew in time) drops the pass under
// way: the next holder starts its own.
func (a *Auditor) Turn(ctx context.Context) (held, done bool, err error) {
	if held, err = a.hold(ctx); !held {
		return false, false, err
	}
	done, err = a.Step(ctx)
	return true, done, err
}

// Holding reports whether this auditor audits now (it holds the lease, or needs
// none). Safe for concurrent use.
func (a *Auditor) Holding() bool { return a != nil && a.holding.Load() }

func (a *Auditor) hold(ctx context.Context) (bool, error) {
	if a.c.Holder == "" {
		a.holding.Store(true)
		return true, nil
	}
	now := a.c.Now()
	if a.held && now.Sub(a.renewed) < a.c.LeaseTTL/3 {
		return true, nil
	}
	ok, err := a.c.Alarms.store.AcquireLease(ctx, auditLease, a.c.Holder, a.c.LeaseTTL, now)
	if err != nil {
		ok = false // not renewed: another member may take over; stop auditing
	}
	switch {
	case ok && !a.held:
		a.c.Logger.Info("wallet auditor lease taken", slog.String("holder", a.c.Holder))
	case !ok && a.held:
		a.c.Logger.Warn("wallet auditor lease lost", slog.String("holder", a.c.Holder))
	}
	if !ok {
		a.cursor, a.open, a.schools = "", nil, nil
	} else {
		a.renewed = now
	}
	a.held = ok
	a.holding.Store(ok)
	return ok, err
}

// release gives the lease back (when held), within 2 s.
func (a *Auditor) release() {
	a.holding.Store(false)
	if a.c.Holder == "" || !a.held {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := a.c.Alarms.store.ReleaseLease(ctx, auditLease, a.c.Holder); err != nil {
		a.c.Logger.Warn("wallet auditor lease not released", slog.Any("error", err))
	}
	a.held = false
}
