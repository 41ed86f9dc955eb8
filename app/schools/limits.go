package schools

import (
	"context"
)

// Limits are a school's default account limits (fen): those of the accounts
// opened from the moment they are set; accounts opened before keep theirs.
type Limits struct {
	SingleRechargeMax, BalanceCap, DailySpendCap, ArrearsCap int64
}

// Limits reads the default limits of school id (see Find).
func (s *Service) Limits(ctx context.Context, id string) (Limits, error) {
	sc, err := s.School(ctx, id)
	if err != nil {
		return Limits{}, err
	}
	return limitsOf(sc), nil
}

// SetLimits sets the default limits of an existing school id, keeping its name
// and void window, by the rules of PutSchool (Invalid, nothing written, when
// one is broken), and answers the limits stored.
func (s *Service) SetLimits(ctx context.Context, id string, l Limits) (Limits, error) {
	sc, err := s.School(ctx, id)
	if err != nil {
		return Limits{}, err
	}
	sc.SingleRechargeMax, sc.BalanceCap, sc.DailySpendCap, sc.ArrearsCap = l.SingleRechargeMax, l.BalanceCap, l.DailySpendCap, l.ArrearsCap
	sc, err = s.PutSchool(ctx, sc)
	if err != nil {
		return Limits{}, err
	}
	return limitsOf(sc), nil
}

func limitsOf(sc School) Limits {
	return Limits{SingleRechargeMax: sc.SingleRechargeMax, BalanceCap: sc.BalanceCap, DailySpendCap: sc.DailySpendCap, ArrearsCap: sc.ArrearsCap}
}
