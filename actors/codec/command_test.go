package codec

import (
	"errors"
	"reflect"
	"testing"

	"github.com/onecode/onecode/domain/account"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// commandCases has one fully populated request per oneof case of
// ExecuteRequest.command, keyed by the oneof field name.
var commandCases = map[string]struct {
	req  *grainv1.ExecuteRequest
	want account.Command
}{
	"open": {
		&grainv1.ExecuteRequest{IdemKey: "k-open", Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
			SchoolId: "sch-1", StudentNo: "2026001", CardRandom: "42", CardExpiry: "20290831",
			Limits: &grainv1.Limits{SingleRechargeMaxFen: 50_000, BalanceCapFen: 100_000, DailySpendCapFen: 3_000, ArrearsCapFen: 2_000},
		}}},
		account.Open{
			IdemKey: "k-open", AccountID: "acc-1", SchoolID: "sch-1", StudentNo: "2026001",
			Limits: limits, CardRandom: "42", Expiry: 20290831,
		},
	},
	"purchase": {
		&grainv1.ExecuteRequest{IdemKey: "term-1/17", Command: &grainv1.ExecuteRequest_Purchase{Purchase: &grainv1.PurchaseCommand{
			SchoolId: "sch-1", TerminalId: "term-1", CanteenId: "can-1",
			Items: []*grainv1.Item{
				{Code: "6901234567890", Name: "红烧肉", UnitPriceFen: 1_200, Qty: 1},
				{Code: "6901234567891", Name: "米饭", UnitPriceFen: 100, Qty: 2},
			},
			AmountFen: 1_400, CardRandom: "42", CardExpiry: "20290831", Override: true,
		}}},
		account.Purchase{
			IdemKey: "term-1/17", SchoolID: "sch-1", TerminalID: "term-1", CanteenID: "can-1",
			Items: []account.Item{
				{Code: "6901234567890", Name: "红烧肉", UnitPrice: 1_200, Qty: 1},
				{Code: "6901234567891", Name: "米饭", UnitPrice: 100, Qty: 2},
			},
			Amount: 1_400, Card: account.PresentedCard{Random: "42", Expiry: 20290831}, Override: true,
		},
	},
	"void": {
		&grainv1.ExecuteRequest{IdemKey: "term-1/18", Command: &grainv1.ExecuteRequest_Void{Void: &grainv1.VoidCommand{
			TerminalId: "term-1", PurchaseKey: "term-1/17",
		}}},
		account.Void{IdemKey: "term-1/18", TerminalID: "term-1", PurchaseKey: "term-1/17"},
	},
	"recharge_credit": {
		&grainv1.ExecuteRequest{IdemKey: "ord-9", Command: &grainv1.ExecuteRequest_RechargeCredit{
			RechargeCredit: &grainv1.RechargeCreditCommand{OrderId: "ord-9", AmountFen: 20_000},
		}},
		account.RechargeCredit{IdemKey: "ord-9", OrderID: "ord-9", Amount: 20_000},
	},
	"report_loss": {
		&grainv1.ExecuteRequest{IdemKey: "req-1", Command: &grainv1.ExecuteRequest_ReportLoss{
			ReportLoss: &grainv1.ReportLossCommand{By: "parent"},
		}},
		account.ReportLoss{IdemKey: "req-1", By: account.ByParent},
	},
	"reissue": {
		&grainv1.ExecuteRequest{IdemKey: "req-2", Command: &grainv1.ExecuteRequest_Reissue{
			Reissue: &grainv1.ReissueCommand{CardRandom: "07", CardExpiry: "20320229"}, // a leap day
		}},
		account.Reissue{IdemKey: "req-2", Random: "07", Expiry: 20320229},
	},
	"set_daily_cap": {
		&grainv1.ExecuteRequest{IdemKey: "req-3", Command: &grainv1.ExecuteRequest_SetDailyCap{
			SetDailyCap: &grainv1.SetDailyCapCommand{AmountFen: 2_500},
		}},
		account.SetDailyCap{IdemKey: "req-3", Amount: 2_500},
	},
	"set_school_limits": {
		&grainv1.ExecuteRequest{IdemKey: "req-4", Command: &grainv1.ExecuteRequest_SetSchoolLimits{
			SetSchoolLimits: &grainv1.SetSchoolLimitsCommand{SingleRechargeMaxFen: 60_000, BalanceCapFen: 120_000, ArrearsCapFen: 3_000},
		}},
		account.SetSchoolLimits{IdemKey: "req-4", SingleRechargeMax: 60_000, BalanceCap: 120_000, ArrearsCap: 3_000},
	},
	"pay_fee": {
		&grainv1.ExecuteRequest{IdemKey: "ord-10", Command: &grainv1.ExecuteRequest_PayFee{
			PayFee: &grainv1.PayFeeCommand{FeeItemId: "fee-1", OrderId: "ord-10", AmountFen: 45_000},
		}},
		account.PayFee{IdemKey: "ord-10", FeeItemID: "fee-1", OrderID: "ord-10", Amount: 45_000},
	},
	"grant_subsidy": {
		&grainv1.ExecuteRequest{IdemKey: "req-5", Command: &grainv1.ExecuteRequest_GrantSubsidy{
			GrantSubsidy: &grainv1.GrantSubsidyCommand{AmountFen: 10_000, Reason: "贫困生补助"},
		}},
		account.GrantSubsidy{IdemKey: "req-5", Amount: 10_000, Reason: "贫困生补助"},
	},
	"issue_bill": {
		&grainv1.ExecuteRequest{IdemKey: "bill:fee-2:acc-1", Command: &grainv1.ExecuteRequest_IssueBill{
			IssueBill: &grainv1.IssueBillCommand{SchoolId: "sch-1", ItemId: "fee-2", AmountFen: 12_000, DueDay: "20260930", AllowBalance: true},
		}},
		account.IssueBill{IdemKey: "bill:fee-2:acc-1", SchoolID: "sch-1", ItemID: "fee-2", Amount: 12_000, DueDay: 20260930, AllowBalance: true},
	},
	"pay_bill_cash": {
		&grainv1.ExecuteRequest{IdemKey: "cash:r1", Command: &grainv1.ExecuteRequest_PayBillCash{
			PayBillCash: &grainv1.PayBillCashCommand{ItemId: "fee-2", AmountFen: 5_000, Voucher: "V001", StaffId: "fin-1"},
		}},
		account.PayBillCash{IdemKey: "cash:r1", ItemID: "fee-2", Amount: 5_000, Voucher: "V001", StaffID: "fin-1"},
	},
	"exempt_bill": {
		&grainv1.ExecuteRequest{IdemKey: "exempt:r2", Command: &grainv1.ExecuteRequest_ExemptBill{
			ExemptBill: &grainv1.ExemptBillCommand{ItemId: "fee-2", AmountFen: 2_000, Reason: "低保家庭", ApprovedBy: "adm-1"},
		}},
		account.ExemptBill{IdemKey: "exempt:r2", ItemID: "fee-2", Amount: 2_000, Reason: "低保家庭", ApprovedBy: "adm-1"},
	},
	"pay_bill_from_balance": {
		&grainv1.ExecuteRequest{IdemKey: "bal:r3", Command: &grainv1.ExecuteRequest_PayBillFromBalance{
			PayBillFromBalance: &grainv1.PayBillFromBalanceCommand{ItemId: "fee-2", AmountFen: 5_000},
		}},
		account.PayBillFromBalance{IdemKey: "bal:r3", ItemID: "fee-2", Amount: 5_000},
	},
	"close_bill": {
		&grainv1.ExecuteRequest{IdemKey: "billclose:fee-2:acc-1", Command: &grainv1.ExecuteRequest_CloseBill{
			CloseBill: &grainv1.CloseBillCommand{ItemId: "fee-2"},
		}},
		account.CloseBill{IdemKey: "billclose:fee-2:acc-1", ItemID: "fee-2"},
	},
	"pay_bill_online": {
		&grainv1.ExecuteRequest{IdemKey: "RFEE0001", Command: &grainv1.ExecuteRequest_PayBillOnline{
			PayBillOnline: &grainv1.PayBillOnlineCommand{ItemId: "fee-2", OrderId: "RFEE0001", AmountFen: 12_000},
		}},
		account.PayBillOnline{IdemKey: "RFEE0001", ItemID: "fee-2", OrderID: "RFEE0001", Amount: 12_000},
	},
	"reserve_refund": {
		&grainv1.ExecuteRequest{IdemKey: "F0001", Command: &grainv1.ExecuteRequest_ReserveRefund{
			ReserveRefund: &grainv1.ReserveRefundCommand{RefundId: "F0001", OrderId: "RFEE0001", ItemId: "fee-2", AmountFen: 1_500},
		}},
		account.ReserveRefund{IdemKey: "F0001", RefundID: "F0001", OrderID: "RFEE0001", ItemID: "fee-2", Amount: 1_500},
	},
	"settle_refund": {
		&grainv1.ExecuteRequest{IdemKey: "F0001:settle", Command: &grainv1.ExecuteRequest_SettleRefund{
			SettleRefund: &grainv1.SettleRefundCommand{RefundId: "F0001"},
		}},
		account.SettleRefund{IdemKey: "F0001:settle", RefundID: "F0001"},
	},
	"release_refund": {
		&grainv1.ExecuteRequest{IdemKey: "F0001:release", Command: &grainv1.ExecuteRequest_ReleaseRefund{
			ReleaseRefund: &grainv1.ReleaseRefundCommand{RefundId: "F0001"},
		}},
		account.ReleaseRefund{IdemKey: "F0001:release", RefundID: "F0001"},
	},
}

// TestCommandCoversEveryOneofCase walks the oneof of ExecuteRequest as the
// generated descriptor declares it, so that a new wire command without a
// conversion (or without a case here) fails.
func TestCommandCoversEveryOneofCase(t *testing.T) {
	oneof := (&grainv1.ExecuteRequest{}).ProtoReflect().Descriptor().Oneofs().ByName("command")
	if oneof == nil {
		t.Fatal("ExecuteRequest has no oneof command")
	}
	fields := oneof.Fields()
	types := map[reflect.Type]bool{}
	for i := range fields.Len() {
		name := string(fields.Get(i).Name())
		tc, ok := commandCases[name]
		if !ok {
			t.Errorf("oneof case %s has no test case", name)
			continue
		}
		if got := tc.req.ProtoReflect().WhichOneof(oneof); got == nil || string(got.Name()) != name {
			t.Errorf("test case %s sets oneof case %v", name, got)
		}
		got, err := Command("acc-1", tc.req)
		if err != nil {
			t.Errorf("%s: Command: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", name, got, tc.want)
		}
		if got.Key() != tc.req.GetIdemKey() {
			t.Errorf("%s: key %q, want %q", name, got.Key(), tc.req.GetIdemKey())
		}
		types[reflect.TypeOf(got)] = true
	}
	if len(commandCases) != fields.Len() || len(types) != fields.Len() {
		t.Errorf("%d oneof cases, %d test cases, %d distinct domain commands", fields.Len(), len(commandCases), len(types))
	}
}

func TestCommandInvalid(t *testing.T) {
	open := func(expiry string) *grainv1.ExecuteRequest {
		return &grainv1.ExecuteRequest{IdemKey: "k", Command: &grainv1.ExecuteRequest_Open{
			Open: &grainv1.OpenCommand{CardExpiry: expiry},
		}}
	}
	purchase := func(expiry string) *grainv1.ExecuteRequest {
		return &grainv1.ExecuteRequest{IdemKey: "k", Command: &grainv1.ExecuteRequest_Purchase{
			Purchase: &grainv1.PurchaseCommand{CardExpiry: expiry},
		}}
	}
	reissue := func(expiry string) *grainv1.ExecuteRequest {
		return &grainv1.ExecuteRequest{IdemKey: "k", Command: &grainv1.ExecuteRequest_Reissue{
			Reissue: &grainv1.ReissueCommand{CardExpiry: expiry},
		}}
	}
	tests := []struct {
		name string
		req  *grainv1.ExecuteRequest
		date bool // a *DateError
	}{
		{"nil request", nil, false},
		{"no command", &grainv1.ExecuteRequest{IdemKey: "k"}, false},
		{"empty expiry", open(""), true},
		{"dashes", open("2029-08-31"), true},
		{"seven digits", purchase("2029083"), true},
		{"nine digits", purchase("202908310"), true},
		{"sign", purchase("+2029083"), true},
		{"non-ASCII digits", purchase("２０２９０８３１"), true},
		{"month 13", reissue("20291331"), true},
		{"day 0", reissue("20290800"), true},
		{"not a leap year", reissue("20300229"), true},
		{"year 0", reissue("00000101"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Command("acc-1", tt.req)
			if got != nil || !errors.Is(err, account.ErrInvalid) {
				t.Fatalf("Command = %v, %v; want nil, ErrInvalid", got, err)
			}
			var de *DateError
			if errors.As(err, &de) != tt.date {
				t.Errorf("err %v: *DateError %v, want %v", err, !tt.date, tt.date)
			}
			if tt.date && account.Reason(err) != "INVALID_CARD_EXPIRY" {
				t.Errorf("Reason = %s, want INVALID_CARD_EXPIRY", account.Reason(err))
			}
			if !tt.date && !errors.Is(err, ErrNoCommand) {
				t.Errorf("err = %v, want ErrNoCommand", err)
			}
		})
	}
}

// TestCommandOneofWithNilMessage: a oneof case set to a nil message is a
// command with zero fields, left to the domain to decline.
func TestCommandOneofWithNilMessage(t *testing.T) {
	got, err := Command("acc-1", &grainv1.ExecuteRequest{IdemKey: "k", Command: &grainv1.ExecuteRequest_Void{}})
	if err != nil || !reflect.DeepEqual(got, account.Command(account.Void{IdemKey: "k"})) {
		t.Errorf("Command = %#v, %v; want empty Void", got, err)
	}
}

// TestCommandMatchesDecide runs converted commands through the domain: the
// opened account accepts a purchase converted from the wire.
func TestCommandMatchesDecide(t *testing.T) {
	var s account.State
	for _, name := range []string{"open", "recharge_credit", "purchase"} {
		cmd, err := Command("acc-1", commandCases[name].req)
		if err != nil {
			t.Fatal(err)
		}
		d, err := account.Decide(s, cmd, t0)
		if err != nil {
			t.Fatalf("%s: Decide: %v", name, err)
		}
		for _, e := range d.Events {
			s = account.Apply(s, e)
		}
	}
	if s.Balance != 20_000-1_400 {
		t.Errorf("balance = %v, want %v", s.Balance, 20_000-1_400)
	}
}
