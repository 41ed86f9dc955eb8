package actors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/cluster"

	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// OutcomeUnknownError says a command may or may not have committed. Ask again with the
// same idempotency key: the journal answers with the first outcome, or the command runs.
type OutcomeUnknownError struct {
	Account string
	IdemKey string
	Cause   error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("outcome of command %q on account %q unknown: %v", e.IdemKey, e.Account, e.Cause)
}

// Is makes errors.Is(err, ErrOutcomeUnknown) true.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

func (e *OutcomeUnknownError) Unwrap() error { return e.Cause }

// Accounts calls Account grains with explicit timeouts and retries on every call
// (protoactor's per-call options otherwise fall back to a shared default).
type Accounts struct {
	cluster *cluster.Cluster
	// CallTimeout bounds one grain request; Attempts bounds the retries after a stale
	// activation or a lost reply.
	CallTimeout time.Duration
	Attempts    int
}

// NewAccounts returns a client of the Account grains of c.
func NewAccounts(c *cluster.Cluster, callTimeout time.Duration, attempts int) *Accounts {
	if attempts < 1 {
		attempts = 1
	}
	return &Accounts{cluster: c, CallTimeout: callTimeout, Attempts: attempts}
}

func (a *Accounts) opts() []cluster.GrainCallOption {
	return []cluster.GrainCallOption{
		cluster.WithTimeout(a.CallTimeout),
		cluster.WithRetryCount(3),
		cluster.WithRetryAction(func(i int) int {
			time.Sleep(time.Duration(i+1) * 10 * time.Millisecond)
			return i + 1
		}),
	}
}

// Execute runs one command on the account. The error is nil for accepted and declined
// commands alike; an *OutcomeUnknownError means ask again with the same key.
func (a *Accounts) Execute(ctx context.Context, accountID string, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, error) {
	client := grainv1.GetAccountGrainServiceGrainClient(a.cluster, accountID)
	var last error
	for i := 0; i < a.Attempts; i++ {
		if err := ctx.Err(); err != nil {
			return nil, &OutcomeUnknownError{Account: accountID, IdemKey: req.GetIdemKey(), Cause: err}
		}
		resp, err := client.Execute(req, a.opts()...)
		if err == nil {
			return resp, nil
		}
		last = err
		if !retryable(err) {
			break
		}
	}
	return nil, &OutcomeUnknownError{Account: accountID, IdemKey: req.GetIdemKey(), Cause: last}
}

// State returns the committed state of the account.
func (a *Accounts) State(ctx context.Context, accountID string) (*grainv1.GetStateResponse, error) {
	client := grainv1.GetAccountGrainServiceGrainClient(a.cluster, accountID)
	var last error
	for i := 0; i < a.Attempts; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		resp, err := client.GetState(&grainv1.GetStateRequest{}, a.opts()...)
		if err == nil {
			return resp, nil
		}
		last = err
		if !retryable(err) {
			break
		}
	}
	return nil, fmt.Errorf("%w: %v", ErrUnavailable, last)
}

// retryable: the grain stopped itself (stale, unknown outcome, failed load) or the reply
// was lost; asking again with the same key is always safe.
func retryable(err error) bool {
	var ge *cluster.GrainErrorResponse
	if errors.As(err, &ge) {
		return ge.Reason == reasonRetry || ge.Reason == reasonOutcomeUnknown || ge.Reason == reasonUnavailable
	}
	return true
}
