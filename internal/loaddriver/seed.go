// Package loaddriver seeds a school through the AdminService and drives canteen
// terminals paying against a switch: closed loop (each terminal pays again as soon as
// it has its answer) or open loop (a fixed total rate), for a duration or a count.
// Every acknowledged payment (terminal, seq, account, outcome) and every latency (Pay
// sent to PayResult) is recorded; records, latencies and queues are bounded.
//
// A payment whose answer did not arrive (session broken, OUTCOME_UNKNOWN, switch
// unavailable) stays pending on its terminal and is re-sent with the same seq and
// lines before the terminal pays anything new: exactly once by key.
package loaddriver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Seeding bounds.
const (
	// MaxPupils and MaxTerminals bound a seeded school.
	MaxPupils    = 200_000
	MaxTerminals = 4_096
	// importChunk is the rows of one ImportPupils call (the API allows 2,000).
	importChunk = 250
	// DefaultSeedConcurrency is the admin calls in flight while seeding.
	DefaultSeedConcurrency = 16
	// DefaultSubsidyFen is each pupil's opening balance (the API's maximum subsidy).
	DefaultSubsidyFen = 1_000_000
	// limitFen is every school limit (the API's maximum): payments are not capped.
	limitFen = 100_000_000
	// callTimeout bounds one admin call.
	callTimeout = 30 * time.Second
)

// Dish is one priced dish of the seeded canteen.
type Dish struct {
	Barcode  string
	PriceFen int64
}

// Dishes are the seeded canteen's dishes.
var Dishes = []Dish{{"LG1001", 100}, {"LG1002", 600}, {"LG1003", 1200}, {"LG1004", 400}, {"LG1005", 200}, {"LG1006", 350}}

// Pupil is a seeded pupil with a card.
type Pupil struct {
	AccountID string
	StudentNo string
	CardQR    string
}

// TerminalCred is a registered terminal and its device secret.
type TerminalCred struct {
	ID     string
	Secret []byte
}

// School is what Seed created.
type School struct {
	SchoolID   string
	CanteenID  string
	Pupils     []Pupil
	Terminals  []TerminalCred
	SubsidyFen int64 // opening balance of every pupil
}

// SeedConfig says what to seed.
type SeedConfig struct {
	// SchoolID is 5 digits; empty picks a random unused one.
	SchoolID   string
	Pupils     int
	Terminals  int
	SubsidyFen int64 // default DefaultSubsidyFen
	// Concurrency is the admin calls in flight (default DefaultSeedConcurrency).
	Concurrency int
}

// Seed creates a school with one class, one canteen with Dishes, cfg.Pupils pupils
// (imported in chunks; each granted SubsidyFen) and cfg.Terminals terminals, through
// the AdminService on conn with the operator token.
func Seed(ctx context.Context, conn grpc.ClientConnInterface, operatorToken string, cfg SeedConfig) (*School, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	sd := &seeder{ctx: metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+operatorToken), admin: apiv1.NewAdminServiceClient(conn), cfg: cfg}
	schoolID := cfg.SchoolID
	if schoolID == "" {
		if schoolID, err = unusedSchool(sd.ctx, sd.admin, sd.call); err != nil {
			return nil, err
		}
	}
	s := &School{SchoolID: schoolID, CanteenID: "LGC" + schoolID, SubsidyFen: cfg.SubsidyFen}
	if err := sd.call(func(ctx context.Context) error { return sd.putSchool(ctx, s) }); err != nil {
		return nil, fmt.Errorf("loaddriver: seed: %w", err)
	}
	s.Pupils = make([]Pupil, cfg.Pupils)
	s.Terminals = make([]TerminalCred, cfg.Terminals)
	g := newGroup(sd.ctx, cfg.Concurrency)
	sd.importPupils(g, s)
	sd.registerTerminals(g, s)
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("loaddriver: seed: %w", err)
	}
	g = newGroup(sd.ctx, cfg.Concurrency)
	sd.grantSubsidies(g, s)
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("loaddriver: seed: %w", err)
	}
	return s, nil
}

// seedClass is the one class every seeded pupil is in.
const seedClass = "LG"

func (cfg SeedConfig) withDefaults() (SeedConfig, error) {
	if cfg.Pupils < 1 || cfg.Pupils > MaxPupils {
		return cfg, fmt.Errorf("loaddriver: %d pupils, want 1..%d", cfg.Pupils, MaxPupils)
	}
	if cfg.Terminals < 1 || cfg.Terminals > MaxTerminals {
		return cfg, fmt.Errorf("loaddriver: %d terminals, want 1..%d", cfg.Terminals, MaxTerminals)
	}
	if cfg.SubsidyFen == 0 {
		cfg.SubsidyFen = DefaultSubsidyFen
	}
	if cfg.SubsidyFen < 1 || cfg.SubsidyFen > DefaultSubsidyFen {
		return cfg, fmt.Errorf("loaddriver: subsidy %d fen, want 1..%d", cfg.SubsidyFen, DefaultSubsidyFen)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultSeedConcurrency
	}
	return cfg, nil
}

// seeder is one Seed's operator calls.
type seeder struct {
	ctx   context.Context // with the operator's token
	admin apiv1.AdminServiceClient
	cfg   SeedConfig
}

// call runs f under one call's deadline.
func (sd *seeder) call(f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(sd.ctx, callTimeout)
	defer cancel()
	return f(ctx)
}

// putSchool writes the school, its class, its canteen and the canteen's dishes.
func (sd *seeder) putSchool(ctx context.Context, s *School) error {
	_, err := sd.admin.PutSchool(ctx, &apiv1.PutSchoolRequest{School: &apiv1.School{
		Id: s.SchoolID, Name: "Load school " + s.SchoolID,
		SingleRechargeMaxFen: DefaultSubsidyFen, BalanceCapFen: limitFen, DailySpendCapFen: limitFen,
		ArrearsCapFen: 0, VoidWindowSeconds: 600,
	}})
	if err != nil {
		return fmt.Errorf("put school: %w", err)
	}
	if _, err := sd.admin.PutClass(ctx, &apiv1.PutClassRequest{Class: &apiv1.Class{SchoolId: s.SchoolID, Id: seedClass, Name: "Load class", Grade: 3}}); err != nil {
		return fmt.Errorf("put class: %w", err)
	}
	if _, err := sd.admin.PutCanteen(ctx, &apiv1.PutCanteenRequest{Canteen: &apiv1.Canteen{SchoolId: s.SchoolID, Id: s.CanteenID, Name: "Load canteen"}}); err != nil {
		return fmt.Errorf("put canteen: %w", err)
	}
	for _, d := range Dishes {
		if _, err := sd.admin.PutDish(ctx, &apiv1.PutDishRequest{Dish: &apiv1.Dish{
			CanteenId: s.CanteenID, Barcode: d.Barcode, Name: "Dish " + d.Barcode, PriceFen: d.PriceFen, Active: proto.Bool(true),
		}}); err != nil {
			return fmt.Errorf("put dish: %w", err)
		}
	}
	return nil
}

// importPupils imports the school's pupils in chunks of importChunk on g.
func (sd *seeder) importPupils(g *group, s *School) {
	expiry := time.Now().AddDate(1, 0, 0).Format("20060102")
	for lo := 0; lo < len(s.Pupils); lo += importChunk {
		hi := min(lo+importChunk, len(s.Pupils))
		g.Go(func(context.Context) error {
			rows := make([]*apiv1.PupilRow, 0, hi-lo)
			for i := lo; i < hi; i++ {
				rows = append(rows, &apiv1.PupilRow{StudentNo: fmt.Sprintf("%010d", i+1), Name: fmt.Sprintf("Pupil %d", i+1), ClassId: seedClass})
			}
			return sd.call(func(ctx context.Context) error {
				resp, err := sd.admin.ImportPupils(ctx, &apiv1.ImportPupilsRequest{SchoolId: s.SchoolID, Pupils: rows, CardExpiry: expiry})
				if err != nil {
					return fmt.Errorf("import pupils %d..%d: %w", lo+1, hi, err)
				}
				if e := resp.GetErrors(); len(e) > 0 {
					return fmt.Errorf("import pupils %d..%d: row %d: %s: %s", lo+1, hi, e[0].GetRow(), e[0].GetReason(), e[0].GetMessage())
				}
				if len(resp.GetPupils()) != hi-lo {
					return fmt.Errorf("import pupils %d..%d: %d imported", lo+1, hi, len(resp.GetPupils()))
				}
				for k, p := range resp.GetPupils() {
					s.Pupils[lo+k] = Pupil{AccountID: p.GetAccountId(), StudentNo: p.GetStudentNo(), CardQR: p.GetCardQr()}
				}
				return nil
			})
		})
	}
}

// registerTerminals registers the canteen's terminals on g.
func (sd *seeder) registerTerminals(g *group, s *School) {
	for i := range s.Terminals {
		g.Go(func(context.Context) error {
			id := fmt.Sprintf("LG%s-%04d", s.SchoolID, i+1)
			return sd.call(func(ctx context.Context) error {
				resp, err := sd.admin.RegisterTerminal(ctx, &apiv1.RegisterTerminalRequest{TerminalId: id, CanteenId: s.CanteenID, Name: "Load terminal " + id})
				if err != nil {
					return fmt.Errorf("register terminal %s: %w", id, err)
				}
				secret, err := hex.DecodeString(resp.GetSecret())
				if err != nil {
					return fmt.Errorf("terminal %s secret: %w", id, err)
				}
				s.Terminals[i] = TerminalCred{ID: id, Secret: secret}
				return nil
			})
		})
	}
}

// grantSubsidies gives every pupil the opening balance on g.
func (sd *seeder) grantSubsidies(g *group, s *School) {
	for _, p := range s.Pupils {
		g.Go(func(context.Context) error {
			return sd.call(func(ctx context.Context) error {
				_, err := sd.admin.GrantSubsidy(ctx, &apiv1.GrantSubsidyRequest{
					AccountId: p.AccountID, AmountFen: sd.cfg.SubsidyFen, Reason: "load test opening balance", RequestId: "lg-open-" + p.StudentNo,
				})
				if err != nil {
					return fmt.Errorf("subsidy of %s: %w", p.AccountID, err)
				}
				return nil
			})
		})
	}
}

// unusedSchool picks a random school id "9xxxx" whose first pupil has no account.
func unusedSchool(ctx context.Context, admin apiv1.AdminServiceClient, call func(func(context.Context) error) error) (string, error) {
	for range 10 {
		n, err := rand.Int(rand.Reader, big.NewInt(10_000))
		if err != nil {
			return "", err
		}
		id := fmt.Sprintf("9%04d", n.Int64())
		var code codes.Code
		err = call(func(ctx context.Context) error {
			_, err := admin.GetAccount(ctx, &apiv1.GetAccountRequest{AccountId: "acc_" + id + "_0000000001"})
			code = status.Code(err)
			return nil
		})
		if err != nil {
			return "", err
		}
		switch code {
		case codes.NotFound:
			return id, nil
		case codes.OK:
			continue
		default:
			return "", fmt.Errorf("loaddriver: is school %s used? %s", id, code)
		}
	}
	return "", errors.New("loaddriver: no unused school id found in 10 tries")
}

// group runs functions with bounded concurrency and keeps the first error; after an
// error the remaining functions are skipped.
type group struct {
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newGroup(ctx context.Context, n int) *group {
	gctx, cancel := context.WithCancel(ctx)
	return &group{parent: ctx, ctx: gctx, cancel: cancel, sem: make(chan struct{}, n)}
}

func (g *group) Go(f func(context.Context) error) {
	select {
	case g.sem <- struct{}{}:
	case <-g.ctx.Done():
		return
	}
	g.wg.Add(1)
	go func() {
		defer func() { <-g.sem; g.wg.Done() }()
		if g.ctx.Err() != nil {
			return
		}
		if err := f(g.ctx); err != nil {
			g.once.Do(func() { g.err = err; g.cancel() })
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	if g.err == nil && g.parent.Err() != nil {
		return g.parent.Err()
	}
	return g.err
}
