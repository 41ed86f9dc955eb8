package fees

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	feestore "github.com/onecode/onecode/persistence/fees"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Bounds and defaults.
const (
	// DefaultWorkers is how many grain commands one publish or close runs at once.
	DefaultWorkers = 16
	MaxWorkers     = 64
	// DefaultPage and MaxPage bound a page of bills or items.
	DefaultPage = 100
	MaxPage     = 500
	// MaxReasonRunes bounds an exemption reason; MaxVoucherRunes a voucher number.
	MaxReasonRunes  = 200
	MaxVoucherRunes = 64
	// MaxPupils bounds the pupils one item can bill (a whole school).
	MaxPupils = 20000
	pupilPage = 200 // directory.MaxPage
)

// Store keeps the items and the bill read model (persistence/fees), named here so that
// the edge and cmd wire it without importing persistence.
type Store = feestore.Store

// Item is a stored fee item.
type Item = feestore.Item

// ClassTotal sums an item's bills in one class.
type ClassTotal = feestore.ClassTotal

// BillRow is a bill of the read model.
type BillRow = feestore.Bill

// Accounts is what fees need of the Account grains (*actors.Accounts).
type Accounts interface {
	Execute(ctx context.Context, accountID string, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, error)
	State(ctx context.Context, accountID string) (*grainv1.GetStateResponse, error)
}

// Directory is what fees need of the directory: pupils and guardianships.
type Directory interface {
	PupilByAccount(ctx context.Context, accountID string) (directory.Pupil, error)
	// PupilsByAccounts reads the pupils of a school among many account ids at once
	// (an item's list of pupils, imported amounts).
	PupilsByAccounts(ctx context.Context, schoolID string, accountIDs []string) ([]directory.Pupil, error)
	ListPupils(ctx context.Context, schoolID, classID, after string, limit int) ([]directory.Pupil, error)
	Class(ctx context.Context, schoolID, id string) (directory.Class, error)
	GuardedPupil(ctx context.Context, parentID, accountID string) (directory.Pupil, error)
	School(ctx context.Context, id string) (directory.School, error)
}

// Errors of the fee use cases.
var (
	ErrItemNotFound      = reason.New(reason.KindNotFound, reason.FeeItemNotFound, "no such fee item")
	ErrItemNotDraft      = reason.New(reason.KindFailedPrecondition, reason.FeeItemNotDraft, "the fee item is no longer a draft")
	ErrItemNotPublished  = reason.New(reason.KindFailedPrecondition, reason.FeeItemNotPublished, "the fee item is not published")
	ErrItemClosed        = reason.New(reason.KindFailedPrecondition, reason.FeeItemClosed, "the fee item is closed")
	ErrBillNotFound      = reason.New(reason.KindNotFound, reason.BillNotFound, "no such bill")
	ErrTargetEmpty       = reason.New(reason.KindFailedPrecondition, reason.FeeTargetEmpty, "the fee item's target has no pupil")
	ErrBalanceNotAllowed = reason.New(reason.KindFailedPrecondition, reason.BillBalanceNotAllowed,
		"this fee item may not be paid from the card balance")
)

// Staff is who acts for a school: the caller's id and school (the edge checked the
// role).
type Staff struct {
	ID       string
	SchoolID string
	// ClassID limits a teacher to their class ("" for the whole school).
	ClassID string
	// Role is the staff member's role, as the journal of changes records it.
	Role string
}

// Deps configure the Service.
type Deps struct {
	Accounts  Accounts
	Store     Store
	Directory Directory
	// Workers bounds the grain commands of one publish or close (default 16).
	Workers int
	// Journal (optional) lists the payments of a bill on its receipt.
	Journal Journal
	// Notices queues fee reminders (optional: without it RemindUnpaid is ErrNoNotices).
	Notices *notify.Notices
	Now     func() time.Time
	Rand    io.Reader
	Logger  *slog.Logger
}

// Service runs the fee use cases. It is safe for concurrent use.
type Service struct {
	d   Deps
	log *slog.Logger
}

// New validates d and builds the Service.
func New(d Deps) (*Service, error) {
	if d.Accounts == nil || d.Store == nil || d.Directory == nil || d.Now == nil || d.Rand == nil {
		return nil, errors.New("fees: Accounts, Store, Directory, Now and Rand are required")
	}
	if d.Workers == 0 {
		d.Workers = DefaultWorkers
	}
	if d.Workers < 1 || d.Workers > MaxWorkers {
		return nil, fmt.Errorf("fees: workers %d, want 1…%d", d.Workers, MaxWorkers)
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d, log: log}, nil
}

// shanghai is China Standard Time (UTC+8, no daylight saving) without the tz database.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newItemID is "FI" and 16 random base32 characters.
func (s *Service) newItemID() (string, error) {
	b := make([]byte, 10)
	if _, err := io.ReadFull(s.d.Rand, b); err != nil {
		return "", fmt.Errorf("fees: item id: %w", err)
	}
	return "FI" + idEncoding.EncodeToString(b), nil
}

// storeError classifies a failure of the fees store.
func (s *Service) storeError(what string, err error) error {
	switch {
	case errors.Is(err, feestore.ErrNotFound):
		return ErrItemNotFound
	case errors.Is(err, feestore.ErrInvalid):
		return reason.Wrap(reason.KindInvalid, reason.InvalidFeeItem, err.Error(), err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return failure.Classify(err)
	}
	s.log.Error("fees store", "op", what, "err", err)
	return reason.Wrap(reason.KindUnavailable, reason.Unavailable, "temporarily unavailable: retry with the same request id", err)
}

// execute runs a grain command and answers the accepted outcome; a decline is a
// *reason.Error of its reason.
func (s *Service) execute(ctx context.Context, accountID string, req *grainv1.ExecuteRequest) (*grainv1.Accepted, error) {
	resp, err := s.d.Accounts.Execute(ctx, accountID, req)
	if err != nil {
		return nil, failure.Classify(err)
	}
	if dec := resp.GetDeclined(); dec != nil {
		return nil, failure.Decline(reason.Code(dec.GetReason()), dec.GetMessage())
	}
	return resp.GetAccepted(), nil
}

// project writes the bill an accepted command answered into the read model. A failure
// is logged, not returned: the money committed, and the next command on the bill (or
// a publish re-run) writes the row again.
func (s *Service) project(ctx context.Context, p directory.Pupil, a *grainv1.Accepted) {
	row, ok := billRow(p, a)
	if !ok {
		return
	}
	if _, err := s.d.Store.PutBill(ctx, row); err != nil {
		s.log.Warn("bill read model not written", "item", row.ItemID, "account", p.AccountID, "err", err)
	}
}

// projectMany is project of a publish's page of bills in one statement (rows
// without an item are skipped); a failure is logged, as project's.
func (s *Service) projectMany(ctx context.Context, rows []feestore.Bill) {
	var put []feestore.Bill
	for _, r := range rows {
		if r.ItemID != "" {
			put = append(put, r)
		}
	}
	if len(put) == 0 {
		return
	}
	if _, err := s.d.Store.PutBills(ctx, put); err != nil {
		s.log.Warn("bill read model not written", "item", put[0].ItemID, "bills", len(put), "err", err)
	}
}

// billRow is the read-model row of the bill an accepted command answered; false
// when it answered none.
func billRow(p directory.Pupil, a *grainv1.Accepted) (feestore.Bill, bool) {
	b := a.GetBill()
	if b == nil {
		return feestore.Bill{}, false
	}
	return feestore.Bill{ItemID: b.GetItemId(), AccountID: p.AccountID, SchoolID: p.SchoolID,
		ClassID: p.ClassID, DueFen: b.GetDueFen(), PaidFen: b.GetPaidFen(), ExemptedFen: b.GetExemptedFen(),
		Status: viewStatus(b), Seq: a.GetSeq(), RefundedFen: b.GetRefundedFen()}, true
}

func viewStatus(b *grainv1.Bill) fee.Status {
	if b.GetPaidFen() > 0 && b.GetRefundedFen() == b.GetPaidFen() {
		return fee.StatusRefunded
	}
	return fee.Status(b.GetStatus())
}
