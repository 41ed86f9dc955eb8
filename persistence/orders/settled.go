package orders

import (
	"context"
	"fmt"
	"time"
)

// Settlements answers what a merchant settled in a period: the day a provider's
// statement covers, for reconciliation.
type Settlements interface {
	// Settled is the orders placed with merchantKey and credited in [from, to) and
	// their refunds that succeeded in [from, to), by the time of that last write.
	Settled(ctx context.Context, merchantKey string, from, to time.Time) ([]Order, []Refund, error)
}

// MaxSettled bounds the orders (and the refunds) of one Settled answer.
const MaxSettled = 100_000

// ValidateSettled checks Settled's arguments.
func ValidateSettled(merchantKey string, from, to time.Time) error {
	if len(merchantKey) > MaxMerchantLen || !from.Before(to) || to.Sub(from) > 31*24*time.Hour {
		return fmt.Errorf("%w: a merchant key of at most %d bytes and a period of up to 31 days", ErrInvalid, MaxMerchantLen)
	}
	return nil
}
