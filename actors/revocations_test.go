package actors

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/redistest"
)

func waitRevocation(t *testing.T, ch <-chan Revocation, what string) Revocation {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no revocation within 5s", what)
		return Revocation{}
	}
}

// TestRevocationRelayedAcrossMembers: two members' hubs relayed through one Redis;
// a revocation decided on member 2 reaches a terminal session of its school on
// member 1, and none of another school.
func TestRevocationRelayedAcrossMembers(t *testing.T) {
	c1, prefix := redistest.Client(t)
	c2 := redis.NewClient(&redis.Options{Addr: redistest.Addr()})
	t.Cleanup(func() { _ = c2.Close() })
	hubs := make([]*RevocationHub, 2)
	for i, c := range []*redis.Client{c1, c2} {
		bus, err := cache.NewRedisBus(c, cache.RedisOptions{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		hubs[i] = NewRevocationHub()
		stop, err := hubs[i].RelayThrough(bus, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
	}
	mine, other := make(chan Revocation, 4), make(chan Revocation, 4)
	defer hubs[0].Subscribe("35001", func(r Revocation) { mine <- r })()
	defer hubs[0].Subscribe("35002", func(r Revocation) { other <- r })()
	sent := Revocation{SchoolID: "35001", AccountRef: AccountRef("35001/2024000123"), Generation: 3}
	hubs[1].Publish(sent)
	if got := waitRevocation(t, mine, "member 1"); got != sent {
		t.Fatalf("got %+v, want %+v", got, sent)
	}
	hubs[1].Publish(Revocation{SchoolID: "35002", AccountRef: "x", Generation: 1})
	if got := waitRevocation(t, other, "member 1, other school"); got.SchoolID != "35002" {
		t.Fatalf("got %+v", got)
	}
	if len(mine) != 0 {
		t.Fatalf("school 35001 heard another school's revocation")
	}
}

type brokenBus struct{ *cache.MemoryBus }

func (*brokenBus) Publish(context.Context, string, []byte) error {
	return errors.New("redis down")
}

// TestRevocationDeliveredLocallyWhenBusFails: a bus that cannot publish still
// leaves this member's terminals told.
func TestRevocationDeliveredLocallyWhenBusFails(t *testing.T) {
	h := NewRevocationHub()
	stop, err := h.RelayThrough(&brokenBus{cache.NewMemoryBus()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	got := make(chan Revocation, 1)
	defer h.Subscribe("35001", func(r Revocation) { got <- r })()
	h.Publish(Revocation{SchoolID: "35001", AccountRef: "a", Generation: 2})
	if r := waitRevocation(t, got, "local"); r.Generation != 2 {
		t.Fatalf("got %+v", r)
	}
}
