package codec

import (
	"time"

	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
	eventsv1 "github.com/onecode/onecode/protos/onecode/events/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// billCommand converts the wire bill commands; ok is false for any other command.
func billCommand(key string, req *grainv1.ExecuteRequest) (cmd account.Command, ok bool, err error) {
	switch c := req.GetCommand().(type) {
	case *grainv1.ExecuteRequest_IssueBill:
		m := c.IssueBill
		due, err := parseDate("issue_bill.due_day", m.GetDueDay())
		if err != nil {
			return nil, true, err
		}
		return account.IssueBill{IdemKey: key, SchoolID: m.GetSchoolId(), ItemID: m.GetItemId(),
			Amount: money.Amount(m.GetAmountFen()), DueDay: due, AllowBalance: m.GetAllowBalance()}, true, nil
	case *grainv1.ExecuteRequest_PayBillCash:
		m := c.PayBillCash
		return account.PayBillCash{IdemKey: key, ItemID: m.GetItemId(), Amount: money.Amount(m.GetAmountFen()),
			Voucher: m.GetVoucher(), StaffID: m.GetStaffId()}, true, nil
	case *grainv1.ExecuteRequest_ExemptBill:
		m := c.ExemptBill
		return account.ExemptBill{IdemKey: key, ItemID: m.GetItemId(), Amount: money.Amount(m.GetAmountFen()),
			Reason: m.GetReason(), ApprovedBy: m.GetApprovedBy()}, true, nil
	case *grainv1.ExecuteRequest_PayBillFromBalance:
		m := c.PayBillFromBalance
		return account.PayBillFromBalance{IdemKey: key, ItemID: m.GetItemId(), Amount: money.Amount(m.GetAmountFen())}, true, nil
	case *grainv1.ExecuteRequest_CloseBill:
		return account.CloseBill{IdemKey: key, ItemID: c.CloseBill.GetItemId()}, true, nil
	case *grainv1.ExecuteRequest_PayBillOnline:
		m := c.PayBillOnline
		return account.PayBillOnline{IdemKey: key, ItemID: m.GetItemId(), OrderID: m.GetOrderId(),
			Amount: money.Amount(m.GetAmountFen())}, true, nil
	}
	return nil, false, nil
}

func encodeBill(b account.Bill) *eventsv1.Bill {
	return &eventsv1.Bill{ItemId: b.ItemID, DueFen: int64(b.Due), PaidFen: int64(b.Paid), ExemptedFen: int64(b.Exempted),
		DueDay: int32(b.DueDay), AllowBalance: b.AllowBalance, Closed: b.Closed, RefundedFen: int64(b.Refunded)}
}

func decodeBill(m *eventsv1.Bill) account.Bill {
	return fee.Bill{ItemID: m.GetItemId(), Due: money.Amount(m.GetDueFen()), Paid: money.Amount(m.GetPaidFen()),
		Exempted: money.Amount(m.GetExemptedFen()), DueDay: account.Date(m.GetDueDay()),
		AllowBalance: m.GetAllowBalance(), Closed: m.GetClosed(), Refunded: money.Amount(m.GetRefundedFen())}
}

func billIssued(m *eventsv1.BillIssued, at time.Time) account.Event {
	return account.BillIssued{Key: m.GetKey(), ItemID: m.GetItemId(), Amount: money.Amount(m.GetAmountFen()),
		DueDay: account.Date(m.GetDueDay()), AllowBalance: m.GetAllowBalance(), At: at}
}

func billPaidCash(m *eventsv1.BillPaidCash, at time.Time) account.Event {
	return account.BillPaidCash{Key: m.GetKey(), ItemID: m.GetItemId(), Amount: money.Amount(m.GetAmountFen()),
		Voucher: m.GetVoucher(), StaffID: m.GetStaffId(), At: at}
}

func billExempted(m *eventsv1.BillExempted, at time.Time) account.Event {
	return account.BillExempted{Key: m.GetKey(), ItemID: m.GetItemId(), Amount: money.Amount(m.GetAmountFen()),
		Reason: m.GetReason(), ApprovedBy: m.GetApprovedBy(), At: at}
}

func billPaidFromBalance(m *eventsv1.BillPaidFromBalance, at time.Time) account.Event {
	return account.BillPaidFromBalance{Key: m.GetKey(), ItemID: m.GetItemId(), Amount: money.Amount(m.GetAmountFen()), At: at}
}

func billClosed(m *eventsv1.BillClosed, at time.Time) account.Event {
	return account.BillClosed{Key: m.GetKey(), ItemID: m.GetItemId(), At: at}
}

func billPaidOnline(m *eventsv1.BillPaidOnline, at time.Time) account.Event {
	return account.BillPaidOnline{ItemID: m.GetItemId(), OrderID: m.GetOrderId(), Amount: money.Amount(m.GetAmountFen()), At: at}
}

func billPaymentCredited(m *eventsv1.BillPaymentCredited, at time.Time) account.Event {
	return account.BillPaymentCredited{ItemID: m.GetItemId(), OrderID: m.GetOrderId(), Amount: money.Amount(m.GetAmountFen()), At: at}
}
