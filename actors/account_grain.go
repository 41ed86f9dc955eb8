package actors

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/scheduler"

	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Grain error reasons the Accounts client understands.
const (
	reasonRetry          = "RETRY"           // stale activation: ask again, the live owner answers
	reasonOutcomeUnknown = "OUTCOME_UNKNOWN" // ask again with the same key
	reasonUnavailable    = "UNAVAILABLE"
)

// passivateTick asks an activation whether it has been idle long enough to stop.
type passivateTick struct{}

// accountGrain adapts accountCore to the generated grain interface.
type accountGrain struct {
	deps     *AccountDeps
	core     *accountCore
	loadErr  error
	lastUsed time.Time
	stopTick scheduler.CancelFunc
}

// NewAccountKind is the cluster kind of the Account grain. Passivation is ours (the
// generated receive-timeout is off: protoactor's receive-timeout passivation races).
func NewAccountKind(deps *AccountDeps) *cluster.Kind {
	return grainv1.NewAccountGrainServiceKind(func() grainv1.AccountGrainService {
		return &accountGrain{deps: deps}
	}, 0, actor.WithDispatcher(newWorkerDispatcher(mailboxThroughput)),
		actor.WithMailbox(deps.Mailboxes.Producer(MailboxKindAccount, "")))
}

func (g *accountGrain) Init(ctx cluster.GrainContext) {
	g.core = newAccountCore(ctx.Identity(), g.deps)
	g.lastUsed = g.deps.Now()
	if st := g.deps.Stats; st != nil {
		st.Activated.Add(1)
	}
	if err := g.core.load(context.Background()); err != nil {
		if st := g.deps.Stats; st != nil {
			st.LoadFailure.Add(1)
		}
		g.loadErr = err
		g.deps.Logger.Error("account activation failed", slog.String("account", ctx.Identity()), slog.Any("error", err))
	}
	if g.deps.IdleTimeout > 0 {
		every := g.deps.IdleTimeout / 2
		g.stopTick = scheduler.NewTimerScheduler(ctx).SendRepeatedly(every, every, ctx.Self(), &passivateTick{})
	}
}

func (g *accountGrain) Terminate(cluster.GrainContext) {
	// Nothing to persist: every acknowledged change is already committed.
	if g.stopTick != nil {
		g.stopTick()
	}
}

func (g *accountGrain) ReceiveDefault(ctx cluster.GrainContext) {
	if _, ok := ctx.Message().(*passivateTick); ok && g.deps.Now().Sub(g.lastUsed) >= g.deps.IdleTimeout {
		if st := g.deps.Stats; st != nil {
			st.Passivated.Add(1)
		}
		ctx.Poison(ctx.Self())
	}
}

func (g *accountGrain) Execute(req *grainv1.ExecuteRequest, ctx cluster.GrainContext) (*grainv1.ExecuteResponse, error) {
	g.lastUsed = g.deps.Now()
	if g.loadErr != nil {
		g.stop(ctx)
		return nil, cluster.NewGrainErrorResponse(reasonUnavailable, "account could not be loaded")
	}
	resp, err := g.core.execute(context.Background(), req)
	if err != nil {
		// This activation's state can no longer be trusted: stop, and let the caller
		// ask again (a new activation loads the committed truth).
		g.stop(ctx)
		reason := reasonUnavailable
		switch {
		case errors.Is(err, ErrStaleActivation):
			reason = reasonRetry
			if st := g.deps.Stats; st != nil {
				st.StaleStops.Add(1)
			}
		case errors.Is(err, ErrOutcomeUnknown):
			reason = reasonOutcomeUnknown
		}
		g.deps.Logger.Warn("account command failed", slog.String("account", ctx.Identity()), slog.String("reason", reason), slog.Any("error", err))
		return nil, cluster.NewGrainErrorResponse(reason, err.Error())
	}
	return resp, nil
}

func (g *accountGrain) GetState(_ *grainv1.GetStateRequest, ctx cluster.GrainContext) (*grainv1.GetStateResponse, error) {
	g.lastUsed = g.deps.Now()
	if g.loadErr != nil {
		g.stop(ctx)
		return nil, cluster.NewGrainErrorResponse(reasonUnavailable, "account could not be loaded")
	}
	return g.core.stateResponse(), nil
}

func (g *accountGrain) stop(ctx cluster.GrainContext) {
	ctx.Poison(ctx.Self())
}

var _ actor.Actor = (*grainv1.AccountGrainServiceActor)(nil)
