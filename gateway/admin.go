package gateway

import (
	"context"
	"crypto/hmac"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Bounds of the operator API.
const (
	// MaxImportRows bounds the pupils of one ImportPupils call.
	MaxImportRows = 2_000
	// MaxRowErrors bounds the row errors answered by one ImportPupils call; the rest
	// are counted in a last RowError with row 0.
	MaxRowErrors = 200
	// MaxLimitFen bounds every school limit (1,000,000.00 CNY).
	MaxLimitFen = 100_000_000
	// MaxSubsidyFen bounds one subsidy (10,000.00 CNY).
	MaxSubsidyFen = 1_000_000
	// MaxReasonLen bounds a subsidy reason, in characters.
	MaxReasonLen = 128
	// MaxRequestIDLen bounds a request id, in bytes.
	MaxRequestIDLen = 64
	// TerminalSecretLen is the size of a terminal's device secret, in bytes.
	TerminalSecretLen = 32
	// openWorkers bounds the accounts one import opens (or looks up) at once.
	openWorkers = 8
	// maxIDNumberLen bounds a normalised ID number (mainland ID cards have 18
	// characters; passports and permits fewer).
	minIDNumberLen, maxIDNumberLen = 6, 32
)

// ErrInvalidIDNumber reports an ID number that is not 6..32 characters of [0-9A-Z]
// after normalisation, or an 18-character resident ID number with a wrong check
// character. Its message never contains the number.
var ErrInvalidIDNumber = errors.New("invalid ID number")

// NormalizeIDNumber returns the canonical form of an ID number: spaces and hyphens
// removed, letters upper-cased. It must be 6..32 characters of [0-9A-Z]; a mainland
// resident ID number (17 digits and a check character) must carry the right
// ISO 7064 MOD 11-2 check character (GB 11643). Binding uses the same function.
func NormalizeIDNumber(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			return "", fmt.Errorf("%w: only digits and letters are allowed", ErrInvalidIDNumber)
		}
		if b.Len() > maxIDNumberLen {
			return "", fmt.Errorf("%w: longer than %d characters", ErrInvalidIDNumber, maxIDNumberLen)
		}
	}
	n := b.String()
	if len(n) < minIDNumberLen {
		return "", fmt.Errorf("%w: shorter than %d characters", ErrInvalidIDNumber, minIDNumberLen)
	}
	if len(n) == 18 && isDigits(n[:17]) && residentIDCheck(n[:17]) != n[17] {
		return "", fmt.Errorf("%w: wrong check character", ErrInvalidIDNumber)
	}
	return n, nil
}

// residentIDCheck is the GB 11643 check character of the first 17 digits.
func residentIDCheck(d17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(d17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// HashIDNumber is the keyed hash kept in directory.Pupil.IDNumberHash and compared at
// binding: HMAC-SHA256(key, NormalizeIDNumber(idNumber)). The number itself is never
// stored or logged.
func HashIDNumber(key []byte, idNumber string) ([]byte, error) {
	n, err := NormalizeIDNumber(idNumber)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(n))
	return m.Sum(nil), nil
}

// noIDNumberHash stands for "no ID number given" (the directory requires a hash). Its
// input can never be a normalised ID number (it has a '/' and a newline), so no number
// typed at binding matches it: such a pupil cannot be bound by ID number until a later
// import gives the number. It is deterministic, so a re-run import writes the same.
func noIDNumberHash(key []byte, accountID string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("onecode/no-id-number\n" + accountID))
	return m.Sum(nil)
}

// AccountID is the account id of a pupil: acc_<school>_<student no>.
func AccountID(schoolID, studentNo string) string {
	return "acc_" + schoolID + "_" + studentNo
}

type adminService struct {
	apiv1.UnimplementedAdminServiceServer
	d Deps
}

// NewAdminService returns the operator API on deps. Accounts, Directory and Keyring are
// required and IDHashKey must have at least 16 bytes (a wiring mistake panics at start);
// Now, Rand and Logger default to time.Now, crypto/rand and slog.Default. Rand must be
// safe for concurrent use.
func NewAdminService(deps Deps) apiv1.AdminServiceServer {
	switch {
	case deps.Accounts == nil || deps.Directory == nil || deps.Keyring == nil:
		panic("gateway: NewAdminService needs Accounts, Directory and Keyring")
	case len(deps.IDHashKey) < 16:
		panic("gateway: NewAdminService needs an IDHashKey of at least 16 bytes")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Rand == nil {
		deps.Rand = cryptorand.Reader
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	return &adminService{d: deps}
}

// invalidArg is a request that breaks a rule of the API; nothing was changed.
func invalidArg(format string, args ...any) error {
	return Status(codes.InvalidArgument, "INVALID_ARGUMENT", fmt.Sprintf(format, args...))
}

// validationStatus turns a directory validation error into an InvalidArgument status
// (and anything else through ErrorStatus).
func validationStatus(err error) error {
	if errors.Is(err, directory.ErrInvalid) {
		return Status(codes.InvalidArgument, "INVALID_ARGUMENT", strings.TrimPrefix(err.Error(), directory.ErrInvalid.Error()+": "))
	}
	return ErrorStatus(err)
}

// school reads a school, answering NotFound with a clear message.
func (s *adminService) school(ctx context.Context, id string) (directory.School, error) {
	if err := directory.ValidateSchoolID(id); err != nil {
		return directory.School{}, validationStatus(err)
	}
	sc, err := s.d.Directory.School(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return sc, Status(codes.NotFound, "SCHOOL_NOT_FOUND", "school "+id+" not found")
	}
	if err != nil {
		return sc, ErrorStatus(err)
	}
	return sc, nil
}

// canteen reads a canteen, answering NotFound with a clear message.
func (s *adminService) canteen(ctx context.Context, id string) (directory.Canteen, error) {
	if err := directory.ValidateID("canteen", id); err != nil {
		return directory.Canteen{}, validationStatus(err)
	}
	c, err := s.d.Directory.Canteen(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return c, Status(codes.NotFound, "CANTEEN_NOT_FOUND", "canteen "+id+" not found")
	}
	if err != nil {
		return c, ErrorStatus(err)
	}
	return c, nil
}

// PutSchool creates or updates a school and its default limits.
func (s *adminService) PutSchool(ctx context.Context, req *apiv1.PutSchoolRequest) (*apiv1.PutSchoolResponse, error) {
	p := req.GetSchool()
	if p == nil {
		return nil, invalidArg("school is required")
	}
	sc := directory.School{
		ID: p.GetId(), Name: strings.TrimSpace(p.GetName()),
		SingleRechargeMax: p.GetSingleRechargeMaxFen(), BalanceCap: p.GetBalanceCapFen(),
		DailySpendCap: p.GetDailySpendCapFen(), ArrearsCap: p.GetArrearsCapFen(),
		VoidWindowSeconds: p.GetVoidWindowSeconds(),
	}
	if err := directory.ValidateSchool(&sc); err != nil {
		return nil, validationStatus(err)
	}
	for _, l := range []int64{sc.SingleRechargeMax, sc.BalanceCap, sc.DailySpendCap, sc.ArrearsCap} {
		if l > MaxLimitFen {
			return nil, invalidArg("school %s: limit %d fen above %d", sc.ID, l, MaxLimitFen)
		}
	}
	if err := s.d.Directory.PutSchool(ctx, sc); err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutSchoolResponse{School: schoolProto(sc)}, nil
}

func schoolProto(sc directory.School) *apiv1.School {
	return &apiv1.School{
		Id: sc.ID, Name: sc.Name,
		SingleRechargeMaxFen: sc.SingleRechargeMax, BalanceCapFen: sc.BalanceCap,
		DailySpendCapFen: sc.DailySpendCap, ArrearsCapFen: sc.ArrearsCap,
		VoidWindowSeconds: sc.VoidWindowSeconds,
	}
}

// PutClass creates or updates a class of an existing school.
func (s *adminService) PutClass(ctx context.Context, req *apiv1.PutClassRequest) (*apiv1.PutClassResponse, error) {
	p := req.GetClass()
	if p == nil {
		return nil, invalidArg("class is required")
	}
	c := directory.Class{SchoolID: p.GetSchoolId(), ID: p.GetId(), Name: strings.TrimSpace(p.GetName()), Grade: p.GetGrade()}
	if err := directory.ValidateClass(&c); err != nil {
		return nil, validationStatus(err)
	}
	if _, err := s.school(ctx, c.SchoolID); err != nil {
		return nil, err
	}
	if err := s.d.Directory.PutClass(ctx, c); err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutClassResponse{Class: &apiv1.Class{SchoolId: c.SchoolID, Id: c.ID, Name: c.Name, Grade: c.Grade}}, nil
}

// PutCanteen creates or updates a canteen of an existing school.
func (s *adminService) PutCanteen(ctx context.Context, req *apiv1.PutCanteenRequest) (*apiv1.PutCanteenResponse, error) {
	p := req.GetCanteen()
	if p == nil {
		return nil, invalidArg("canteen is required")
	}
	c, err := canteenFrom(p.GetSchoolId(), p.GetId(), p.GetName())
	if err != nil {
		return nil, err
	}
	if _, err := s.school(ctx, c.SchoolID); err != nil {
		return nil, err
	}
	foreign := Status(codes.AlreadyExists, "CANTEEN_OF_OTHER_SCHOOL", "canteen "+c.ID+" belongs to another school")
	if err := (canteenRules{d: s.d}).putCanteen(ctx, c, foreign); err != nil {
		return nil, err
	}
	return &apiv1.PutCanteenResponse{Canteen: canteenProto(c)}, nil
}

// PutDish creates or updates a dish of an existing canteen and answers the catalog
// version after the put (unchanged when the put changed nothing).
func (s *adminService) PutDish(ctx context.Context, req *apiv1.PutDishRequest) (*apiv1.PutDishResponse, error) {
	p := req.GetDish()
	if p == nil {
		return nil, invalidArg("dish is required")
	}
	d, err := dishFrom(p)
	if err != nil {
		return nil, err
	}
	if _, err := s.canteen(ctx, d.CanteenID); err != nil {
		return nil, err
	}
	version, err := s.d.Directory.PutDish(ctx, d)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	return &apiv1.PutDishResponse{Dish: dishProto(d), CatalogVersion: version}, nil
}

// RegisterTerminal registers a terminal of an existing canteen (whose school becomes
// the terminal's) with a fresh 32-byte device secret (see canteenRules.registerTerminal).
// The secret is answered in hex, only this once: registering the same id again is
// AlreadyExists.
func (s *adminService) RegisterTerminal(ctx context.Context, req *apiv1.RegisterTerminalRequest) (*apiv1.RegisterTerminalResponse, error) {
	if err := checkTerminalID(req.GetTerminalId()); err != nil {
		return nil, err
	}
	c, err := s.canteen(ctx, req.GetCanteenId())
	if err != nil {
		return nil, err
	}
	t, err := canteenRules{d: s.d}.registerTerminal(ctx, c, req.GetTerminalId(), req.GetName(), req.GetCanOverride())
	if err != nil {
		return nil, err
	}
	return &apiv1.RegisterTerminalResponse{TerminalId: t.ID, SchoolId: t.SchoolID, Secret: hex.EncodeToString(t.SecretHash)}, nil
}

// canteenRules are the canteen, terminal and dish rules shared by the operator API
// (adminService) and the school's console (StaffService), as pupilImporter shares the
// import: the checks of the input, the directory writes and the API objects. Which
// canteens a caller may touch is the caller's business, settled before these run: the
// operator reaches every school, staff only their own (StaffService.reachCanteen).
type canteenRules struct {
	d Deps
}

// canteenFrom is a checked canteen (name trimmed); a bad one is InvalidArgument.
func canteenFrom(schoolID, id, name string) (directory.Canteen, error) {
	c := directory.Canteen{SchoolID: schoolID, ID: id, Name: strings.TrimSpace(name)}
	if err := directory.ValidateCanteen(&c); err != nil {
		return c, validationStatus(err)
	}
	return c, nil
}

// putCanteen writes a canteen checked by canteenFrom whose school exists. A canteen
// never moves to another school: an id of another school's canteen answers foreign
// and changes nothing.
func (r canteenRules) putCanteen(ctx context.Context, c directory.Canteen, foreign error) error {
	err := r.d.Directory.PutCanteen(ctx, c)
	if errors.Is(err, directory.ErrConflict) {
		return foreign
	}
	return ErrorStatus(err)
}

func canteenProto(c directory.Canteen) *apiv1.Canteen {
	return &apiv1.Canteen{SchoolId: c.SchoolID, Id: c.ID, Name: c.Name}
}

// checkTerminalID checks the id of a terminal to register (InvalidArgument).
func checkTerminalID(id string) error {
	if err := directory.ValidateID("terminal", id); err != nil {
		return validationStatus(err)
	}
	return nil
}

// registerTerminal registers terminal id (checked by checkTerminalID) of canteen c,
// whose school becomes the terminal's: active, named name (its id when empty), with a
// fresh TerminalSecretLen-byte device secret from Rand. The raw secret is stored in
// Terminal.SecretHash (the HMAC key of the terminal challenge) and answered in the
// terminal for the caller to show once. An id already registered (in any school) is
// AlreadyExists TERMINAL_EXISTS, which shows nothing of that terminal. attrs are added
// to the log line.
func (r canteenRules) registerTerminal(ctx context.Context, c directory.Canteen, id, name string, canOverride bool, attrs ...any) (directory.Terminal, error) {
	t := directory.Terminal{
		ID: id, SchoolID: c.SchoolID, CanteenID: c.ID, Name: strings.TrimSpace(name),
		Status: directory.TerminalActive, CanOverride: canOverride,
	}
	if t.Name == "" {
		t.Name = t.ID
	}
	t.SecretHash = make([]byte, TerminalSecretLen)
	if _, err := io.ReadFull(r.d.Rand, t.SecretHash); err != nil {
		return directory.Terminal{}, ErrorStatus(fmt.Errorf("terminal secret: %w", err))
	}
	if err := directory.ValidateTerminal(&t); err != nil {
		return directory.Terminal{}, validationStatus(err)
	}
	err := r.d.Directory.AddTerminal(ctx, t)
	if errors.Is(err, directory.ErrConflict) {
		return directory.Terminal{}, Status(codes.AlreadyExists, "TERMINAL_EXISTS", "terminal "+t.ID+" is already registered; its secret is not shown again")
	}
	if err != nil {
		return directory.Terminal{}, ErrorStatus(err)
	}
	r.d.Logger.Info("terminal registered", append([]any{slog.String("terminal", t.ID), slog.String("school", t.SchoolID),
		slog.String("canteen", t.CanteenID), slog.Bool("can_override", t.CanOverride)}, attrs...)...)
	return t, nil
}

// dishFrom is a checked dish (name and allergens trimmed): the directory's rules
// (barcode of 1..MaxBarcodeLen printable ASCII, name, price > 0, nutrients ≥ 0, at most
// MaxAllergens allergens of 1..MaxAllergenLen characters) and a price of at most
// MaxLimitFen. A bad one is InvalidArgument.
func dishFrom(p *apiv1.Dish) (directory.Dish, error) {
	d := directory.Dish{
		CanteenID: p.GetCanteenId(), Barcode: p.GetBarcode(), Name: strings.TrimSpace(p.GetName()),
		PriceFen: p.GetPriceFen(), Kcal: p.GetKcal(), ProteinMg: p.GetProteinMg(), FatMg: p.GetFatMg(), CarbMg: p.GetCarbMg(),
		Active: p.GetActive(),
	}
	for _, a := range p.GetAllergens() {
		d.Allergens = append(d.Allergens, strings.TrimSpace(a))
	}
	if err := directory.ValidateDish(&d); err != nil {
		return d, validationStatus(err)
	}
	if d.PriceFen > MaxLimitFen {
		return d, invalidArg("dish %s: price %d fen above %d", d.Barcode, d.PriceFen, MaxLimitFen)
	}
	return d, nil
}

func dishProto(d directory.Dish) *apiv1.Dish {
	return &apiv1.Dish{
		CanteenId: d.CanteenID, Barcode: d.Barcode, Name: d.Name, PriceFen: d.PriceFen,
		Kcal: d.Kcal, ProteinMg: d.ProteinMg, FatMg: d.FatMg, CarbMg: d.CarbMg,
		Allergens: d.Allergens, Active: d.Active,
	}
}

// GrantSubsidy credits a pupil's account from the school's subsidy fund, once per
// request id (idempotency key "subsidy:<request_id>").
func (s *adminService) GrantSubsidy(ctx context.Context, req *apiv1.GrantSubsidyRequest) (*apiv1.GrantSubsidyResponse, error) {
	if err := directory.ValidateAccountID(req.GetAccountId()); err != nil {
		return nil, validationStatus(err)
	}
	if a := req.GetAmountFen(); a <= 0 || a > MaxSubsidyFen {
		return nil, invalidArg("amount %d fen, want 1..%d", a, MaxSubsidyFen)
	}
	reason := strings.TrimSpace(req.GetReason())
	if err := checkText("reason", reason, MaxReasonLen); err != nil {
		return nil, err
	}
	if err := checkRequestID(req.GetRequestId()); err != nil {
		return nil, err
	}
	if _, err := s.pupil(ctx, req.GetAccountId()); err != nil {
		return nil, err
	}
	resp, err := s.d.Accounts.Execute(ctx, req.GetAccountId(), &grainv1.ExecuteRequest{
		IdemKey: "subsidy:" + req.GetRequestId(),
		Command: &grainv1.ExecuteRequest_GrantSubsidy{GrantSubsidy: &grainv1.GrantSubsidyCommand{
			AmountFen: req.GetAmountFen(), Reason: reason,
		}},
	})
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if d := resp.GetDeclined(); d != nil {
		return nil, DeclineStatus(d.GetReason(), d.GetMessage())
	}
	a := resp.GetAccepted()
	return &apiv1.GrantSubsidyResponse{BalanceFen: a.GetBalanceFen(), Replayed: a.GetReplayed()}, nil
}

// GetAccount answers a pupil's account as staff see it (full name included).
func (s *adminService) GetAccount(ctx context.Context, req *apiv1.GetAccountRequest) (*apiv1.GetAccountResponse, error) {
	if err := directory.ValidateAccountID(req.GetAccountId()); err != nil {
		return nil, validationStatus(err)
	}
	p, err := s.pupil(ctx, req.GetAccountId())
	if err != nil {
		return nil, err
	}
	st, err := s.d.Accounts.State(ctx, p.AccountID)
	if err != nil {
		return nil, ErrorStatus(err)
	}
	if !st.GetOpened() {
		return nil, DeclineStatus("ACCOUNT_NOT_OPENED", "the account of this pupil is not opened yet: run the import again")
	}
	return &apiv1.GetAccountResponse{
		AccountId: p.AccountID, SchoolId: p.SchoolID, StudentNo: p.StudentNo, Name: p.Name,
		BalanceFen: st.GetBalanceFen(), CardState: st.GetCardState(), CardGeneration: int64(st.GetCardGeneration()),
		DailySpendCapFen: st.GetLimits().GetDailySpendCapFen(), ArrearsCapFen: st.GetLimits().GetArrearsCapFen(),
		SpentTodayFen: st.GetSpentTodayFen(),
	}, nil
}

func (s *adminService) pupil(ctx context.Context, accountID string) (directory.Pupil, error) {
	p, err := s.d.Directory.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return p, Status(codes.NotFound, "ACCOUNT_NOT_FOUND", "no pupil has account "+accountID)
	}
	if err != nil {
		return p, ErrorStatus(err)
	}
	return p, nil
}

func checkText(what, s string, max int) error {
	if !utf8.ValidString(s) {
		return invalidArg("%s is not UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > max {
		return invalidArg("%s of %d characters, want 1..%d", what, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalidArg("%s has a control character", what)
		}
	}
	return nil
}

// checkRequestID: 1..MaxRequestIDLen bytes of [A-Za-z0-9_.:-].
func checkRequestID(id string) error {
	if id == "" || len(id) > MaxRequestIDLen {
		return invalidArg("request_id of %d bytes, want 1..%d (it is the idempotency key)", len(id), MaxRequestIDLen)
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-'
		if !ok {
			return invalidArg("request_id %q: want only [A-Za-z0-9_.:-]", id)
		}
	}
	return nil
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// forEach runs fn(ctx, i) for every i in [0, n) on at most workers goroutines. After
// the first error it starts nothing more, cancels the others' context and returns that
// first error (or the caller's context error).
func forEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, workers)
loop:
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				cancel()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx) // nil unless the caller's context ended
}

// formatDay is YYYYMMDD.
func formatDay(d int32) string { return fmt.Sprintf("%08d", d) }

// parseExpiry parses a card expiry YYYYMMDD that must be a real day after today
// (Asia/Shanghai) and within the directory's range.
func parseExpiry(s string, now time.Time) (int32, error) {
	if len(s) != 8 || !isDigits(s) {
		return 0, invalidArg("card_expiry %q, want YYYYMMDD", s)
	}
	day, err := time.ParseInLocation("20060102", s, card.Zone())
	if err != nil {
		return 0, invalidArg("card_expiry %q is not a real day", s)
	}
	v, _ := strconv.Atoi(s)
	if v < directory.MinCardExpiry || v > directory.MaxCardExpiry {
		return 0, invalidArg("card_expiry %s out of %d..%d", s, directory.MinCardExpiry, directory.MaxCardExpiry)
	}
	y, m, d := now.In(card.Zone()).Date()
	if !day.After(time.Date(y, m, d, 0, 0, 0, 0, card.Zone())) {
		return 0, invalidArg("card_expiry %s is not in the future", s)
	}
	return int32(v), nil
}

// importRow is one checked row of an import, ready for the directory.
type importRow struct {
	pupil directory.Pupil
	isNew bool
}

// ImportPupils adds or updates pupils of a school all-or-nothing, opens their accounts
// with the school's default limits and answers their card QR texts.
//
// Every row is checked first (student number, duplicates in the file, name, class of
// the school, ID number); any bad row answers the row errors and imports nothing. A new
// pupil gets a fresh card random; a pupil already in the directory keeps the card
// random, expiry and status it has (a re-import never re-issues a card: staff use
// Reissue) and keeps its ID-number hash when the row has no ID number. An empty ID
// number stores a hash no ID number matches (see noIDNumberHash).
//
// The directory write is one transaction; the accounts are then opened one by one with
// the idempotency key "open:<account id>". If opening fails midway (IMPORT_INCOMPLETE,
// or a deadline), the pupils are saved and running the same import again is safe: it
// changes no card and opens only the accounts still closed.
func (s *adminService) ImportPupils(ctx context.Context, req *apiv1.ImportPupilsRequest) (*apiv1.ImportPupilsResponse, error) {
	if n := len(req.GetPupils()); n == 0 || n > MaxImportRows {
		return nil, invalidArg("%d pupils, want 1..%d per import", n, MaxImportRows)
	}
	expiry, err := parseExpiry(req.GetCardExpiry(), s.d.Now())
	if err != nil {
		return nil, err
	}
	school, err := s.school(ctx, req.GetSchoolId())
	if err != nil {
		return nil, err
	}
	return pupilImporter{d: s.d}.importPupils(ctx, school, expiry, req.GetPupils())
}

// pupilImporter is the import shared by AdminService.ImportPupils and
// StaffService.ImportPupilsFile: check every row, write the directory in one
// transaction, open the accounts and seal the cards (see ImportPupils).
type pupilImporter struct {
	d Deps
}

// importPupils imports rows into school with cards expiring on expiry (YYYYMMDD).
// Row errors are answered in the response (RowError.Row is the 1-based index in
// rows) and then nothing was written.
func (s pupilImporter) importPupils(ctx context.Context, school directory.School, expiry int32, in []*apiv1.PupilRow) (*apiv1.ImportPupilsResponse, error) {
	rows, rowErrs, err := s.checkRows(ctx, school.ID, expiry, in)
	if err != nil {
		return nil, err
	}
	if len(rowErrs) > 0 {
		return &apiv1.ImportPupilsResponse{Errors: capRowErrors(rowErrs)}, nil
	}
	pupils := make([]directory.Pupil, len(rows))
	for i, r := range rows {
		pupils[i] = r.pupil
	}
	if err := s.d.Directory.BulkImportPupils(ctx, school.ID, pupils); err != nil {
		var ie *directory.ImportError
		if errors.As(err, &ie) {
			return &apiv1.ImportPupilsResponse{Errors: capRowErrors(storeRowErrors(ie))}, nil
		}
		return nil, ErrorStatus(err)
	}
	cards, err := s.openAccounts(ctx, school, pupils)
	if err != nil {
		return nil, err
	}
	out := &apiv1.ImportPupilsResponse{Pupils: make([]*apiv1.ImportedPupil, len(pupils))}
	for i, p := range pupils {
		qr, err := s.sealCard(school.ID, p.StudentNo, cards[i])
		if err != nil {
			return nil, ErrorStatus(err)
		}
		out.Pupils[i] = &apiv1.ImportedPupil{StudentNo: p.StudentNo, AccountId: p.AccountID, CardQr: qr}
	}
	newCount := 0
	for _, r := range rows {
		if r.isNew {
			newCount++
		}
	}
	s.d.Logger.Info("pupils imported", slog.String("school", school.ID), slog.Int("rows", len(rows)), slog.Int("new", newCount))
	return out, nil
}

func rowError(row int, reason, format string, args ...any) *apiv1.RowError {
	return &apiv1.RowError{Row: int32(row + 1), Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// capRowErrors keeps the first MaxRowErrors and counts the rest in a row-0 error.
func capRowErrors(errs []*apiv1.RowError) []*apiv1.RowError {
	if len(errs) <= MaxRowErrors {
		return errs
	}
	more := len(errs) - MaxRowErrors
	return append(errs[:MaxRowErrors:MaxRowErrors], &apiv1.RowError{
		Row: 0, Reason: "TOO_MANY_ERRORS", Message: fmt.Sprintf("%d more errors not listed", more),
	})
}

// storeRowErrors maps the directory's own rejection (a race with another import, a
// class removed meanwhile) to row errors.
func storeRowErrors(ie *directory.ImportError) []*apiv1.RowError {
	out := make([]*apiv1.RowError, 0, len(ie.Rows))
	for _, r := range ie.Rows {
		reason := "INVALID_ROW"
		switch {
		case errors.Is(r.Err, directory.ErrNotFound):
			reason = "UNKNOWN_CLASS"
		case errors.Is(r.Err, directory.ErrConflict):
			reason = "CONFLICT"
		}
		out = append(out, rowError(r.Row, reason, "%s", r.Err.Error()))
	}
	return out
}

// checkRows validates every row, in the file and against the directory, and builds
// the pupils to write. It answers the row errors, or an error status when the directory
// cannot be read.
func (s pupilImporter) checkRows(ctx context.Context, schoolID string, expiry int32, in []*apiv1.PupilRow) ([]importRow, []*apiv1.RowError, error) {
	var errs []*apiv1.RowError
	rows := make([]importRow, len(in))
	firstRow := map[string]int{}
	classes := map[string]bool{} // class id → of the school
	for i, r := range in {
		rowErrs := checkRowFields(i, r, firstRow)
		if directory.ValidateID("class", r.GetClassId()) == nil {
			known, err := s.classKnown(ctx, classes, schoolID, r.GetClassId())
			if err != nil {
				return nil, nil, err
			}
			if !known {
				rowErrs = append(rowErrs, rowError(i, "UNKNOWN_CLASS", "class %q is not a class of school %s", r.GetClassId(), schoolID))
			}
		}
		var idHash []byte
		if r.GetIdNumber() != "" {
			h, err := HashIDNumber(s.d.IDHashKey, r.GetIdNumber())
			if err != nil {
				rowErrs = append(rowErrs, rowError(i, "INVALID_ID_NUMBER", "%s", err.Error()))
			}
			idHash = h
		}
		errs = append(errs, rowErrs...)
		no := r.GetStudentNo()
		rows[i].pupil = directory.Pupil{
			AccountID: AccountID(schoolID, no), SchoolID: schoolID, StudentNo: no,
			Name: strings.TrimSpace(r.GetName()), ClassID: r.GetClassId(), IDNumberHash: idHash,
			CardExpiry: expiry, Status: directory.PupilActive,
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	if err := s.mergeExisting(ctx, rows); err != nil {
		return nil, nil, err
	}
	return rows, nil, nil
}

// classKnown reports whether classID is a class of the school, asking the directory
// once per class of the file.
func (s pupilImporter) classKnown(ctx context.Context, cache map[string]bool, schoolID, classID string) (bool, error) {
	if known, ok := cache[classID]; ok {
		return known, nil
	}
	_, err := s.d.Directory.Class(ctx, schoolID, classID)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return false, ErrorStatus(err)
	}
	cache[classID] = err == nil
	return err == nil, nil
}

// checkRowFields checks one row on its own and against the earlier rows of the file.
func checkRowFields(i int, r *apiv1.PupilRow, firstRow map[string]int) []*apiv1.RowError {
	var errs []*apiv1.RowError
	no := r.GetStudentNo()
	if err := directory.ValidateStudentNo(no); err != nil {
		errs = append(errs, rowError(i, "INVALID_STUDENT_NO", "student no %q, want 10 digits", no))
	} else if j, dup := firstRow[no]; dup {
		errs = append(errs, rowError(i, "DUPLICATE_STUDENT_NO", "student no %s is also in row %d", no, j+1))
	} else {
		firstRow[no] = i
	}
	name := strings.TrimSpace(r.GetName())
	if err := checkText("name", name, directory.MaxNameLen); err != nil {
		errs = append(errs, rowError(i, "INVALID_NAME", "name: %s", status.Convert(err).Message()))
	}
	if err := directory.ValidateID("class", r.GetClassId()); err != nil {
		errs = append(errs, rowError(i, "INVALID_CLASS_ID", "class id %q: want 1..%d characters of [A-Za-z0-9_.-]", r.GetClassId(), directory.MaxIDLen))
	}
	return errs
}

// mergeExisting looks every pupil up and keeps what a re-import must not change: the
// card (random, expiry), the status and, when the row has none, the ID-number hash.
// New pupils draw a card random.
func (s pupilImporter) mergeExisting(ctx context.Context, rows []importRow) error {
	found := make([]*directory.Pupil, len(rows))
	err := forEach(ctx, len(rows), openWorkers, func(ctx context.Context, i int) error {
		old, err := s.d.Directory.PupilByAccount(ctx, rows[i].pupil.AccountID)
		if errors.Is(err, directory.ErrNotFound) {
			return nil
		}
		if err != nil {
			return ErrorStatus(err)
		}
		found[i] = &old
		return nil
	})
	if err != nil {
		return ErrorStatus(err)
	}
	for i := range rows {
		p := &rows[i].pupil
		if old := found[i]; old != nil {
			p.CardRandom, p.CardExpiry, p.Status = old.CardRandom, old.CardExpiry, old.Status
			if p.IDNumberHash == nil {
				p.IDNumberHash = old.IDNumberHash
			}
			continue
		}
		rows[i].isNew = true
		if p.CardRandom, err = drawCardRandom(s.d.Rand); err != nil {
			return ErrorStatus(err)
		}
		if p.IDNumberHash == nil {
			p.IDNumberHash = noIDNumberHash(s.d.IDHashKey, p.AccountID)
		}
	}
	return nil
}

// drawCardRandom draws two uniform decimal digits (bytes ≥ 200 are rejected, so that
// every value 00..99 is equally likely; 64 draws bound the loop).
func drawCardRandom(r io.Reader) (string, error) {
	var b [16]byte
	for range 4 {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("card random: %w", err)
		}
		for _, v := range b {
			if v < 200 {
				return fmt.Sprintf("%02d", v%100), nil
			}
		}
	}
	return "", errors.New("card random: no uniform byte in 64 draws")
}

// cardToPrint is the card an import answers for one pupil: random and expiry
// (YYYYMMDD), or print false when the account's card is not active (lost, expired).
type cardToPrint struct {
	random, expiry string
	print          bool
}

// openAccounts opens the account of every pupil (idempotency key "open:<account id>")
// and answers the card to print for each: the one just opened, or the account's current
// card when it was opened before.
func (s pupilImporter) openAccounts(ctx context.Context, school directory.School, pupils []directory.Pupil) ([]cardToPrint, error) {
	limits := &grainv1.Limits{
		SingleRechargeMaxFen: school.SingleRechargeMax, BalanceCapFen: school.BalanceCap,
		DailySpendCapFen: school.DailySpendCap, ArrearsCapFen: school.ArrearsCap,
	}
	cards := make([]cardToPrint, len(pupils))
	err := forEach(ctx, len(pupils), openWorkers, func(ctx context.Context, i int) error {
		c, err := s.openAccount(ctx, school.ID, limits, pupils[i])
		cards[i] = c
		return err
	})
	if err != nil {
		if _, ok := status.FromError(err); !ok {
			return nil, s.incomplete("", err) // the caller's context ended
		}
		return nil, err
	}
	return cards, nil
}

func (s pupilImporter) openAccount(ctx context.Context, schoolID string, limits *grainv1.Limits, p directory.Pupil) (cardToPrint, error) {
	expiry := formatDay(p.CardExpiry)
	resp, err := s.d.Accounts.Execute(ctx, p.AccountID, &grainv1.ExecuteRequest{
		IdemKey: "open:" + p.AccountID,
		Command: &grainv1.ExecuteRequest_Open{Open: &grainv1.OpenCommand{
			SchoolId: schoolID, StudentNo: p.StudentNo, Limits: limits, CardRandom: p.CardRandom, CardExpiry: expiry,
		}},
	})
	if err != nil {
		return cardToPrint{}, s.incomplete(p.AccountID, err)
	}
	if a := resp.GetAccepted(); a != nil && !a.GetReplayed() {
		return cardToPrint{random: p.CardRandom, expiry: expiry, print: true}, nil
	}
	if d := resp.GetDeclined(); d != nil && d.GetReason() != "ACCOUNT_ALREADY_OPENED" && d.GetReason() != "IDEMPOTENCY_CONFLICT" {
		return cardToPrint{}, DeclineStatus(d.GetReason(), fmt.Sprintf("opening account %s: %s (the pupils are saved: fix it and run the import again)", p.AccountID, d.GetMessage()))
	}
	// Opened before (by an earlier run of this import, or with other limits): print
	// the account's current card, which a re-issue may have changed since.
	st, err := s.d.Accounts.State(ctx, p.AccountID)
	if err != nil {
		return cardToPrint{}, s.incomplete(p.AccountID, err)
	}
	if st.GetSchoolId() != schoolID {
		return cardToPrint{}, Status(codes.Internal, "INTERNAL", "internal error")
	}
	return cardToPrint{random: st.GetCardRandom(), expiry: st.GetCardExpiry(), print: st.GetCardState() == "active"}, nil
}

// incomplete is the status of an import whose pupils are saved but some account could
// not be opened (or read) for a temporary reason.
func (s pupilImporter) incomplete(accountID string, err error) error {
	st := ErrorStatus(err)
	switch status.Code(st) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Internal:
		s.d.Logger.Warn("import incomplete", slog.String("account", accountID), slog.Any("error", err)) // account "" when the deadline ended it
		return Status(codes.Unavailable, "IMPORT_INCOMPLETE",
			"the pupils are saved but some accounts are not opened yet: run the same import again")
	}
	return st
}

// sealCard answers the QR text of a card, or "" when the card is not to be printed.
func (s pupilImporter) sealCard(schoolID, studentNo string, c cardToPrint) (string, error) {
	if !c.print {
		return "", nil
	}
	id, err := card.BuildID(schoolID, studentNo, c.random)
	if err != nil {
		return "", err
	}
	day, err := time.ParseInLocation("20060102", c.expiry, card.Zone())
	if err != nil {
		return "", fmt.Errorf("card expiry %q: %w", c.expiry, err)
	}
	return s.d.Keyring.Seal(id, day, s.d.Rand)
}

// Staff accounts.
const (
	// MaxStaffUsernameLen bounds a staff username (the directory's id charset,
	// [A-Za-z0-9_.-]), so that the id st_<school>_<username> of a new account
	// fits directory.MaxIDLen.
	MaxStaffUsernameLen = directory.MaxIDLen - len("st_00000_")
	// MinStaffPasswordLen and MaxStaffPasswordLen bound a new staff password, in
	// characters (and it must fit MaxPasswordLen bytes, which a login accepts).
	MinStaffPasswordLen, MaxStaffPasswordLen = 10, 128
	// staffHashWorkers bounds the password hashes of staff writes running at
	// once (each takes DefaultPasswordParams.MemoryKiB).
	staffHashWorkers = 2
)

// staffHashSlots bounds the hashing of staffAccounts (process-wide).
var staffHashSlots = make(chan struct{}, staffHashWorkers)

// StaffID is the id of a new staff account: st_<school>_<username>.
func StaffID(schoolID, username string) string {
	return "st_" + schoolID + "_" + username
}

// PutStaffUser creates or updates a staff account of an existing school (see
// staffAccounts.put); the operator creates each school's first admin with it.
// A teacher's class must be of that school (NotFound CLASS_NOT_FOUND).
func (s *adminService) PutStaffUser(ctx context.Context, req *apiv1.PutStaffUserRequest) (*apiv1.PutStaffUserResponse, error) {
	in, err := checkStaffPut(req.GetSchoolId(), req.GetUsername(), req.GetRole(), req.GetClassId(), req.GetPassword(), req.GetEnabled())
	if err != nil {
		return nil, err
	}
	if _, err := s.school(ctx, in.schoolID); err != nil {
		return nil, err
	}
	unknownClass := Status(codes.NotFound, "CLASS_NOT_FOUND", "class "+in.classID+" not found in school "+in.schoolID)
	u, err := staffAccounts{d: s.d}.put(ctx, in, "", unknownClass, slog.String("by", "operator"))
	if err != nil {
		return nil, err
	}
	return &apiv1.PutStaffUserResponse{Staff: u}, nil
}

// staffAccounts are the staff-account rules shared by the operator API
// (AdminService.PutStaffUser, any school) and the school's console
// (StaffService.PutSchoolStaff, the caller's school), as canteenRules and
// pupilImporter share theirs: the checks, the password hash, the directory
// write and the end of the account's open sessions. Which school a caller may
// write is the caller's business, settled before these run.
type staffAccounts struct {
	d Deps
}

// staffPut is a checked staff write (checkStaffPut). The password is kept only
// to be hashed: it is never logged, answered or put in an error.
type staffPut struct {
	schoolID, username, classID, password string
	role                                  directory.StaffRole
	enabled                               bool
}

// checkStaffPut checks a staff write on its own (InvalidArgument, nothing read
// or written): a username of 1..MaxStaffUsernameLen characters of
// [A-Za-z0-9_.-]; one of the four roles; a class id for a teacher and none for
// the other roles; a password, when given, of MinStaffPasswordLen..
// MaxStaffPasswordLen characters of valid UTF-8 within MaxPasswordLen bytes.
func checkStaffPut(schoolID, username string, role apiv1.StaffRole, classID, password string, enabled bool) (staffPut, error) {
	in := staffPut{schoolID: schoolID, username: username, classID: classID, password: password, role: RoleToDirectory(role), enabled: enabled}
	if err := directory.ValidateSchoolID(schoolID); err != nil {
		return in, validationStatus(err)
	}
	if directory.ValidateID("username", username) != nil || len(username) > MaxStaffUsernameLen {
		return in, invalidArg("username %q: want 1..%d characters of [A-Za-z0-9_.-]", username, MaxStaffUsernameLen)
	}
	switch {
	case in.role == "":
		return in, invalidArg("role %v: want STAFF_ROLE_SCHOOL_ADMIN, STAFF_ROLE_FINANCE, STAFF_ROLE_CANTEEN_MANAGER or STAFF_ROLE_TEACHER", role)
	case in.role == directory.RoleTeacher && classID == "":
		return in, Status(codes.InvalidArgument, "CLASS_ID_REQUIRED", "a teacher needs class_id: the class they teach")
	case in.role == directory.RoleTeacher:
		if err := directory.ValidateID("class", classID); err != nil {
			return in, validationStatus(err)
		}
	case classID != "":
		return in, invalidArg("class_id is only for teachers: leave it empty for role %v", role)
	}
	if password != "" {
		n := utf8.RuneCountInString(password)
		if !utf8.ValidString(password) || n < MinStaffPasswordLen || n > MaxStaffPasswordLen || len(password) > MaxPasswordLen {
			return in, Status(codes.InvalidArgument, "INVALID_PASSWORD",
				fmt.Sprintf("password: want %d..%d characters (at most %d bytes of UTF-8)", MinStaffPasswordLen, MaxStaffPasswordLen, MaxPasswordLen))
		}
	}
	return in, nil
}

// put creates or updates the account in.username of school in.schoolID (which
// exists) and answers it.
//
// The account is found by username: an existing one keeps its id and, when no
// password is given, its password hash; a new one gets the id
// st_<school>_<username> and needs a password (InvalidArgument
// PASSWORD_REQUIRED). A password is hashed with DefaultPasswordParams. A
// teacher's class must be a class of the school: another school's class, or an
// unknown one, answers unknownClass. When self is set (the calling staff
// member's id), that caller cannot change their own role or disable
// themselves (FailedPrecondition SELF_LOCKOUT). attrs are added to the log line.
//
// Sessions: when an existing account is disabled, or gets another role, class,
// password or is enabled again, its open sessions end (Sessions.RevokeStaff)
// once before the write and once after it, so that neither a failed write nor
// a login running meanwhile leaves a session of the old account alive; a
// disabled account's sessions stay dead until it is enabled (and then only
// sessions opened after that live). A revocation that fails after the write
// answers Unavailable SESSIONS_NOT_ENDED: sending the same request again ends
// them.
func (r staffAccounts) put(ctx context.Context, in staffPut, self string, unknownClass error, attrs ...any) (*apiv1.StaffUser, error) {
	if in.role == directory.RoleTeacher {
		_, err := r.d.Directory.Class(ctx, in.schoolID, in.classID)
		if errors.Is(err, directory.ErrNotFound) {
			return nil, unknownClass
		}
		if err != nil {
			return nil, ErrorStatus(err)
		}
	}
	u := directory.StaffUser{
		ID: StaffID(in.schoolID, in.username), SchoolID: in.schoolID, Username: in.username,
		Role: in.role, ClassID: in.classID, Status: directory.StaffDisabled,
	}
	if in.enabled {
		u.Status = directory.StaffActive
	}
	old, err := r.d.Directory.StaffByUsername(ctx, in.schoolID, in.username)
	exists := err == nil
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return nil, ErrorStatus(err)
	}
	switch {
	case exists:
		u.ID, u.PasswordHash = old.ID, old.PasswordHash
		if self != "" && old.ID == self && (u.Role != old.Role || u.Status != directory.StaffActive) {
			return nil, Status(codes.FailedPrecondition, "SELF_LOCKOUT", "you cannot change your own role or disable yourself: ask another school admin")
		}
	case in.password == "":
		return nil, Status(codes.InvalidArgument, "PASSWORD_REQUIRED", "a new account needs a password")
	default:
		// The id of a new account must be free: writing over an account of
		// another username (or school) would rename (or move) it.
		_, err := r.d.Directory.StaffByID(ctx, u.ID)
		if err == nil {
			return nil, Status(codes.AlreadyExists, "STAFF_ID_TAKEN", "staff id "+u.ID+" is taken by another account")
		}
		if !errors.Is(err, directory.ErrNotFound) {
			return nil, ErrorStatus(err)
		}
	}
	if in.password != "" {
		if u.PasswordHash, err = r.hash(ctx, in.password); err != nil {
			return nil, err
		}
	}
	if err := directory.ValidateStaff(&u); err != nil {
		return nil, validationStatus(err)
	}
	revoke := exists && r.d.Sessions != nil && (u.Status != directory.StaffActive || u.Status != old.Status ||
		u.Role != old.Role || u.ClassID != old.ClassID || u.PasswordHash != old.PasswordHash)
	if revoke {
		if err := r.d.Sessions.RevokeStaff(ctx, u.ID, false); err != nil {
			return nil, ErrorStatus(err)
		}
	}
	err = r.d.Directory.PutStaff(ctx, u)
	switch {
	case errors.Is(err, directory.ErrNotFound): // the class was removed meanwhile
		return nil, unknownClass
	case errors.Is(err, directory.ErrConflict): // the username was taken meanwhile
		return nil, Status(codes.Aborted, "STAFF_CONFLICT", "the account "+in.username+" was written meanwhile: retry")
	case err != nil:
		return nil, ErrorStatus(err)
	}
	if revoke {
		if err := r.d.Sessions.RevokeStaff(ctx, u.ID, u.Status == directory.StaffDisabled); err != nil {
			r.d.Logger.Warn("staff sessions not ended", slog.String("staff", u.ID), slog.Any("error", err))
			return nil, Status(codes.Unavailable, "SESSIONS_NOT_ENDED",
				"the account is saved but its open sessions could not be ended: send the same request again")
		}
	}
	r.d.Logger.Info("staff account put", append([]any{slog.String("school", u.SchoolID), slog.String("staff", u.ID),
		slog.String("username", u.Username), slog.String("role", string(u.Role)), slog.String("class", u.ClassID),
		slog.String("status", string(u.Status)), slog.Bool("created", !exists), slog.Bool("password_set", in.password != ""),
		slog.Bool("sessions_ended", revoke)}, attrs...)...)
	return staffUserProto(u), nil
}

// hash hashes a staff password within staffHashSlots.
func (r staffAccounts) hash(ctx context.Context, password string) (string, error) {
	select {
	case staffHashSlots <- struct{}{}:
	case <-ctx.Done():
		return "", ErrorStatus(ctx.Err())
	}
	defer func() { <-staffHashSlots }()
	h, err := HashPassword(password, DefaultPasswordParams, r.d.Rand)
	if err != nil {
		return "", ErrorStatus(errors.New("gateway: staff password hash failed")) // not err: it is not passed on
	}
	return h, nil
}

// staffUserProto is an account as administrators see it: never its password
// hash.
func staffUserProto(u directory.StaffUser) *apiv1.StaffUser {
	return &apiv1.StaffUser{StaffId: u.ID, SchoolId: u.SchoolID, Username: u.Username, Role: RoleFromDirectory(u.Role),
		ClassId: u.ClassID, Enabled: u.Status == directory.StaffActive}
}
