package codec

import (
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Command converts a wire command of the Account grain to the domain
// command for account accountID (the grain's identity; it fills
// account.Open.AccountID). The idempotency key is req.IdemKey. A request
// without a command is ErrNoCommand; a date that is not YYYYMMDD is a
// *DateError. Both wrap account.ErrInvalid. Every other check is the
// domain's (account.Decide).
func Command(accountID string, req *grainv1.ExecuteRequest) (account.Command, error) {
	key := req.GetIdemKey()
	switch c := req.GetCommand().(type) {
	case *grainv1.ExecuteRequest_Open:
		return openCommand(accountID, key, c.Open)
	case *grainv1.ExecuteRequest_Purchase:
		return purchaseCommand(key, c.Purchase)
	case *grainv1.ExecuteRequest_Void:
		return account.Void{IdemKey: key, TerminalID: c.Void.GetTerminalId(), PurchaseKey: c.Void.GetPurchaseKey()}, nil
	case *grainv1.ExecuteRequest_RechargeCredit:
		m := c.RechargeCredit
		return account.RechargeCredit{IdemKey: key, OrderID: m.GetOrderId(), Amount: money.Amount(m.GetAmountFen())}, nil
	case *grainv1.ExecuteRequest_ReportLoss:
		return account.ReportLoss{IdemKey: key, By: c.ReportLoss.GetBy()}, nil
	case *grainv1.ExecuteRequest_Reissue:
		expiry, err := parseDate("reissue.card_expiry", c.Reissue.GetCardExpiry())
		if err != nil {
			return nil, err
		}
		return account.Reissue{IdemKey: key, Random: c.Reissue.GetCardRandom(), Expiry: expiry}, nil
	case *grainv1.ExecuteRequest_SetDailyCap:
		return account.SetDailyCap{IdemKey: key, Amount: money.Amount(c.SetDailyCap.GetAmountFen())}, nil
	case *grainv1.ExecuteRequest_SetSchoolLimits:
		m := c.SetSchoolLimits
		return account.SetSchoolLimits{
			IdemKey: key, SingleRechargeMax: money.Amount(m.GetSingleRechargeMaxFen()),
			BalanceCap: money.Amount(m.GetBalanceCapFen()), ArrearsCap: money.Amount(m.GetArrearsCapFen()),
		}, nil
	case *grainv1.ExecuteRequest_PayFee:
		m := c.PayFee
		return account.PayFee{
			IdemKey: key, FeeItemID: m.GetFeeItemId(), OrderID: m.GetOrderId(), Amount: money.Amount(m.GetAmountFen()),
		}, nil
	case *grainv1.ExecuteRequest_GrantSubsidy:
		m := c.GrantSubsidy
		return account.GrantSubsidy{IdemKey: key, Amount: money.Amount(m.GetAmountFen()), Reason: m.GetReason()}, nil
	default:
		if cmd, ok, err := billCommand(key, req); ok {
			return cmd, err
		}
		if cmd, ok := refundCommand(key, req); ok {
			return cmd, nil
		}
		return nil, ErrNoCommand
	}
}

func openCommand(accountID, key string, m *grainv1.OpenCommand) (account.Command, error) {
	expiry, err := parseDate("open.card_expiry", m.GetCardExpiry())
	if err != nil {
		return nil, err
	}
	l := m.GetLimits()
	return account.Open{
		IdemKey: key, AccountID: accountID, SchoolID: m.GetSchoolId(), StudentNo: m.GetStudentNo(),
		Limits: account.Limits{
			SingleRechargeMax: money.Amount(l.GetSingleRechargeMaxFen()),
			BalanceCap:        money.Amount(l.GetBalanceCapFen()),
			DailySpendCap:     money.Amount(l.GetDailySpendCapFen()),
			ArrearsCap:        money.Amount(l.GetArrearsCapFen()),
		},
		CardRandom: m.GetCardRandom(), Expiry: expiry,
	}, nil
}

func purchaseCommand(key string, m *grainv1.PurchaseCommand) (account.Command, error) {
	expiry, err := parseDate("purchase.card_expiry", m.GetCardExpiry())
	if err != nil {
		return nil, err
	}
	var items []account.Item
	for _, it := range m.GetItems() {
		items = append(items, account.Item{
			Code: it.GetCode(), Name: it.GetName(), UnitPrice: money.Amount(it.GetUnitPriceFen()), Qty: int64(it.GetQty()),
		})
	}
	return account.Purchase{
		IdemKey: key, SchoolID: m.GetSchoolId(), TerminalID: m.GetTerminalId(), CanteenID: m.GetCanteenId(),
		Items: items, Amount: money.Amount(m.GetAmountFen()),
		Card:     account.PresentedCard{Random: m.GetCardRandom(), Expiry: expiry},
		Override: m.GetOverride(),
	}, nil
}

// parseDate reads a wire date: exactly eight ASCII digits YYYYMMDD naming a
// real calendar day.
func parseDate(field, s string) (account.Date, error) {
	if len(s) != 8 {
		return 0, &DateError{Field: field, Value: s}
	}
	var d int32
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return 0, &DateError{Field: field, Value: s}
		}
		d = d*10 + int32(s[i]-'0')
	}
	if !account.Date(d).Valid() {
		return 0, &DateError{Field: field, Value: s}
	}
	return account.Date(d), nil
}
