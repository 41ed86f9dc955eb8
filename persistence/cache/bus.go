package cache

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// MaxMessage bounds a Bus message.
	MaxMessage = 4 << 10
	// subscribeTimeout bounds the wait for Redis to confirm a subscription.
	subscribeTimeout = 5 * time.Second
)

// Bus fans small messages out to every member of the cluster: Redis pub/sub
// when the members share a Redis, in-process on a single node. Delivery is at
// most once (a member that is not subscribed at that moment misses the
// message), so a Bus carries only hints whose truth lives elsewhere, such as
// card revocations, which the account grain enforces anyway.
type Bus interface {
	// Publish sends msg to every subscriber of topic, on every member.
	Publish(ctx context.Context, topic string, msg []byte) error
	// Subscribe calls fn, from one goroutine per subscription, with each message
	// of topic until cancel is called. fn must not block for long.
	Subscribe(topic string, fn func(msg []byte)) (cancel func(), err error)
}

func validateMessage(topic string, msg []byte) error {
	if err := ValidateKey(topic); err != nil {
		return err
	}
	if len(msg) > MaxMessage {
		return invalid("bus message of %d bytes, max %d", len(msg), MaxMessage)
	}
	return nil
}

// MemoryBus is a Bus inside one process. Publish calls the subscribers
// before it returns.
type MemoryBus struct {
	mu   sync.Mutex
	next int
	subs map[string]map[int]func([]byte)
}

var _ Bus = (*MemoryBus)(nil)

// NewMemoryBus returns an empty in-process bus.
func NewMemoryBus() *MemoryBus { return &MemoryBus{subs: map[string]map[int]func([]byte){}} }

// Publish implements Bus.
func (b *MemoryBus) Publish(_ context.Context, topic string, msg []byte) error {
	if err := validateMessage(topic, msg); err != nil {
		return err
	}
	b.mu.Lock()
	fns := make([]func([]byte), 0, len(b.subs[topic]))
	for _, fn := range b.subs[topic] {
		fns = append(fns, fn)
	}
	b.mu.Unlock()
	for _, fn := range fns {
		fn(clone(msg))
	}
	return nil
}

// Subscribe implements Bus.
func (b *MemoryBus) Subscribe(topic string, fn func([]byte)) (func(), error) {
	if err := ValidateKey(topic); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.next++
	id := b.next
	if b.subs[topic] == nil {
		b.subs[topic] = map[int]func([]byte){}
	}
	b.subs[topic][id] = fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs[topic], id)
		if len(b.subs[topic]) == 0 {
			delete(b.subs, topic)
		}
	}, nil
}

// RedisBus is a Bus on Redis pub/sub; channels are Prefix+"bus:"+topic.
type RedisBus struct {
	c      redis.UniversalClient
	prefix string
}

var _ Bus = (*RedisBus)(nil)

// NewRedisBus returns a bus on client c, which the caller keeps and closes.
func NewRedisBus(c redis.UniversalClient, opts RedisOptions) (*RedisBus, error) {
	if c == nil {
		return nil, invalid("nil Redis client")
	}
	if len(opts.Prefix) > MaxPrefixLen {
		return nil, invalid("prefix of %d bytes, want at most %d", len(opts.Prefix), MaxPrefixLen)
	}
	return &RedisBus{c: c, prefix: opts.Prefix}, nil
}

func (b *RedisBus) channel(topic string) string { return b.prefix + "bus:" + topic }

// Publish implements Bus.
func (b *RedisBus) Publish(ctx context.Context, topic string, msg []byte) error {
	if err := validateMessage(topic, msg); err != nil {
		return err
	}
	if err := b.c.Publish(ctx, b.channel(topic), msg).Err(); err != nil {
		return unavailable("publish", err)
	}
	return nil
}

// Subscribe implements Bus. It returns once Redis confirmed the subscription;
// go-redis re-subscribes by itself after a lost connection.
func (b *RedisBus) Subscribe(topic string, fn func([]byte)) (func(), error) {
	if err := ValidateKey(topic); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), subscribeTimeout)
	defer cancel()
	ps := b.c.Subscribe(ctx, b.channel(topic))
	if _, err := ps.Receive(ctx); err != nil { // the subscription confirmation
		_ = ps.Close()
		return nil, unavailable("subscribe", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m := range ps.Channel() {
			if len(m.Payload) <= MaxMessage {
				fn([]byte(m.Payload))
			}
		}
	}()
	return func() {
		_ = ps.Close() // closes the channel; the goroutine ends
		<-done
	}, nil
}
