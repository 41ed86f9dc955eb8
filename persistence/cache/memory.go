package cache

import (
	"container/list"
	"context"
	"strconv"
	"sync"
	"time"
)

// DefaultMaxEntries bounds each table of a Memory (key/values and rate
// limit states) when MemoryOptions.MaxEntries is zero.
const DefaultMaxEntries = 100_000

// sweepPerWrite bounds the expired entries removed by one write.
const sweepPerWrite = 8

// MemoryOptions configure a Memory. Zero values take the defaults.
type MemoryOptions struct {
	// MaxEntries bounds the key/values and, separately, the rate limit
	// states (default DefaultMaxEntries). Past it the least recently used
	// entry is dropped: a session logged out, a limit forgotten early.
	MaxEntries int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Memory is a Cache in process memory, for a single node. It is bounded
// (MaxEntries per table, least recently used dropped first) and every entry
// expires. Safe for concurrent use.
type Memory struct {
	now   func() time.Time
	kv    *lru[[]byte]
	rates *lru[time.Time] // GCRA theoretical arrival time per key
}

var _ Cache = (*Memory)(nil)

// NewMemory returns an empty Memory.
func NewMemory(opts MemoryOptions) (*Memory, error) {
	if opts.MaxEntries == 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.MaxEntries < 1 {
		return nil, invalid("MaxEntries %d, want ≥ 1", opts.MaxEntries)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Memory{now: opts.Now, kv: newLRU[[]byte](opts.MaxEntries), rates: newLRU[time.Time](opts.MaxEntries)}, nil
}

// Len returns the number of live and not yet swept entries in each table.
func (m *Memory) Len() (kv, rates int) { return m.kv.len(), m.rates.len() }

// Set implements KV.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if err := validateSet(key, value, ttl); err != nil {
		return err
	}
	now := m.now()
	m.kv.mu.Lock()
	defer m.kv.mu.Unlock()
	m.kv.put(now, key, clone(value), now.Add(ttl))
	return nil
}

// SetNX implements KV.
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := validateSet(key, value, ttl); err != nil {
		return false, err
	}
	now := m.now()
	m.kv.mu.Lock()
	defer m.kv.mu.Unlock()
	if _, ok := m.kv.get(now, key); ok {
		return false, nil
	}
	m.kv.put(now, key, clone(value), now.Add(ttl))
	return true, nil
}

// Get implements KV.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	m.kv.mu.Lock()
	defer m.kv.mu.Unlock()
	e, ok := m.kv.get(m.now(), key)
	if !ok {
		return nil, ErrNotFound
	}
	return clone(e.value), nil
}

// Delete implements KV.
func (m *Memory) Delete(_ context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	m.kv.mu.Lock()
	defer m.kv.mu.Unlock()
	_, live := m.kv.get(m.now(), key)
	m.kv.remove(key)
	return live, nil
}

// Incr implements KV.
func (m *Memory) Incr(_ context.Context, key string, ttl time.Duration) (int64, error) {
	if err := validateSet(key, nil, ttl); err != nil {
		return 0, err
	}
	now := m.now()
	m.kv.mu.Lock()
	defer m.kv.mu.Unlock()
	expires, n := now.Add(ttl), int64(0)
	if e, ok := m.kv.get(now, key); ok {
		v, err := strconv.ParseInt(string(e.value), 10, 64)
		if err != nil {
			return 0, invalid("incr %q: the value is not an integer", key)
		}
		expires, n = e.expires, v
	}
	n++
	m.kv.put(now, key, []byte(strconv.FormatInt(n, 10)), expires)
	return n, nil
}

// Allow implements Limiter with GCRA, as redis_rate does in Redis: the
// state of a key is its theoretical arrival time (tat), dropped once it
// has passed.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Result, error) {
	if err := ValidateKey(key); err != nil {
		return Result{}, err
	}
	if err := ValidateLimit(l); err != nil {
		return Result{}, err
	}
	now := m.now()
	m.rates.mu.Lock()
	defer m.rates.mu.Unlock()
	tat := now
	if e, ok := m.rates.get(now, key); ok && e.value.After(now) {
		tat = e.value
	}
	return gcra(now, tat, l, func(newTat time.Time) { m.rates.put(now, key, newTat, newTat) }), nil
}

// gcra decides one event at now for a key whose theoretical arrival time
// is tat (≥ now), calling store with the new tat when the event is allowed.
func gcra(now, tat time.Time, l Limit, store func(time.Time)) Result {
	emission := l.Period / time.Duration(l.Rate)
	if emission <= 0 {
		emission = 1
	}
	newTat := tat.Add(emission)
	allowAt := newTat.Add(-emission * time.Duration(l.Burst))
	diff := now.Sub(allowAt)
	if diff < 0 {
		return Result{Allowed: false, RetryAfter: -diff, Remaining: 0}
	}
	store(newTat)
	return Result{Allowed: true, Remaining: int(diff / emission)}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// lru is a bounded map with expiry and least-recently-used eviction. The
// caller holds mu around every method.
type lru[V any] struct {
	mu    sync.Mutex
	max   int
	items map[string]*list.Element
	order *list.List // front: most recently used
}

type entry[V any] struct {
	key     string
	value   V
	expires time.Time
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, items: make(map[string]*list.Element), order: list.New()}
}

func (c *lru[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// get returns the live entry under key, marking it used; an expired one is
// removed.
func (c *lru[V]) get(now time.Time, key string) (*entry[V], bool) {
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*entry[V])
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.items, key)
		return nil, false
	}
	c.order.MoveToFront(el)
	return e, true
}

// put stores value under key, then sweeps a few expired entries from the
// least recently used end and drops the least recently used beyond max.
func (c *lru[V]) put(now time.Time, key string, value V, expires time.Time) {
	if el, ok := c.items[key]; ok {
		e := el.Value.(*entry[V])
		e.value, e.expires = value, expires
		c.order.MoveToFront(el)
	} else {
		c.items[key] = c.order.PushFront(&entry[V]{key: key, value: value, expires: expires})
	}
	for range sweepPerWrite {
		el := c.order.Back()
		if el == nil || now.Before(el.Value.(*entry[V]).expires) {
			break
		}
		c.removeElement(el)
	}
	for len(c.items) > c.max {
		c.removeElement(c.order.Back())
	}
}

func (c *lru[V]) remove(key string) {
	if el, ok := c.items[key]; ok {
		c.removeElement(el)
	}
}

func (c *lru[V]) removeElement(el *list.Element) {
	c.order.Remove(el)
	delete(c.items, el.Value.(*entry[V]).key)
}
