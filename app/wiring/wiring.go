package wiring

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/catalog"
	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/app/fees"
	"github.com/onecode/onecode/app/guardian"
	"github.com/onecode/onecode/app/history"
	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/app/schools"
	"github.com/onecode/onecode/domain/binding"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/domain/idnumber"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
	feestore "github.com/onecode/onecode/persistence/fees"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/outbox"
)

// Stores is what the use cases are built on; cmd/onecode builds it once.
type Stores struct {
	Accounts *actors.Accounts
	// Revocations fans committed loss reports and re-issues out to terminals (optional).
	Revocations *actors.RevocationHub
	Directory   directory.Store
	// Journal answers read-side queries (history, canteen totals) without waking grains.
	Journal journal.Store
	// FeeStore keeps fee items and the bill read model (optional: without it the fee
	// services answer Unavailable).
	FeeStore feestore.Store
	// Outbox is the notices' durable outbox (issue 12; optional: without it the
	// producers queue in the directory's old outbox). Notices() queues in it.
	Outbox  outbox.Store
	Keyring *card.Keyring
	// IDHashKey keys the hash of ID numbers (binding match) and, derived, of bind
	// codes (≥ 16 bytes); never logged.
	IDHashKey []byte
	// Cache keeps rate limits, sessions, one-time codes and binding tickets:
	// cache.Memory on a single node, cache.Redis otherwise.
	Cache cache.Cache
	// Sessions are the staff and parent sessions (in Cache); the same value goes in
	// the edge's configuration for its interceptor.
	Sessions *access.Sessions
	// PhoneHashKey keys the hash of parents' phones (≥ 16 bytes); never logged.
	PhoneHashKey []byte
	// PhoneSealKey seals parents' phones (AES-256-GCM, 32 bytes) so that notices
	// reach them by SMS; never logged.
	PhoneSealKey []byte
	// Business counts sales, declines and failed terminal handshakes for metrics
	// (optional).
	Business *actors.BusinessStats
	// Terminals and TerminalAccess are what operators are told of terminal
	// sessions (app/ops): the board of connected terminals and the failed
	// handshakes behind the illegal-access alarm (both optional).
	Terminals      *ops.Board
	TerminalAccess *ops.Access
	// Mailboxes tracks the mailbox depths of the account grains and terminal
	// sessions (optional: plain mailboxes).
	Mailboxes *actors.Mailboxes
	Now       func() time.Time
	Rand      io.Reader
	Logger    *slog.Logger
}

// ErrMissing reports a use case asked of Stores that lack what it needs (a wiring
// mistake, found at start).
var ErrMissing = errors.New("wiring: a store the use case needs is missing")

// defaulted fills Now, Rand and Logger when left empty: time.Now, crypto/rand and
// slog.Default.
func (s Stores) defaulted() Stores {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Rand == nil {
		s.Rand = rand.Reader
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	return s
}

// Schools are the schools, classes, subsidies and account look-ups.
func (s Stores) Schools() *schools.Service { return schools.New(s.Directory, s.Accounts) }

// Catalog is canteens, dishes and terminals.
func (s Stores) Catalog() *catalog.Service {
	s = s.defaulted()
	return catalog.New(catalog.Deps{Directory: s.Directory, Rand: s.Rand, Logger: s.Logger})
}

// Enrolment is the pupil import, cards and pupil look-ups.
func (s Stores) Enrolment() (*enrolment.Service, error) {
	s = s.defaulted()
	return enrolment.New(enrolment.Deps{Accounts: s.Accounts, Directory: s.Directory, Keyring: s.Keyring,
		IDHashKey: s.IDHashKey, Now: s.Now, Rand: s.Rand, Logger: s.Logger})
}

// StaffAccounts are the staff-account use cases.
func (s Stores) StaffAccounts() access.StaffAccounts {
	s = s.defaulted()
	return access.StaffAccounts{Directory: s.Directory, Sessions: s.Sessions, Rand: s.Rand, Logger: s.Logger}
}

// Auth is staff and parent login, logout and whoami.
func (s Stores) Auth(opts access.AuthOptions) (*access.Auth, error) {
	s = s.defaulted()
	return access.NewAuth(access.AuthDeps{Directory: s.Directory, Cache: s.Cache, Sessions: s.Sessions,
		PhoneHashKey: s.PhoneHashKey, PhoneSealKey: s.PhoneSealKey, Now: s.Now, Rand: s.Rand, LoginCodes: s.loginCodes()}, opts)
}

// History is history lines and canteen totals.
func (s Stores) History() *history.Service {
	return history.New(s.Journal, s.Directory, s.defaulted().Logger)
}

// Guardians are the parents' use cases and the staff's guardianship ones: ID numbers
// hashed as the importer hashes them, bind codes under a key derived from IDHashKey.
func (s Stores) Guardians() (*guardian.Service, error) {
	s = s.defaulted()
	switch {
	case s.Accounts == nil || s.Directory == nil || s.Cache == nil:
		return nil, errors.Join(ErrMissing, errors.New("guardians need Accounts, Directory and Cache"))
	case len(s.IDHashKey) < 16:
		return nil, errors.Join(ErrMissing, errors.New("guardians need an IDHashKey of at least 16 bytes"))
	}
	key := s.IDHashKey
	return guardian.New(guardian.Config{Accounts: s.Accounts, Directory: s.Directory, Cache: s.Cache,
		HashIDNumber: func(n string) ([]byte, error) { return idnumber.Hash(key, n) },
		CodeKey:      binding.DeriveKey(key, "bind-code"), Now: s.Now, Rand: s.Rand, Logger: s.Logger, Notices: s.changeNotices()})
}

// TerminalSessions are the dependencies of the terminal session actors: the grains,
// the directory behind a short cache, the keyring that opens card QRs.
func (s Stores) TerminalSessions() *actors.TerminalSessionDeps {
	s = s.defaulted()
	return &actors.TerminalSessionDeps{Accounts: s.Accounts, Directory: s.Directory, Keyring: s.Keyring,
		Journal: s.Journal, Now: s.Now, Logger: s.Logger, Stats: s.Business, Arrears: s.arrearsNotices(), Mailboxes: s.Mailboxes,
		Cache: actors.NewDirectoryCache(s.Directory, actors.DirectoryCacheOptions{Now: s.Now})}
}

// Fees are the fee items and bills: staff define, publish, collect and close items;
// parents see and pay their children's bills.
func (s Stores) Fees() (*fees.Service, error) {
	s = s.defaulted()
	if s.Accounts == nil || s.Directory == nil || s.FeeStore == nil {
		return nil, errors.Join(ErrMissing, errors.New("fees need Accounts, Directory and FeeStore"))
	}
	d := fees.Deps{Accounts: s.Accounts, Store: s.FeeStore, Directory: s.Directory,
		Now: s.Now, Rand: s.Rand, Logger: s.Logger}
	if s.Journal != nil {
		d.Journal = s.Journal // the payments on a receipt
	}
	if ns, ok := s.Notices(); ok {
		d.Notices = &ns // fee reminders (issue 11)
	}
	return fees.New(d)
}
