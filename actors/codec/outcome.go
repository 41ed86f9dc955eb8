package codec

import (
	"fmt"

	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	eventsv1 "github.com/onecode/onecode/protos/onecode/events/v1"
)

// EncodeOutcome returns the stored form of a command's outcome, kept with
// its idempotency key and answered again on retries.
func EncodeOutcome(o account.Outcome) ([]byte, error) {
	m := &eventsv1.CommandOutcome{
		EventType: o.Event, Seq: o.Seq, AmountFen: int64(o.Amount), BalanceFen: int64(o.Balance),
		Arrears: o.Arrears, CardGeneration: int64(o.CardGeneration),
	}
	if o.Bill != (account.Bill{}) {
		m.Bill = encodeBill(o.Bill)
	}
	data, err := marshal(m)
	if err != nil {
		return nil, fmt.Errorf("outcome: %w", err)
	}
	return data, nil
}

// DecodeOutcome reads a stored outcome.
func DecodeOutcome(data []byte) (account.Outcome, error) {
	var m eventsv1.CommandOutcome
	if err := unmarshal("outcome", data, &m); err != nil {
		return account.Outcome{}, err
	}
	gen, err := decodeInt("outcome card generation", m.GetCardGeneration())
	if err != nil {
		return account.Outcome{}, err
	}
	out := account.Outcome{
		Event: m.GetEventType(), Seq: m.GetSeq(), Amount: money.Amount(m.GetAmountFen()),
		Balance: money.Amount(m.GetBalanceFen()), Arrears: m.GetArrears(), CardGeneration: gen,
	}
	if m.Bill != nil {
		out.Bill = decodeBill(m.GetBill())
	}
	return out, nil
}
