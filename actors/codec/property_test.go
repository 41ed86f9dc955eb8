package codec

import (
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
)

// Range of instants a google.protobuf.Timestamp holds: years 1..9999.
const (
	minUnix = -62_135_596_800
	maxUnix = 253_402_300_799
)

func genTime() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		if rapid.Bool().Draw(t, "zero") {
			return time.Time{}
		}
		return at(rapid.Int64Range(minUnix, maxUnix).Draw(t, "sec"), rapid.Int64Range(0, 999_999_999).Draw(t, "nsec"))
	})
}

func genAmount() *rapid.Generator[money.Amount] {
	return rapid.Custom(func(t *rapid.T) money.Amount { return money.Amount(rapid.Int64().Draw(t, "fen")) })
}

// genDate draws any int32: the storage format keeps dates as they are.
func genDate() *rapid.Generator[account.Date] {
	return rapid.Custom(func(t *rapid.T) account.Date { return account.Date(rapid.Int32().Draw(t, "date")) })
}

func genLimits() *rapid.Generator[account.Limits] {
	return rapid.Custom(func(t *rapid.T) account.Limits {
		return account.Limits{
			SingleRechargeMax: genAmount().Draw(t, "single"), BalanceCap: genAmount().Draw(t, "cap"),
			DailySpendCap: genAmount().Draw(t, "daily"), ArrearsCap: genAmount().Draw(t, "arrears"),
		}
	})
}

func genItems() *rapid.Generator[[]account.Item] {
	return rapid.Custom(func(t *rapid.T) []account.Item {
		items := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) account.Item {
			return account.Item{
				Code: rapid.String().Draw(t, "code"), Name: rapid.String().Draw(t, "name"),
				UnitPrice: genAmount().Draw(t, "price"), Qty: rapid.Int64().Draw(t, "qty"),
			}
		}), 0, 5).Draw(t, "items")
		if len(items) == 0 {
			return nil // empty lists are read back as nil
		}
		return items
	})
}

func genEvent() *rapid.Generator[account.Event] {
	str := rapid.String()
	return rapid.OneOf(
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.AccountOpened{
				AccountID: str.Draw(t, "account"), SchoolID: str.Draw(t, "school"), StudentNo: str.Draw(t, "student"),
				Limits: genLimits().Draw(t, "limits"), CardRandom: str.Draw(t, "random"),
				Expiry: genDate().Draw(t, "expiry"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.Purchased{
				Key: str.Draw(t, "key"), TerminalID: str.Draw(t, "terminal"), CanteenID: str.Draw(t, "canteen"),
				Items: genItems().Draw(t, "items"), Amount: genAmount().Draw(t, "amount"),
				Arrears: rapid.Bool().Draw(t, "arrears"), CapDay: genDate().Draw(t, "day"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.PurchaseVoided{
				Key: str.Draw(t, "key"), PurchaseKey: str.Draw(t, "purchase"), TerminalID: str.Draw(t, "terminal"),
				CanteenID: str.Draw(t, "canteen"), Amount: genAmount().Draw(t, "amount"),
				CapDay: genDate().Draw(t, "day"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.RechargeCredited{
				OrderID: str.Draw(t, "order"), Amount: genAmount().Draw(t, "amount"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.CardReportedLost{Key: str.Draw(t, "key"), By: str.Draw(t, "by"), At: genTime().Draw(t, "at")}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.CardReissued{
				Key: str.Draw(t, "key"), Random: str.Draw(t, "random"),
				Expiry: genDate().Draw(t, "expiry"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.DailyCapSet{Key: str.Draw(t, "key"), Amount: genAmount().Draw(t, "amount"), At: genTime().Draw(t, "at")}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.SchoolLimitsSet{
				Key: str.Draw(t, "key"), SingleRechargeMax: genAmount().Draw(t, "single"),
				BalanceCap: genAmount().Draw(t, "cap"), ArrearsCap: genAmount().Draw(t, "arrears"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.FeePaid{
				Key: str.Draw(t, "key"), FeeItemID: str.Draw(t, "fee"), OrderID: str.Draw(t, "order"),
				Amount: genAmount().Draw(t, "amount"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.BillIssued{
				Key: str.Draw(t, "key"), ItemID: str.Draw(t, "item"), Amount: genAmount().Draw(t, "amount"),
				DueDay: genDate().Draw(t, "due"), AllowBalance: rapid.Bool().Draw(t, "balance"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.BillPaidCash{
				Key: str.Draw(t, "key"), ItemID: str.Draw(t, "item"), Amount: genAmount().Draw(t, "amount"),
				Voucher: str.Draw(t, "voucher"), StaffID: str.Draw(t, "staff"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.BillExempted{
				Key: str.Draw(t, "key"), ItemID: str.Draw(t, "item"), Amount: genAmount().Draw(t, "amount"),
				Reason: str.Draw(t, "reason"), ApprovedBy: str.Draw(t, "staff"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.BillPaidFromBalance{
				Key: str.Draw(t, "key"), ItemID: str.Draw(t, "item"), Amount: genAmount().Draw(t, "amount"), At: genTime().Draw(t, "at"),
			}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.BillClosed{Key: str.Draw(t, "key"), ItemID: str.Draw(t, "item"), At: genTime().Draw(t, "at")}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.BillPaidOnline{ItemID: str.Draw(t, "item"), OrderID: str.Draw(t, "order"),
				Amount: genAmount().Draw(t, "amount"), At: genTime().Draw(t, "at")}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.BillPaymentCredited{ItemID: str.Draw(t, "item"), OrderID: str.Draw(t, "order"),
				Amount: genAmount().Draw(t, "amount"), At: genTime().Draw(t, "at")}
		}),
		rapid.Custom(func(t *rapid.T) account.Event {
			return account.SubsidyGranted{
				Key: str.Draw(t, "key"), Amount: genAmount().Draw(t, "amount"),
				Reason: str.Draw(t, "reason"), At: genTime().Draw(t, "at"),
			}
		}),
	)
}

func genState() *rapid.Generator[account.State] {
	str := rapid.String()
	return rapid.Custom(func(t *rapid.T) account.State {
		var used account.RandomSet
		for _, i := range rapid.SliceOfN(rapid.IntRange(0, 99), 0, 100).Draw(t, "used") {
			used = used.With(randoms[i])
		}
		recent := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) *account.RecentPurchase {
			return &account.RecentPurchase{
				Key: str.Draw(t, "key"), TerminalID: str.Draw(t, "terminal"), CanteenID: str.Draw(t, "canteen"),
				Amount: genAmount().Draw(t, "amount"), At: genTime().Draw(t, "at"),
				CapDay: genDate().Draw(t, "day"), Voided: rapid.Bool().Draw(t, "voided"),
			}
		}), 0, account.MaxRecentPurchases).Draw(t, "recent")
		if len(recent) == 0 {
			recent = nil
		}
		bills := rapid.SliceOfN(genBill(), 0, 8).Draw(t, "bills")
		if len(bills) == 0 {
			bills = nil
		}
		return account.State{
			AccountID: str.Draw(t, "account"), SchoolID: str.Draw(t, "school"), StudentNo: str.Draw(t, "student"),
			Seq: rapid.Uint64().Draw(t, "seq"), Balance: genAmount().Draw(t, "balance"),
			Card: account.Card{
				State:      rapid.SampledFrom([]account.CardState{0, account.CardActive, account.CardLost, account.CardExpired}).Draw(t, "cardState"),
				Generation: rapid.Int().Draw(t, "generation"), Random: str.Draw(t, "random"),
				Expiry: genDate().Draw(t, "expiry"),
			},
			UsedRandoms: used, Limits: genLimits().Draw(t, "limits"),
			SpentDay: genDate().Draw(t, "spentDay"), SpentToday: genAmount().Draw(t, "spent"), Recent: recent,
			Bills: bills,
		}
	})
}

func TestPropertyEventRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := genEvent().Draw(t, "event")
		typ, data, err := EncodeEvent(want)
		if err != nil {
			t.Fatalf("EncodeEvent: %v", err)
		}
		if typ != want.EventType() {
			t.Fatalf("type %q, want %q", typ, want.EventType())
		}
		got, err := DecodeEvent(typ, data)
		if err != nil {
			t.Fatalf("DecodeEvent: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %#v\nwant %#v", got, want)
		}
	})
}

func TestPropertyStateRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := genState().Draw(t, "state")
		data, err := EncodeState(want)
		if err != nil {
			t.Fatalf("EncodeState: %v", err)
		}
		got, err := DecodeState(data)
		if err != nil {
			t.Fatalf("DecodeState: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %#v\nwant %#v", got, want)
		}
	})
}

func TestPropertyOutcomeRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := account.Outcome{
			Event: rapid.String().Draw(t, "event"), Seq: rapid.Uint64().Draw(t, "seq"),
			Amount: genAmount().Draw(t, "amount"), Balance: genAmount().Draw(t, "balance"),
			Arrears: rapid.Bool().Draw(t, "arrears"), CardGeneration: rapid.Int().Draw(t, "generation"),
		}
		if rapid.Bool().Draw(t, "with bill") {
			want.Bill = genBill().Draw(t, "bill")
		}
		data, err := EncodeOutcome(want)
		if err != nil {
			t.Fatalf("EncodeOutcome: %v", err)
		}
		if got, err := DecodeOutcome(data); err != nil || got != want {
			t.Fatalf("round trip = %+v, %v; want %+v", got, err, want)
		}
	})
}

func genBill() *rapid.Generator[account.Bill] {
	return rapid.Custom(func(t *rapid.T) account.Bill {
		return account.Bill{
			ItemID: rapid.StringN(1, 20, -1).Draw(t, "item"), Due: genAmount().Draw(t, "due"),
			Paid: genAmount().Draw(t, "paid"), Exempted: genAmount().Draw(t, "exempted"),
			DueDay: genDate().Draw(t, "day"), AllowBalance: rapid.Bool().Draw(t, "balance"), Closed: rapid.Bool().Draw(t, "closed"),
		}
	})
}
