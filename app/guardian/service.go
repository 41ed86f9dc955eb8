package guardian

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/onecode/onecode/app/access"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/domain/binding"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
)

// Limit is a rate limit (re-exported for the edge).
type Limit = cache.Limit

// Bounds and defaults.
const (
	// TicketTTL is how long a Find ticket may be redeemed.
	TicketTTL   = 5 * time.Minute
	ticketBytes = 16
	// DefaultRelation is the relation of a binding that names none.
	DefaultRelation = "guardian"
	// MaxDailyCapFen bounds the daily cap a parent sets (the bound of every limit).
	MaxDailyCapFen = 100_000_000
	// openWorkers bounds the accounts looked up at once.
	openWorkers = 8
)

// Default rate limits: Find per parent and per client address (higher, as mobile
// networks put many parents behind one address); proof attempts (a bind code or an
// ID number, right or wrong) per pupil and per parent.
var (
	DefaultFindPerParent  = Limit{Rate: 10, Burst: 10, Period: time.Hour}
	DefaultFindPerAddr    = Limit{Rate: 60, Burst: 20, Period: time.Hour}
	DefaultProofPerPupil  = Limit{Rate: 10, Burst: 5, Period: 24 * time.Hour}
	DefaultProofPerParent = Limit{Rate: 20, Burst: 10, Period: 24 * time.Hour}
)

// Config is what the Service needs. Zero limits take the defaults.
type Config struct {
	Accounts  *actors.Accounts
	Directory directory.Store
	// Cache keeps Find tickets and rate limits.
	Cache cache.Cache
	// HashIDNumber is the keyed hash the importer keeps in Pupil.IDNumberHash; its
	// error is a malformed number (the message never contains the number).
	HashIDNumber func(idNumber string) ([]byte, error)
	// CodeKey keys the hashes of bind codes (≥ 16 bytes); never logged.
	CodeKey []byte
	Now     func() time.Time
	Rand    io.Reader
	Logger  *slog.Logger

	FindPerParent, FindPerAddr    Limit
	ProofPerPupil, ProofPerParent Limit

	// Notices queues the other guardians' notices of a binding change in the
	// notices' outbox (issue 12); nil: the directory's old outbox.
	Notices ChangeNotices
}

// ChangeNotices queues guardian-change notices (app/notify.Notices).
type ChangeNotices interface {
	EnqueueGuardianChange(ctx context.Context, c notify.GuardianChange) error
}

// Service runs the use cases.
type Service struct{ c Config }

// New checks c and returns the Service.
func New(c Config) (*Service, error) {
	switch {
	case c.Accounts == nil || c.Directory == nil || c.Cache == nil:
		return nil, errors.New("guardian: needs Accounts, Directory and Cache")
	case c.HashIDNumber == nil || len(c.CodeKey) < binding.MinKeyLen:
		return nil, errors.New("guardian: needs HashIDNumber and a CodeKey of at least 16 bytes")
	case c.Now == nil || c.Rand == nil:
		return nil, errors.New("guardian: needs Now and Rand")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	for _, l := range []struct {
		v *Limit
		d Limit
	}{{&c.FindPerParent, DefaultFindPerParent}, {&c.FindPerAddr, DefaultFindPerAddr},
		{&c.ProofPerPupil, DefaultProofPerPupil}, {&c.ProofPerParent, DefaultProofPerParent}} {
		if *l.v == (Limit{}) {
			*l.v = l.d
		}
	}
	return &Service{c: c}, nil
}

// Errors (the same reasons and messages as the edge always gave).
var (
	// ErrNotReachable: a pupil outside the caller's reach answers exactly as an
	// unknown one, so that account ids of other families cannot be probed.
	ErrNotReachable = access.ErrNotReachable
	// ErrRoleNotAllowed: a staff member whose role may not do this.
	ErrRoleNotAllowed = access.ErrRoleNotAllowed
	// errChildNotFound is every Find miss: unknown school or student number,
	// another name, another ID number, a pupil who left. It never says which.
	errChildNotFound = reason.New(reason.KindNotFound, reason.ChildNotFound,
		"no pupil matches these details: check them, or ask the school to import the pupil again")
	errTicket = reason.New(reason.KindFailedPrecondition, reason.BindTicketInvalid,
		"the binding ticket is unknown, used or expired: find the child again")
)

// Child is a pupil as a parent sees it: name masked, with the account's balance,
// card and limits (zero while the account is not opened).
type Child struct {
	AccountID                                   string
	MaskedName, SchoolName, ClassName           string
	BalanceFen, DailySpendCapFen, SpentTodayFen int64
	ArrearsCapFen                               int64
	CardState                                   string
}

// Guard answers nil if parentID is a guardian of accountID, else ErrNotReachable.
func (s *Service) Guard(ctx context.Context, parentID, accountID string) error {
	if directory.ValidateAccountID(accountID) != nil {
		return ErrNotReachable
	}
	ok, err := s.c.Directory.IsGuardian(ctx, parentID, accountID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotReachable
	}
	return nil
}

// Children lists the parent's children.
func (s *Service) Children(ctx context.Context, parentID string) ([]Child, error) {
	bindings, err := s.c.Directory.ChildrenOf(ctx, parentID)
	if err != nil {
		return nil, err
	}
	out := make([]Child, len(bindings))
	err = workers.ForEach(ctx, len(bindings), openWorkers, func(ctx context.Context, i int) error {
		pupil, err := s.c.Directory.PupilByAccount(ctx, bindings[i].AccountID)
		if err != nil {
			return err
		}
		out[i], err = s.child(ctx, pupil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Child returns one of the parent's children (ErrNotReachable for any other).
func (s *Service) Child(ctx context.Context, parentID, accountID string) (Child, error) {
	pupil, err := s.guardedPupil(ctx, parentID, accountID)
	if err != nil {
		return Child{}, err
	}
	return s.child(ctx, pupil)
}

func (s *Service) guardedPupil(ctx context.Context, parentID, accountID string) (directory.Pupil, error) {
	if err := s.Guard(ctx, parentID, accountID); err != nil {
		return directory.Pupil{}, err
	}
	pupil, err := s.c.Directory.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return pupil, ErrNotReachable
	}
	return pupil, err
}

func (s *Service) child(ctx context.Context, pupil directory.Pupil) (Child, error) {
	names, err := lookupNames(ctx, s.c.Directory, pupil)
	if err != nil {
		return Child{}, err
	}
	c := Child{AccountID: pupil.AccountID, MaskedName: actors.MaskName(pupil.Name), SchoolName: names.school, ClassName: names.class}
	st, err := s.c.Accounts.State(ctx, pupil.AccountID)
	if err != nil {
		return Child{}, err
	}
	if st.GetOpened() {
		c.BalanceFen, c.CardState = st.GetBalanceFen(), st.GetCardState()
		c.DailySpendCapFen, c.SpentTodayFen, c.ArrearsCapFen = st.GetLimits().GetDailySpendCapFen(), st.GetSpentTodayFen(), st.GetLimits().GetArrearsCapFen()
	}
	return c, nil
}

type pupilNames struct{ school, class string }

// lookupNames names a pupil's school and class (a class gone from the directory
// shows its id).
func lookupNames(ctx context.Context, dir directory.Store, p directory.Pupil) (pupilNames, error) {
	sc, err := dir.School(ctx, p.SchoolID)
	if err != nil {
		return pupilNames{}, err
	}
	n := pupilNames{school: sc.Name, class: p.ClassID}
	c, err := dir.Class(ctx, p.SchoolID, p.ClassID)
	switch {
	case err == nil:
		n.class = c.Name
	case !errors.Is(err, directory.ErrNotFound):
		return pupilNames{}, err
	}
	return n, nil
}
