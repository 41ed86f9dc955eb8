package gateway

import (
	"io"
	"log/slog"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
)

// Deps is what the services of the edge share; cmd/onecode builds it once.
type Deps struct {
	Accounts *actors.Accounts
	// Revocations fans committed loss reports and re-issues out to terminals (optional).
	Revocations *actors.RevocationHub
	Directory   directory.Store
	// Journal answers read-side queries (history, canteen totals) without waking grains.
	Journal journal.Store
	Keyring *card.Keyring
	// IDHashKey keys the hash of ID numbers (binding match); never logged.
	IDHashKey []byte
	// Cache keeps rate limits, sessions, one-time codes and binding
	// tickets: cache.Memory on a single node, cache.Redis otherwise.
	Cache cache.Cache
	// Sessions are the staff and parent sessions (in Cache); the same value
	// goes in Config.Sessions for the interceptor.
	Sessions *Sessions
	// PhoneHashKey keys the hash of parents' phones (≥ 16 bytes); never logged.
	PhoneHashKey []byte
	Now          func() time.Time
	Rand         io.Reader
	Logger       *slog.Logger
}
