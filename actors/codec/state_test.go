package codec

import (
	"errors"
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/onecode/onecode/domain/account"
	eventsv1 "github.com/onecode/onecode/protos/onecode/events/v1"
)

func TestStateRoundTrip(t *testing.T) {
	active := richState()
	active.Card.State = account.CardActive
	expired := richState()
	expired.Card.State = account.CardExpired
	all := richState()
	for _, r := range randoms {
		all.UsedRandoms = all.UsedRandoms.With(r)
	}
	tests := []struct {
		name  string
		state account.State
	}{
		{"zero", account.State{}},
		{"rich lost card", richState()},
		{"active card", active},
		{"expired card", expired},
		{"every random used", all},
		{"opened", account.Apply(account.State{}, allEvents()[0])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := EncodeState(tt.state)
			if err != nil {
				t.Fatalf("EncodeState: %v", err)
			}
			got, err := DecodeState(data)
			if err != nil {
				t.Fatalf("DecodeState: %v", err)
			}
			if !reflect.DeepEqual(got, tt.state) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, tt.state)
			}
		})
	}
}

// TestStateOfEveryEventRoundTrips folds the whole journal and snapshots the
// state after each event.
func TestStateOfEveryEventRoundTrips(t *testing.T) {
	var s account.State
	for _, e := range allEvents() {
		if r, ok := e.(account.RefundReleased); ok { // its reservation is not in the table (one event per type)
			s.OpenRefunds = append(s.OpenRefunds, account.OpenRefund{RefundID: r.RefundID, OrderID: r.OrderID, ItemID: r.ItemID, Amount: r.Amount})
			s.Balance -= r.Amount
		}
		s = account.Apply(s, e)
		data, err := EncodeState(s)
		if err != nil {
			t.Fatalf("after %s: %v", e.EventType(), err)
		}
		got, err := DecodeState(data)
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("after %s: got %#v, %v; want %#v", e.EventType(), got, err, s)
		}
	}
}

func TestUsedRandomsStoredInOrder(t *testing.T) {
	m, err := stateMessage(richState())
	if err != nil {
		t.Fatal(err)
	}
	got, want := m.GetUsedRandoms(), []string{"00", "07", "42", "63", "64", "99"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("used randoms = %q, want %q", got, want)
	}
}

func TestEncodeStateErrors(t *testing.T) {
	badState := richState()
	badState.Card.State = 9
	badRandoms := richState()
	badRandoms.UsedRandoms[1] |= 1 << 36 // index 100
	badTime := richState()
	badTime.Recent[1].At = badTime.Recent[1].At.AddDate(-3000, 0, 0)
	for name, s := range map[string]account.State{
		"card state": badState, "random 100": badRandoms, "recent time": badTime,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := EncodeState(s); !errors.Is(err, ErrUnencodable) {
				t.Errorf("err = %v, want ErrUnencodable", err)
			}
		})
	}
}

func TestDecodeStateErrors(t *testing.T) {
	enc := func(m *eventsv1.AccountSnapshot) []byte {
		data, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"invalid tag", []byte{0xff, 0xff}},
		{"truncated", []byte{0x0a, 0x09, 'a'}},
		{"unknown card state", enc(&eventsv1.AccountSnapshot{Card: &eventsv1.Card{State: 7}})},
		{"one-digit random", enc(&eventsv1.AccountSnapshot{UsedRandoms: []string{"7"}})},
		{"letters random", enc(&eventsv1.AccountSnapshot{UsedRandoms: []string{"07", "ab"}})},
		{"three-digit random", enc(&eventsv1.AccountSnapshot{UsedRandoms: []string{"100"}})},
		{"invalid recent time", enc(&eventsv1.AccountSnapshot{Recent: []*eventsv1.RecentPurchase{
			{At: &timestamppb.Timestamp{Seconds: -1 << 62}},
		}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeState(tt.data)
			if !errors.Is(err, ErrMalformed) || !reflect.DeepEqual(got, account.State{}) {
				t.Errorf("DecodeState = %#v, %v; want zero, ErrMalformed", got, err)
			}
		})
	}
}

func TestOutcomeRoundTrip(t *testing.T) {
	tests := []account.Outcome{
		{},
		{Event: "Purchased", Seq: 1 << 40, Amount: 1_400, Balance: -1_500, Arrears: true, CardGeneration: 3},
		{Event: "PurchaseVoided", Seq: 7, Amount: 1_400, Balance: 100, CardGeneration: 1},
		{Event: "BillPaidCash", Seq: 9, Amount: 5_000, Balance: 100, CardGeneration: 1,
			Bill: account.Bill{ItemID: "fee-2", Due: 12_000, Paid: 5_000, DueDay: 20260930, AllowBalance: true}},
	}
	for _, want := range tests {
		data, err := EncodeOutcome(want)
		if err != nil {
			t.Fatalf("EncodeOutcome(%+v): %v", want, err)
		}
		got, err := DecodeOutcome(data)
		if err != nil || got != want {
			t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
		}
	}
}

func TestDecodeOutcomeErrors(t *testing.T) {
	for _, data := range [][]byte{{0xff}, {0x0a, 0x03, 'P'}, {0x0a, 0x01, 0xff}} {
		if got, err := DecodeOutcome(data); !errors.Is(err, ErrMalformed) || got != (account.Outcome{}) {
			t.Errorf("DecodeOutcome(%x) = %+v, %v; want ErrMalformed", data, got, err)
		}
	}
}
