package codec

import (
	"time"

	"github.com/onecode/onecode/domain/account"
)

// at returns a UTC time without monotonic reading, which round-trips
// exactly (reflect.DeepEqual).
func at(sec int64, nsec int64) time.Time { return time.Unix(sec, nsec).UTC() }

var (
	t0     = at(1_767_225_600, 123_456_789) // 2026-01-01T00:00:00.123456789Z
	limits = account.Limits{SingleRechargeMax: 50_000, BalanceCap: 100_000, DailySpendCap: 3_000, ArrearsCap: 2_000}
)

// allEvents has one fully populated event of every type.
func allEvents() []account.Event {
	return []account.Event{
		account.AccountOpened{
			AccountID: "acc-1", SchoolID: "sch-1", StudentNo: "2026001", Limits: limits,
			CardRandom: "42", Expiry: 20290831, At: t0,
		},
		account.Purchased{
			Key: "term-1/17", TerminalID: "term-1", CanteenID: "can-1",
			Items: []account.Item{
				{Code: "6901234567890", Name: "红烧肉", UnitPrice: 1_200, Qty: 1},
				{Code: "6901234567891", Name: "米饭", UnitPrice: 100, Qty: 2},
			},
			Amount: 1_400, Arrears: true, CapDay: 20260101, At: t0.Add(time.Minute),
		},
		account.PurchaseVoided{
			Key: "term-1/18", PurchaseKey: "term-1/17", TerminalID: "term-1", CanteenID: "can-1",
			Amount: 1_400, CapDay: 20260101, At: t0.Add(2 * time.Minute),
		},
		account.RechargeCredited{OrderID: "ord-9", Amount: 20_000, At: t0.Add(time.Hour)},
		account.CardReportedLost{Key: "req-1", By: account.ByParent, At: t0.Add(2 * time.Hour)},
		account.CardReissued{Key: "req-2", Random: "07", Expiry: 20300831, At: t0.Add(3 * time.Hour)},
		account.DailyCapSet{Key: "req-3", Amount: 2_500, At: t0.Add(4 * time.Hour)},
		account.SchoolLimitsSet{
			Key: "req-4", SingleRechargeMax: 60_000, BalanceCap: 120_000, ArrearsCap: 3_000, At: t0.Add(5 * time.Hour),
		},
		account.FeePaid{Key: "ord-10", FeeItemID: "fee-1", OrderID: "ord-10", Amount: 45_000, At: t0.Add(6 * time.Hour)},
		account.SubsidyGranted{Key: "req-5", Amount: 10_000, Reason: "贫困生补助", At: t0.Add(7 * time.Hour)},
		account.BillIssued{Key: "bill:fee-2:acc-1", ItemID: "fee-2", Amount: 12_000, DueDay: 20260930, AllowBalance: true, At: t0.Add(8 * time.Hour)},
		account.BillPaidCash{Key: "cash:r1", ItemID: "fee-2", Amount: 5_000, Voucher: "V001", StaffID: "fin-1", At: t0.Add(9 * time.Hour)},
		account.BillExempted{Key: "exempt:r2", ItemID: "fee-2", Amount: 2_000, Reason: "低保家庭", ApprovedBy: "adm-1", At: t0.Add(10 * time.Hour)},
		account.BillPaidFromBalance{Key: "bal:r3", ItemID: "fee-2", Amount: 3_000, At: t0.Add(11 * time.Hour)},
		account.BillPaidOnline{ItemID: "fee-2", OrderID: "RFEE0001", Amount: 2_000, At: t0.Add(11*time.Hour + 30*time.Minute)},
		account.BillClosed{Key: "billclose:fee-2:acc-1", ItemID: "fee-2", At: t0.Add(12 * time.Hour)},
		account.BillPaymentCredited{ItemID: "fee-2", OrderID: "RFEE0002", Amount: 12_000, At: t0.Add(13 * time.Hour)},
		account.RefundReserved{RefundID: "F0001", OrderID: "RFEE0001", ItemID: "fee-2", Amount: 1_500, At: t0.Add(14 * time.Hour)},
		account.RefundSettled{RefundID: "F0001", OrderID: "RFEE0001", ItemID: "fee-2", Amount: 1_500, At: t0.Add(15 * time.Hour)},
		account.RefundReleased{RefundID: "F0002", OrderID: "ord-9", Amount: 1_000, At: t0.Add(16 * time.Hour)},
	}
}

// richState is a fully populated state.
func richState() account.State {
	return account.State{
		AccountID: "acc-1", SchoolID: "sch-1", StudentNo: "2026001", Seq: 1234,
		Balance: -1_500,
		Card:    account.Card{State: account.CardLost, Generation: 4, Random: "07", Expiry: 20300831},
		UsedRandoms: account.RandomSet{}.With("00").With("07").With("42").With("63").With("64").
			With("99"),
		Limits:     limits,
		SpentDay:   20260101,
		SpentToday: 2_800,
		Recent: []*account.RecentPurchase{
			{Key: "term-1/17", TerminalID: "term-1", CanteenID: "can-1", Amount: 1_400, At: t0, CapDay: 20260101, Voided: true},
			{Key: "term-2/3", TerminalID: "term-2", CanteenID: "can-2", Amount: 1_400, At: t0.Add(time.Minute), CapDay: 20260101},
		},
		Bills: []account.Bill{
			{ItemID: "fee-1", Due: 12_000, Paid: 5_000, Exempted: 2_000, DueDay: 20260930, AllowBalance: true, Refunded: 1_000},
			{ItemID: "fee-2", Due: 800, DueDay: 20261031, Closed: true},
		},
		OpenRefunds: []account.OpenRefund{{RefundID: "F0001", OrderID: "RFEE0001", ItemID: "fee-1", Amount: 1_000},
			{RefundID: "F0002", OrderID: "ord-9", Amount: 300}},
	}
}
