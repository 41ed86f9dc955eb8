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

// EncodeEvent returns the journal form of e: its type name (e.EventType())
// and its protobuf bytes. An event type of no known kind, or a value the
// format cannot hold, is an error.
func EncodeEvent(e account.Event) (typ string, data []byte, err error) {
	m, err := eventMessage(e)
	if err != nil {
		return "", nil, err
	}
	if data, err = marshal(m); err != nil {
		return "", nil, fmt.Errorf("event %s: %w", e.EventType(), err)
	}
	return e.EventType(), data, nil
}

// DecodeEvent reads an event from its journal form. An unknown type is
// ErrUnknownEventType; bytes that are not a valid encoding are ErrMalformed.
func DecodeEvent(typ string, data []byte) (account.Event, error) {
	switch typ {
	case account.AccountOpened{}.EventType():
		return decodeEvent(typ, data, &eventsv1.AccountOpened{}, accountOpened)
	case account.Purchased{}.EventType():
		return decodeEvent(typ, data, &eventsv1.Purchased{}, purchased)
	case account.PurchaseVoided{}.EventType():
		return decodeEvent(typ, data, &eventsv1.PurchaseVoided{}, purchaseVoided)
	case account.RechargeCredited{}.EventType():
		return decodeEvent(typ, data, &eventsv1.RechargeCredited{}, rechargeCredited)
	case account.CardReportedLost{}.EventType():
		return decodeEvent(typ, data, &eventsv1.CardReportedLost{}, cardReportedLost)
	case account.CardReissued{}.EventType():
		return decodeEvent(typ, data, &eventsv1.CardReissued{}, cardReissued)
	case account.DailyCapSet{}.EventType():
		return decodeEvent(typ, data, &eventsv1.DailyCapSet{}, dailyCapSet)
	case account.SchoolLimitsSet{}.EventType():
		return decodeEvent(typ, data, &eventsv1.SchoolLimitsSet{}, schoolLimitsSet)
	case account.FeePaid{}.EventType():
		return decodeEvent(typ, data, &eventsv1.FeePaid{}, feePaid)
	case account.SubsidyGranted{}.EventType():
		return decodeEvent(typ, data, &eventsv1.SubsidyGranted{}, subsidyGranted)
	case account.BillIssued{}.EventType():
		return decodeEvent(typ, data, &eventsv1.BillIssued{}, billIssued)
	case account.BillPaidCash{}.EventType():
		return decodeEvent(typ, data, &eventsv1.BillPaidCash{}, billPaidCash)
	case account.BillExempted{}.EventType():
		return decodeEvent(typ, data, &eventsv1.BillExempted{}, billExempted)
	case account.BillPaidFromBalance{}.EventType():
		return decodeEvent(typ, data, &eventsv1.BillPaidFromBalance{}, billPaidFromBalance)
	case account.BillClosed{}.EventType():
		return decodeEvent(typ, data, &eventsv1.BillClosed{}, billClosed)
	case account.BillPaidOnline{}.EventType():
		return decodeEvent(typ, data, &eventsv1.BillPaidOnline{}, billPaidOnline)
	case account.BillPaymentCredited{}.EventType():
		return decodeEvent(typ, data, &eventsv1.BillPaymentCredited{}, billPaymentCredited)
	case account.RefundReserved{}.EventType():
		return decodeEvent(typ, data, &eventsv1.RefundReserved{}, refundReserved)
	case account.RefundSettled{}.EventType():
		return decodeEvent(typ, data, &eventsv1.RefundSettled{}, refundSettled)
	case account.RefundReleased{}.EventType():
		return decodeEvent(typ, data, &eventsv1.RefundReleased{}, refundReleased)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownEventType, truncate(typ))
	}
}

// atMessage is an event message: every one has a time.
type atMessage interface {
	proto.Message
	GetAt() *timestamppb.Timestamp
}

// decodeEvent unmarshals data into m and converts it with conv, which gets
// the decoded time of the event.
func decodeEvent[M atMessage](typ string, data []byte, m M, conv func(M, time.Time) account.Event) (account.Event, error) {
	if err := unmarshal(typ, data, m); err != nil {
		return nil, err
	}
	at, err := decodeTime(m.GetAt())
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", typ, err)
	}
	return conv(m, at), nil
}

func truncate(s string) string {
	if len(s) > maxQuoted {
		return s[:maxQuoted] + "..."
	}
	return s
}

// eventMessage returns the protobuf message of e.
func eventMessage(e account.Event) (proto.Message, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil event", ErrUnknownEventType)
	}
	at, err := encodeTime(e.OccurredAt())
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", e.EventType(), err)
	}
	switch e := e.(type) {
	case account.AccountOpened:
		return &eventsv1.AccountOpened{
			AccountId: e.AccountID, SchoolId: e.SchoolID, StudentNo: e.StudentNo,
			Limits: encodeLimits(e.Limits), CardRandom: e.CardRandom, CardExpiry: int32(e.Expiry), At: at,
		}, nil
	case account.Purchased:
		return &eventsv1.Purchased{
			Key: e.Key, TerminalId: e.TerminalID, CanteenId: e.CanteenID, Items: encodeItems(e.Items),
			AmountFen: int64(e.Amount), Arrears: e.Arrears, CapDay: int32(e.CapDay), At: at,
		}, nil
	case account.PurchaseVoided:
		return &eventsv1.PurchaseVoided{
			Key: e.Key, PurchaseKey: e.PurchaseKey, TerminalId: e.TerminalID, CanteenId: e.CanteenID,
			AmountFen: int64(e.Amount), CapDay: int32(e.CapDay), At: at,
		}, nil
	case account.RechargeCredited:
		return &eventsv1.RechargeCredited{OrderId: e.OrderID, AmountFen: int64(e.Amount), At: at}, nil
	case account.CardReportedLost:
		return &eventsv1.CardReportedLost{Key: e.Key, By: e.By, At: at}, nil
	case account.CardReissued:
		return &eventsv1.CardReissued{Key: e.Key, Random: e.Random, Expiry: int32(e.Expiry), At: at}, nil
	case account.DailyCapSet:
		return &eventsv1.DailyCapSet{Key: e.Key, AmountFen: int64(e.Amount), At: at}, nil
	case account.SchoolLimitsSet:
		return &eventsv1.SchoolLimitsSet{
			Key: e.Key, SingleRechargeMaxFen: int64(e.SingleRechargeMax),
			BalanceCapFen: int64(e.BalanceCap), ArrearsCapFen: int64(e.ArrearsCap), At: at,
		}, nil
	case account.FeePaid:
		return &eventsv1.FeePaid{
			Key: e.Key, FeeItemId: e.FeeItemID, OrderId: e.OrderID, AmountFen: int64(e.Amount), At: at,
		}, nil
	case account.SubsidyGranted:
		return &eventsv1.SubsidyGranted{Key: e.Key, AmountFen: int64(e.Amount), Reason: e.Reason, At: at}, nil
	case account.BillIssued:
		return &eventsv1.BillIssued{Key: e.Key, ItemId: e.ItemID, AmountFen: int64(e.Amount), DueDay: int32(e.DueDay),
			AllowBalance: e.AllowBalance, At: at}, nil
	case account.BillPaidCash:
		return &eventsv1.BillPaidCash{Key: e.Key, ItemId: e.ItemID, AmountFen: int64(e.Amount), Voucher: e.Voucher,
			StaffId: e.StaffID, At: at}, nil
	case account.BillExempted:
		return &eventsv1.BillExempted{Key: e.Key, ItemId: e.ItemID, AmountFen: int64(e.Amount), Reason: e.Reason,
			ApprovedBy: e.ApprovedBy, At: at}, nil
	case account.BillPaidFromBalance:
		return &eventsv1.BillPaidFromBalance{Key: e.Key, ItemId: e.ItemID, AmountFen: int64(e.Amount), At: at}, nil
	case account.BillClosed:
		return &eventsv1.BillClosed{Key: e.Key, ItemId: e.ItemID, At: at}, nil
	case account.BillPaidOnline:
		return &eventsv1.BillPaidOnline{ItemId: e.ItemID, OrderId: e.OrderID, AmountFen: int64(e.Amount), At: at}, nil
	case account.BillPaymentCredited:
		return &eventsv1.BillPaymentCredited{ItemId: e.ItemID, OrderId: e.OrderID, AmountFen: int64(e.Amount), At: at}, nil
	case account.RefundReserved:
		return &eventsv1.RefundReserved{RefundId: e.RefundID, OrderId: e.OrderID, ItemId: e.ItemID, AmountFen: int64(e.Amount), At: at}, nil
	case account.RefundSettled:
		return &eventsv1.RefundSettled{RefundId: e.RefundID, OrderId: e.OrderID, ItemId: e.ItemID, AmountFen: int64(e.Amount), At: at}, nil
	case account.RefundReleased:
		return &eventsv1.RefundReleased{RefundId: e.RefundID, OrderId: e.OrderID, ItemId: e.ItemID, AmountFen: int64(e.Amount), At: at}, nil
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnknownEventType, e)
	}
}

func accountOpened(m *eventsv1.AccountOpened, at time.Time) account.Event {
	return account.AccountOpened{
		AccountID: m.GetAccountId(), SchoolID: m.GetSchoolId(), StudentNo: m.GetStudentNo(),
		Limits: decodeLimits(m.GetLimits()), CardRandom: m.GetCardRandom(),
		Expiry: account.Date(m.GetCardExpiry()), At: at,
	}
}

func purchased(m *eventsv1.Purchased, at time.Time) account.Event {
	return account.Purchased{
		Key: m.GetKey(), TerminalID: m.GetTerminalId(), CanteenID: m.GetCanteenId(),
		Items: decodeItems(m.GetItems()), Amount: money.Amount(m.GetAmountFen()),
		Arrears: m.GetArrears(), CapDay: account.Date(m.GetCapDay()), At: at,
	}
}

func purchaseVoided(m *eventsv1.PurchaseVoided, at time.Time) account.Event {
	return account.PurchaseVoided{
		Key: m.GetKey(), PurchaseKey: m.GetPurchaseKey(), TerminalID: m.GetTerminalId(),
		CanteenID: m.GetCanteenId(), Amount: money.Amount(m.GetAmountFen()),
		CapDay: account.Date(m.GetCapDay()), At: at,
	}
}

func rechargeCredited(m *eventsv1.RechargeCredited, at time.Time) account.Event {
	return account.RechargeCredited{OrderID: m.GetOrderId(), Amount: money.Amount(m.GetAmountFen()), At: at}
}

func cardReportedLost(m *eventsv1.CardReportedLost, at time.Time) account.Event {
	return account.CardReportedLost{Key: m.GetKey(), By: m.GetBy(), At: at}
}

func cardReissued(m *eventsv1.CardReissued, at time.Time) account.Event {
	return account.CardReissued{Key: m.GetKey(), Random: m.GetRandom(), Expiry: account.Date(m.GetExpiry()), At: at}
}

func dailyCapSet(m *eventsv1.DailyCapSet, at time.Time) account.Event {
	return account.DailyCapSet{Key: m.GetKey(), Amount: money.Amount(m.GetAmountFen()), At: at}
}

func schoolLimitsSet(m *eventsv1.SchoolLimitsSet, at time.Time) account.Event {
	return account.SchoolLimitsSet{
		Key: m.GetKey(), SingleRechargeMax: money.Amount(m.GetSingleRechargeMaxFen()),
		BalanceCap: money.Amount(m.GetBalanceCapFen()), ArrearsCap: money.Amount(m.GetArrearsCapFen()), At: at,
	}
}

func feePaid(m *eventsv1.FeePaid, at time.Time) account.Event {
	return account.FeePaid{
		Key: m.GetKey(), FeeItemID: m.GetFeeItemId(), OrderID: m.GetOrderId(),
		Amount: money.Amount(m.GetAmountFen()), At: at,
	}
}

func subsidyGranted(m *eventsv1.SubsidyGranted, at time.Time) account.Event {
	return account.SubsidyGranted{Key: m.GetKey(), Amount: money.Amount(m.GetAmountFen()), Reason: m.GetReason(), At: at}
}
