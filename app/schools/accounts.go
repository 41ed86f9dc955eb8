package schools

import (
	"context"
	"strings"

	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Subsidy is a grant from the school's subsidy fund to a pupil's account.
type Subsidy struct {
	AccountID string
	AmountFen int64 // 1..MaxSubsidyFen
	Reason    string
	// RequestID is the idempotency key: the same request id grants once.
	RequestID string
}

// Granted is the outcome of a subsidy: the balance after it, and whether it is the
// first outcome of an earlier request with the same id.
type Granted struct {
	BalanceFen int64
	Replayed   bool
}

// GrantSubsidy credits a pupil's account from the school's subsidy fund, once per
// request id (idempotency key "subsidy:<request_id>"). A decline of the account is an
// error of its reason (reason.DeclineKind).
func (s *Service) GrantSubsidy(ctx context.Context, g Subsidy) (Granted, error) {
	if err := directory.ValidateAccountID(g.AccountID); err != nil {
		return Granted{}, InvalidInput(err)
	}
	if a := g.AmountFen; a <= 0 || a > MaxSubsidyFen {
		return Granted{}, reason.Invalid(reason.InvalidArgument, "amount %d fen, want 1..%d", a, MaxSubsidyFen)
	}
	why := strings.TrimSpace(g.Reason)
	if err := input.CheckText("reason", why, MaxReasonLen); err != nil {
		return Granted{}, err
	}
	if err := input.CheckRequestID(g.RequestID); err != nil {
		return Granted{}, err
	}
	if _, err := s.pupil(ctx, g.AccountID); err != nil {
		return Granted{}, err
	}
	resp, err := s.accounts.Execute(ctx, g.AccountID, &grainv1.ExecuteRequest{
		IdemKey: "subsidy:" + g.RequestID,
		Command: &grainv1.ExecuteRequest_GrantSubsidy{GrantSubsidy: &grainv1.GrantSubsidyCommand{
			AmountFen: g.AmountFen, Reason: why,
		}},
	})
	if err != nil {
		return Granted{}, err
	}
	if d := resp.GetDeclined(); d != nil {
		r := reason.Code(d.GetReason())
		return Granted{}, reason.New(reason.DeclineKind(r), r, d.GetMessage())
	}
	a := resp.GetAccepted()
	return Granted{BalanceFen: a.GetBalanceFen(), Replayed: a.GetReplayed()}, nil
}

// Account is a pupil's account as the operator and staff see it (full name included).
type Account struct {
	Pupil
	BalanceFen       int64
	CardState        string
	CardGeneration   int64
	DailySpendCapFen int64
	ArrearsCapFen    int64
	SpentTodayFen    int64
}

// Account reads a pupil's account: the pupil (see Pupil) and the state of its grain;
// an account never opened is NotFound ACCOUNT_NOT_OPENED.
func (s *Service) Account(ctx context.Context, accountID string) (Account, error) {
	p, err := s.Pupil(ctx, accountID)
	if err != nil {
		return Account{}, err
	}
	st, err := s.accounts.State(ctx, p.AccountID)
	if err != nil {
		return Account{}, err
	}
	if !st.GetOpened() {
		return Account{}, reason.New(reason.DeclineKind(reason.AccountNotOpened), reason.AccountNotOpened,
			"the account of this pupil is not opened yet: run the import again")
	}
	return Account{
		Pupil: p, BalanceFen: st.GetBalanceFen(), CardState: st.GetCardState(), CardGeneration: int64(st.GetCardGeneration()),
		DailySpendCapFen: st.GetLimits().GetDailySpendCapFen(), ArrearsCapFen: st.GetLimits().GetArrearsCapFen(),
		SpentTodayFen: st.GetSpentTodayFen(),
	}, nil
}
