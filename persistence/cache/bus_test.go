package cache_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/redistest"
)

// recv waits (bounded) for the next message on ch.
func recv(t *testing.T, ch <-chan []byte, what string) []byte {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no message within 5s", what)
		return nil
	}
}

func sink() (chan []byte, func([]byte)) {
	ch := make(chan []byte, 16)
	return ch, func(m []byte) { ch <- m }
}

func TestMemoryBus(t *testing.T) {
	b := cache.NewMemoryBus()
	ch, fn := sink()
	cancel, err := b.Subscribe("revocations", fn)
	if err != nil {
		t.Fatal(err)
	}
	other, ofn := sink()
	if _, err := b.Subscribe("other", ofn); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(context.Background(), "revocations", []byte("r1")); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, ch, "subscriber"); string(m) != "r1" {
		t.Fatalf("got %q", m)
	}
	if len(other) != 0 {
		t.Fatal("a message reached another topic")
	}
	cancel()
	if err := b.Publish(context.Background(), "revocations", []byte("r2")); err != nil {
		t.Fatal(err)
	}
	if len(ch) != 0 {
		t.Fatal("a cancelled subscription still received")
	}
	if err := b.Publish(context.Background(), "revocations", make([]byte, cache.MaxMessage+1)); !errors.Is(err, cache.ErrInvalid) {
		t.Fatalf("oversized message: got %v, want ErrInvalid", err)
	}
}

// TestRedisBusAcrossMembers: two clients (two members) on one Redis and
// prefix; a message published by one reaches the subscribers of both, and
// nothing crosses to another prefix.
func TestRedisBusAcrossMembers(t *testing.T) {
	c1, prefix := redistest.Client(t)
	c2 := redis.NewClient(&redis.Options{Addr: redistest.Addr()})
	t.Cleanup(func() { _ = c2.Close() })
	b1, err := cache.NewRedisBus(c1, cache.RedisOptions{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	b2, err := cache.NewRedisBus(c2, cache.RedisOptions{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := cache.NewRedisBus(c2, cache.RedisOptions{Prefix: strings.TrimSuffix(prefix, ":") + "x:"})
	if err != nil {
		t.Fatal(err)
	}
	ch1, fn1 := sink()
	ch2, fn2 := sink()
	chF, fnF := sink()
	for _, s := range []struct {
		b  *cache.RedisBus
		fn func([]byte)
	}{{b1, fn1}, {b2, fn2}, {foreign, fnF}} {
		cancel, err := s.b.Subscribe("revocations", s.fn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cancel)
	}
	if err := b2.Publish(context.Background(), "revocations", []byte("card 7 revoked")); err != nil {
		t.Fatal(err)
	}
	for i, ch := range []chan []byte{ch1, ch2} {
		if m := recv(t, ch, "member"); string(m) != "card 7 revoked" {
			t.Fatalf("member %d: got %q", i+1, m)
		}
	}
	// The foreign prefix's subscriber got nothing: publish a marker on it and
	// see that the marker is the first thing it receives.
	if err := foreign.Publish(context.Background(), "revocations", []byte("marker")); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, chF, "foreign"); string(m) != "marker" {
		t.Fatalf("another prefix received %q", m)
	}
}
