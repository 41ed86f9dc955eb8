package fees

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/app/workers"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	feestore "github.com/onecode/onecode/persistence/fees"
	"github.com/onecode/onecode/persistence/outbox"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Definition is what staff write of an item.
type Definition struct {
	Title        string
	Category     fee.Category
	AmountFen    int64
	Target       fee.Target
	DueDay       int32 // YYYYMMDD
	AllowBalance bool
}

func (d Definition) item(id, schoolID string) fee.Item {
	return fee.Item{ID: id, SchoolID: schoolID, Title: d.Title, Category: d.Category, Amount: amount(d.AmountFen),
		Target: d.Target, Due: dueDay(d.DueDay), AllowBalance: d.AllowBalance}
}

// check validates a definition and that its target is of the staff's school.
func (s *Service) check(ctx context.Context, st Staff, it fee.Item) error {
	if err := it.Validate(); err != nil {
		if errors.Is(err, fee.ErrEmptyTarget) {
			return reason.Wrap(reason.KindInvalid, reason.FeeTargetEmpty, err.Error(), err)
		}
		return reason.Wrap(reason.KindInvalid, reason.InvalidFeeItem, err.Error(), err)
	}
	for _, c := range it.Target.ClassIDs {
		if _, err := s.d.Directory.Class(ctx, st.SchoolID, c); err != nil {
			if errors.Is(err, directory.ErrNotFound) || errors.Is(err, directory.ErrInvalid) {
				return reason.Newf(reason.KindInvalid, reason.UnknownClass, "no class %q in your school", c)
			}
			return failure.Classify(err)
		}
	}
	listed, err := s.pupilsOf(ctx, st.SchoolID, it.Target.AccountIDs)
	if err != nil {
		return err
	}
	for _, a := range it.Target.AccountIDs {
		if _, ok := listed[a]; !ok {
			return reason.Wrap(reason.KindInvalid, reason.AccountNotFound, "a listed pupil is not of your school", ErrBillNotFound)
		}
	}
	return nil
}

// CreateItem writes a new draft item of the staff's school.
func (s *Service) CreateItem(ctx context.Context, st Staff, d Definition) (Item, error) {
	id, err := s.newItemID()
	if err != nil {
		return Item{}, err
	}
	it := d.item(id, st.SchoolID)
	if err := s.check(ctx, st, it); err != nil {
		return Item{}, err
	}
	got, err := s.d.Store.CreateItem(ctx, Item{Item: it, CreatedBy: st.ID, CreatedAt: s.d.Now()},
		s.change(st, feestore.ChangeCreate, id, "create", "", describe(it)))
	if err != nil {
		return Item{}, s.storeError("create item", err)
	}
	s.log.Info("fee item created", "item", got.ID, "school", got.SchoolID, "staff", st.ID)
	return got, nil
}

// UpdateItem replaces the definition of a draft item of the staff's school.
func (s *Service) UpdateItem(ctx context.Context, st Staff, itemID string, d Definition) (Item, error) {
	cur, err := s.GetItem(ctx, st, itemID)
	if err != nil {
		return Item{}, err
	}
	if cur.State != fee.Draft {
		return Item{}, ErrItemNotDraft
	}
	it := d.item(itemID, st.SchoolID)
	if err := s.check(ctx, st, it); err != nil {
		return Item{}, err
	}
	// One edit per stored version: the key names the version the edit replaced.
	key := "edit:" + strconv.FormatInt(cur.UpdatedAt.UnixMicro(), 10)
	got, err := s.d.Store.UpdateDraft(ctx, Item{Item: it, CreatedBy: cur.CreatedBy, CreatedAt: cur.CreatedAt},
		s.change(st, feestore.ChangeEdit, itemID, key, "", describe(it)))
	if errors.Is(err, feestore.ErrConflict) {
		return Item{}, ErrItemNotDraft
	}
	if err != nil {
		return Item{}, s.storeError("update item", err)
	}
	return got, nil
}

// GetItem returns an item of the staff's school; another school's answers exactly as
// an unknown one.
func (s *Service) GetItem(ctx context.Context, st Staff, itemID string) (Item, error) {
	it, err := s.d.Store.GetItem(ctx, itemID)
	if err != nil {
		return Item{}, s.storeError("get item", err)
	}
	if it.SchoolID != st.SchoolID {
		return Item{}, ErrItemNotFound
	}
	return it, nil
}

// ListItems returns the school's items, newest first.
func (s *Service) ListItems(ctx context.Context, st Staff, limit int) ([]Item, error) {
	if limit == 0 {
		limit = DefaultPage
	}
	if limit < 1 || limit > MaxPage {
		return nil, reason.Invalid(reason.InvalidPageSize, "page_size %d, want 1..%d", limit, MaxPage)
	}
	items, err := s.d.Store.ListItems(ctx, st.SchoolID, limit)
	if err != nil {
		return nil, s.storeError("list items", err)
	}
	return items, nil
}

// Published is what a publish did.
type Published struct {
	Item Item
	// Bills is the number of bills of the item after the publish; Issued of them were
	// issued by this run (the others by an earlier, interrupted one).
	Bills, Issued int
}

// Publish publishes a draft item: one bill per targeted active pupil, issued in their
// grain. A publish that was interrupted (crash, cancelled context) is completed by
// running it again: bills already issued are answered, not issued twice.
func (s *Service) Publish(ctx context.Context, st Staff, itemID string) (Published, error) {
	it, err := s.GetItem(ctx, st, itemID)
	if err != nil {
		return Published{}, err
	}
	switch it.State {
	case fee.Closed:
		return Published{}, ErrItemClosed
	case fee.Draft:
		if it, err = s.d.Store.MoveItem(ctx, itemID, fee.Draft, fee.Published); err != nil && !errors.Is(err, feestore.ErrConflict) {
			return Published{}, s.storeError("publish item", err)
		}
		if err != nil { // a concurrent publish moved it first: carry on with its bills
			if it, err = s.GetItem(ctx, st, itemID); err != nil {
				return Published{}, err
			}
		}
	}
	pupils, due, err := s.billing(ctx, it, false)
	if err != nil {
		return Published{}, err
	}
	var issued atomic.Int64
	for lo := 0; lo < len(pupils); lo += publishPageSize {
		if err := s.publishPage(ctx, it, pupils[lo:min(lo+publishPageSize, len(pupils))], due, &issued); err != nil {
			return Published{}, failure.Classify(err)
		}
	}
	s.log.Info("fee item published", "item", it.ID, "bills", len(pupils), "issued", issued.Load(), "staff", st.ID)
	if err := s.journal(ctx, st, feestore.ChangePublish, it.ID, "publish", "", fmt.Sprintf("%d bills", len(pupils))); err != nil {
		return Published{}, err
	}
	return Published{Item: it, Bills: len(pupils), Issued: int(issued.Load())}, nil
}

// publishPageSize is the size of a publish's page: its bills are issued on
// s.d.Workers at once, then written to the read model and their notices queued
// with one statement each (not one per pupil).
const publishPageSize = outbox.MaxPage

// publishPage issues the bills of a page of pupils in their grains, projects
// them and queues their notices; a failed notice fails the publish (its re-run
// queues the rest).
// due holds the imported per-pupil amounts (nil: the item's amount for every pupil).
func (s *Service) publishPage(ctx context.Context, it Item, page []directory.Pupil, due map[string]int64, issued *atomic.Int64) error {
	rows := make([]feestore.Bill, len(page))
	err := workers.ForEach(ctx, len(page), s.d.Workers, func(ctx context.Context, i int) error {
		a, err := s.execute(ctx, page[i].AccountID, issueRequest(it, page[i].AccountID, due[page[i].AccountID]))
		if err != nil {
			return err
		}
		if !a.GetReplayed() {
			issued.Add(1)
		}
		rows[i], _ = billRow(page[i], a)
		return nil
	})
	if err != nil {
		return err
	}
	s.projectMany(ctx, rows)
	return s.notePublished(ctx, it, page)
}

// issueRequest issues the bill of an item to a pupil: fen when the pupil has an
// imported amount (> 0), else the item's amount (the default, also for pupils added
// after the publish).
func issueRequest(it Item, accountID string, fen int64) *grainv1.ExecuteRequest {
	if fen <= 0 {
		fen = int64(it.Amount)
	}
	return &grainv1.ExecuteRequest{IdemKey: fee.BillKey(it.ID, accountID), Command: &grainv1.ExecuteRequest_IssueBill{
		IssueBill: &grainv1.IssueBillCommand{SchoolId: it.SchoolID, ItemId: it.ID, AmountFen: fen,
			DueDay: it.Due.String(), AllowBalance: it.AllowBalance}}}
}

// Close closes a published item: every bill is closed in its grain, after which it
// takes no payment. A close that was interrupted is completed by running it again.
func (s *Service) Close(ctx context.Context, st Staff, itemID string) (Item, error) {
	it, err := s.GetItem(ctx, st, itemID)
	if err != nil {
		return Item{}, err
	}
	switch it.State {
	case fee.Draft:
		return Item{}, ErrItemNotPublished
	case fee.Published:
		if it, err = s.d.Store.MoveItem(ctx, itemID, fee.Published, fee.Closed); err != nil && !errors.Is(err, feestore.ErrConflict) {
			return Item{}, s.storeError("close item", err)
		}
		if err != nil {
			if it, err = s.GetItem(ctx, st, itemID); err != nil {
				return Item{}, err
			}
		}
	}
	pupils, err := s.billed(ctx, it)
	if err != nil {
		return Item{}, err
	}
	err = workers.ForEach(ctx, len(pupils), s.d.Workers, func(ctx context.Context, i int) error {
		a, err := s.execute(ctx, pupils[i].AccountID, &grainv1.ExecuteRequest{IdemKey: fee.CloseKey(it.ID, pupils[i].AccountID),
			Command: &grainv1.ExecuteRequest_CloseBill{CloseBill: &grainv1.CloseBillCommand{ItemId: it.ID}}})
		if errors.Is(err, reason.Sentinel(reason.KindNotFound, reason.BillNotFound)) {
			return nil // a pupil who joined after the publish has no bill
		}
		if err != nil {
			return err
		}
		s.project(ctx, pupils[i], a)
		return nil
	})
	if err != nil {
		return Item{}, failure.Classify(err)
	}
	s.log.Info("fee item closed", "item", it.ID, "staff", st.ID)
	if err := s.journal(ctx, st, feestore.ChangeClose, it.ID, "close", "", fmt.Sprintf("%d bills", len(pupils))); err != nil {
		return Item{}, err
	}
	return it, nil
}

// describe is an item's definition as the journal of changes shows it.
func describe(it fee.Item) string {
	ids := append(append([]string{}, it.Target.ClassIDs...), it.Target.AccountIDs...)
	return fmt.Sprintf("%s; %s; %s per pupil; due %s; target %s %v; balance %t", it.Title, it.Category, it.Amount,
		it.Due, it.Target.Kind, ids, it.AllowBalance)
}
