package codec

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	eventsv1 "github.com/onecode/onecode/protos/onecode/events/v1"
)

// marshalOptions makes the encoding deterministic.
var marshalOptions = proto.MarshalOptions{Deterministic: true}

func marshal(m proto.Message) ([]byte, error) {
	data, err := marshalOptions.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnencodable, err)
	}
	return data, nil
}

func unmarshal(what string, data []byte, m proto.Message) error {
	if err := proto.Unmarshal(data, m); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrMalformed, what, err)
	}
	return nil
}

// encodeTime stores t; the zero time is an unset timestamp.
func encodeTime(t time.Time) (*timestamppb.Timestamp, error) {
	if t.IsZero() {
		return nil, nil
	}
	ts := timestamppb.New(t)
	if err := ts.CheckValid(); err != nil {
		return nil, fmt.Errorf("%w: time %s: %w", ErrUnencodable, t, err)
	}
	return ts, nil
}

// decodeTime reads a stored time in UTC; unset is the zero time.
func decodeTime(ts *timestamppb.Timestamp) (time.Time, error) {
	if ts == nil {
		return time.Time{}, nil
	}
	if err := ts.CheckValid(); err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return ts.AsTime(), nil
}

func encodeLimits(l account.Limits) *eventsv1.Limits {
	return &eventsv1.Limits{
		SingleRechargeMaxFen: int64(l.SingleRechargeMax),
		BalanceCapFen:        int64(l.BalanceCap),
		DailySpendCapFen:     int64(l.DailySpendCap),
		ArrearsCapFen:        int64(l.ArrearsCap),
	}
}

func decodeLimits(l *eventsv1.Limits) account.Limits {
	return account.Limits{
		SingleRechargeMax: money.Amount(l.GetSingleRechargeMaxFen()),
		BalanceCap:        money.Amount(l.GetBalanceCapFen()),
		DailySpendCap:     money.Amount(l.GetDailySpendCapFen()),
		ArrearsCap:        money.Amount(l.GetArrearsCapFen()),
	}
}

func encodeItems(items []account.Item) []*eventsv1.Item {
	if len(items) == 0 {
		return nil
	}
	out := make([]*eventsv1.Item, len(items))
	for i, it := range items {
		out[i] = &eventsv1.Item{Code: it.Code, Name: it.Name, UnitPriceFen: int64(it.UnitPrice), Qty: it.Qty}
	}
	return out
}

func decodeItems(items []*eventsv1.Item) []account.Item {
	if len(items) == 0 {
		return nil
	}
	out := make([]account.Item, len(items))
	for i, it := range items {
		out[i] = account.Item{Code: it.GetCode(), Name: it.GetName(), UnitPrice: money.Amount(it.GetUnitPriceFen()), Qty: it.GetQty()}
	}
	return out
}

// decodeInt converts a stored int64 to int, rejecting values int cannot
// hold (on 32-bit platforms).
func decodeInt(what string, v int64) (int, error) {
	if int64(int(v)) != v {
		return 0, fmt.Errorf("%w: %s %d out of range", ErrMalformed, what, v)
	}
	return int(v), nil
}
