package actors

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/onecode/onecode/persistence/cache"
)

// Revocation says that every card of an account printed before Generation is refused:
// the account's card was reported lost or re-issued.
type Revocation struct {
	SchoolID string
	// AccountRef is an opaque reference to the account (AccountRef), so terminals learn
	// no student number.
	AccountRef string
	Generation int64
}

// AccountRef is the opaque reference terminals see for an account.
func AccountRef(accountID string) string {
	h := sha256.Sum256([]byte("onecode/account-ref\n" + accountID))
	return hex.EncodeToString(h[:8])
}

// RevocationHub fans card revocations out to the terminal sessions of the account's
// school: in this process, or on every member once relayed through a cache.Bus.
// Publish never blocks: subscribers must not block either.
type RevocationHub struct {
	local  *cache.MemoryBus // this process's subscribers, by school
	mu     sync.Mutex
	bus    cache.Bus
	logger *slog.Logger
}

// NewRevocationHub returns an empty hub.
func NewRevocationHub() *RevocationHub {
	return &RevocationHub{local: cache.NewMemoryBus()}
}

// Subscribe calls fn for each revocation of the school until cancel is called.
func (h *RevocationHub) Subscribe(school string, fn func(Revocation)) (cancel func()) {
	cancel, err := h.local.Subscribe(schoolTopic(school), func(msg []byte) {
		var r Revocation
		if json.Unmarshal(msg, &r) == nil {
			fn(r)
		}
	})
	if err != nil { // a school id that is no valid topic hears nothing
		return func() {}
	}
	return cancel
}

func schoolTopic(school string) string { return "school:" + school }

// revocationTopic is the cache.Bus topic of revocations.
const revocationTopic = "revocations"

// relayTimeout bounds one publish on the bus.
const relayTimeout = 2 * time.Second

// RelayThrough sends every later Publish through bus and delivers to this
// process's subscribers what bus brings, from any member. A revocation the
// bus fails to carry is delivered here only (and logged): pushes are hints,
// the account grain refuses an old card whatever a terminal heard.
func (h *RevocationHub) RelayThrough(bus cache.Bus, logger *slog.Logger) (stop func(), err error) {
	cancel, err := bus.Subscribe(revocationTopic, func(msg []byte) {
		var r Revocation
		if json.Unmarshal(msg, &r) == nil && r.SchoolID != "" {
			h.deliver(r)
		}
	})
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.bus, h.logger = bus, logger
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		h.bus = nil
		h.mu.Unlock()
		cancel()
	}, nil
}

// Publish hands r to every subscriber of its school: at once in this process,
// or in the background through the bus when relayed.
func (h *RevocationHub) Publish(r Revocation) {
	if h == nil {
		return
	}
	h.mu.Lock()
	bus, logger := h.bus, h.logger
	h.mu.Unlock()
	if bus == nil {
		h.deliver(r)
		return
	}
	msg, _ := json.Marshal(r) // three strings and an int: cannot fail
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), relayTimeout)
		defer cancel()
		if err := bus.Publish(ctx, revocationTopic, msg); err != nil {
			if logger != nil {
				logger.Warn("revocation not relayed to other members; delivered here only", slog.Any("error", err))
			}
			h.deliver(r)
		}
	}()
}

// deliver hands r to this process's subscribers of its school.
func (h *RevocationHub) deliver(r Revocation) {
	msg, _ := json.Marshal(r)
	_ = h.local.Publish(context.Background(), schoolTopic(r.SchoolID), msg) // in-process: cannot fail for a valid id
}
