package codec

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/onecode/onecode/domain/account"
	eventsv1 "github.com/onecode/onecode/protos/onecode/events/v1"
)

func TestEventRoundTrip(t *testing.T) {
	for _, want := range allEvents() {
		t.Run(want.EventType(), func(t *testing.T) {
			typ, data, err := EncodeEvent(want)
			if err != nil {
				t.Fatalf("EncodeEvent: %v", err)
			}
			if typ != want.EventType() {
				t.Errorf("type = %q, want %q", typ, want.EventType())
			}
			got, err := DecodeEvent(typ, data)
			if err != nil {
				t.Fatalf("DecodeEvent: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, want)
			}
			_, again, err := EncodeEvent(got)
			if err != nil || !bytes.Equal(again, data) {
				t.Errorf("re-encoding differs (err %v)", err)
			}
		})
	}
}

// TestEventRoundTripCoversEveryType guards allEvents: every type DecodeEvent
// knows is in the table, once.
func TestEventRoundTripCoversEveryType(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range allEvents() {
		if seen[e.EventType()] {
			t.Errorf("duplicate %s", e.EventType())
		}
		seen[e.EventType()] = true
	}
	// Every message of the events file that is an event (has field "at" and
	// is not RecentPurchase) must be decodable and in the table.
	msgs := eventsv1.File_onecode_events_v1_account_events_proto.Messages()
	n := 0
	for i := range msgs.Len() {
		md := msgs.Get(i)
		if md.Fields().ByName("at") == nil || md.Name() == "RecentPurchase" {
			continue
		}
		n++
		if !seen[string(md.Name())] {
			t.Errorf("event message %s not in allEvents", md.Name())
		}
	}
	if n != len(seen) {
		t.Errorf("%d event messages, %d events in the table", n, len(seen))
	}
}

func TestEventTimeIsSameInstantInUTC(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	now := time.Now().In(cst) // monotonic reading and a non-UTC zone
	typ, data, err := EncodeEvent(account.RechargeCredited{OrderID: "o", Amount: 1, At: now})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeEvent(typ, data)
	if err != nil {
		t.Fatal(err)
	}
	gotAt := got.(account.RechargeCredited).At
	if !gotAt.Equal(now) || gotAt.Location() != time.UTC {
		t.Errorf("At = %v (%v), want %v in UTC", gotAt, gotAt.Location(), now)
	}
}

func TestEventZeroTimeRoundTrips(t *testing.T) {
	want := account.CardReportedLost{Key: "k", By: account.ByStaff}
	typ, data, err := EncodeEvent(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeEvent(typ, data)
	if err != nil || !reflect.DeepEqual(got, account.Event(want)) {
		t.Errorf("got %#v, %v; want %#v", got, err, want)
	}
}

func TestEncodeEventErrors(t *testing.T) {
	tests := []struct {
		name  string
		event account.Event
		want  error
	}{
		{"nil", nil, ErrUnknownEventType},
		{"pointer", &account.FeePaid{Key: "k"}, ErrUnknownEventType},
		{"time before year 1", account.FeePaid{At: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)}, ErrUnencodable},
		{"time after 9999", account.FeePaid{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, ErrUnencodable},
		{"invalid UTF-8", account.SubsidyGranted{Reason: "\xff"}, ErrUnencodable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := EncodeEvent(tt.event)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeEventErrors(t *testing.T) {
	badTime, err := proto.Marshal(&eventsv1.FeePaid{At: &timestamppb.Timestamp{Seconds: 1, Nanos: -1}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		typ  string
		data []byte
		want error
	}{
		{"empty type", "", nil, ErrUnknownEventType},
		{"unknown type", "AccountClosed", nil, ErrUnknownEventType},
		{"wrong case", "purchased", nil, ErrUnknownEventType},
		{"invalid tag", "Purchased", []byte{0xff, 0xff, 0xff}, ErrMalformed},
		{"truncated", "Purchased", []byte{0x0a, 0x05, 'a'}, ErrMalformed},
		{"invalid UTF-8", "FeePaid", []byte{0x0a, 0x01, 0xff}, ErrMalformed},
		{"bad item", "Purchased", []byte{0x22, 0x02, 0xff, 0xff}, ErrMalformed},
		{"invalid timestamp", "FeePaid", badTime, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeEvent(tt.typ, tt.data)
			if !errors.Is(err, tt.want) || got != nil {
				t.Errorf("DecodeEvent = %v, %v; want nil, %v", got, err, tt.want)
			}
		})
	}
}

// TestEveryMalformedPrefixIsHandled decodes every truncation of every
// event: each gives an event or an error, never a panic.
func TestEveryMalformedPrefixIsHandled(t *testing.T) {
	for _, e := range allEvents() {
		typ, data, err := EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(data) {
			if got, err := DecodeEvent(typ, data[:n]); (got == nil) == (err == nil) {
				t.Fatalf("%s[:%d]: got %v, %v", typ, n, got, err)
			}
		}
	}
}

// FuzzDecodeEvent checks that any bytes decode to an error or to an event
// that re-encodes to a fixed point.
func FuzzDecodeEvent(f *testing.F) {
	for _, e := range allEvents() {
		typ, data, err := EncodeEvent(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(typ, data)
	}
	f.Add("Purchased", []byte{0xff})
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, err := DecodeEvent(typ, data)
		if err != nil {
			return
		}
		typ2, data2, err := EncodeEvent(e)
		if err != nil {
			t.Fatalf("re-encode of decoded %#v: %v", e, err)
		}
		e2, err := DecodeEvent(typ2, data2)
		if err != nil || !reflect.DeepEqual(e2, e) {
			t.Fatalf("second round trip: %#v, %v; want %#v", e2, err, e)
		}
	})
}
