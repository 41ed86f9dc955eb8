package fees

import (
	"context"
	"errors"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/domain/schoolday"
	"github.com/onecode/onecode/persistence/directory"
	feestore "github.com/onecode/onecode/persistence/fees"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Bill is a bill as its grain answered it.
type Bill struct {
	ItemID      string
	AccountID   string
	DueFen      int64
	PaidFen     int64
	ExemptedFen int64
	DueDay      schoolday.Date
	Status      fee.Status
	// AllowBalance: the card balance may pay it (the item's rule, kept on the bill).
	AllowBalance bool
	// Replayed: the request id was seen before and this is its first outcome.
	Replayed bool
	// RefundedFen: paid and gone back, or going back.
	RefundedFen int64
}

func billOf(accountID string, a *grainv1.Accepted) Bill {
	b := a.GetBill()
	return Bill{ItemID: b.GetItemId(), AccountID: accountID, DueFen: b.GetDueFen(), PaidFen: b.GetPaidFen(),
		ExemptedFen: b.GetExemptedFen(), DueDay: parseDay(b.GetDueDay()), Status: viewStatus(b), AllowBalance: b.GetAllowBalance(),
		Replayed: a.GetReplayed(), RefundedFen: b.GetRefundedFen()}
}

// openItem returns a published item of the staff's school; a closed item is
// ErrItemClosed, a draft ErrItemNotPublished.
func (s *Service) openItem(ctx context.Context, st Staff, itemID string) (Item, error) {
	it, err := s.GetItem(ctx, st, itemID)
	if err != nil {
		return Item{}, err
	}
	switch it.State {
	case fee.Draft:
		return Item{}, ErrItemNotPublished
	case fee.Closed:
		return Item{}, ErrItemClosed
	}
	return it, nil
}

// Movement is a cash payment or an exemption staff record on a bill.
type Movement struct {
	ItemID    string
	AccountID string
	AmountFen int64
	// Voucher (cash) or Reason (exemption).
	Text      string
	RequestID string
}

// RecordCash records cash (or a bank transfer) taken by the staff member for a bill,
// under the request id: the same request answers its first outcome.
func (s *Service) RecordCash(ctx context.Context, st Staff, m Movement) (Bill, error) {
	if m.Text != "" {
		if err := input.CheckText("voucher", m.Text, MaxVoucherRunes); err != nil {
			return Bill{}, err
		}
	}
	return s.move(ctx, st, m, feestore.ChangeCash, &grainv1.ExecuteRequest{IdemKey: "billcash:" + m.RequestID, Command: &grainv1.ExecuteRequest_PayBillCash{
		PayBillCash: &grainv1.PayBillCashCommand{ItemId: m.ItemID, AmountFen: m.AmountFen, Voucher: m.Text, StaffId: st.ID}}})
}

// GrantExemption exempts part or all of a bill, approved by the staff member, for a
// reason (required), under the request id.
func (s *Service) GrantExemption(ctx context.Context, st Staff, m Movement) (Bill, error) {
	if m.Text == "" {
		return Bill{}, reason.New(reason.KindInvalid, reason.ExemptionNeedsReason, "an exemption needs a reason")
	}
	if err := input.CheckText("reason", m.Text, MaxReasonRunes); err != nil {
		return Bill{}, err
	}
	return s.move(ctx, st, m, feestore.ChangeExempt, &grainv1.ExecuteRequest{IdemKey: "billexempt:" + m.RequestID, Command: &grainv1.ExecuteRequest_ExemptBill{
		ExemptBill: &grainv1.ExemptBillCommand{ItemId: m.ItemID, AmountFen: m.AmountFen, Reason: m.Text, ApprovedBy: st.ID}}})
}

// move runs a staff movement on a bill and journals it (key: the grain's key).
func (s *Service) move(ctx context.Context, st Staff, m Movement, kind ChangeKind, req *grainv1.ExecuteRequest) (Bill, error) {
	if err := input.CheckRequestID(m.RequestID); err != nil {
		return Bill{}, err
	}
	if m.AmountFen <= 0 {
		return Bill{}, reason.Invalid(reason.InvalidAmount, "amount_fen %d, want > 0", m.AmountFen)
	}
	if _, err := s.openItem(ctx, st, m.ItemID); err != nil {
		return Bill{}, err
	}
	p, err := s.pupilOf(ctx, st.SchoolID, m.AccountID)
	if err != nil {
		return Bill{}, err
	}
	if st.ClassID != "" && p.ClassID != st.ClassID {
		return Bill{}, ErrBillNotFound
	}
	a, err := s.execute(ctx, p.AccountID, req)
	if err != nil {
		return Bill{}, err
	}
	s.project(ctx, p, a)
	s.log.Info("bill moved", "item", m.ItemID, "account", p.AccountID, "key", req.GetIdemKey(), "replayed", a.GetReplayed(), "staff", st.ID)
	detail := money.Amount(m.AmountFen).String()
	if m.Text != "" {
		detail += ": " + m.Text
	}
	if err := s.journal(ctx, st, kind, m.ItemID, req.GetIdemKey(), p.AccountID, detail); err != nil {
		return Bill{}, err
	}
	return billOf(p.AccountID, a), nil
}

// ListBills returns a page of the item's bills (a class's, or a teacher's class),
// in account order; next is the token of the following page ("" at the end).
func (s *Service) ListBills(ctx context.Context, st Staff, itemID, classID, pageToken string, pageSize int) (bills []BillRow, next string, err error) {
	if _, err := s.GetItem(ctx, st, itemID); err != nil {
		return nil, "", err
	}
	if st.ClassID != "" {
		classID = st.ClassID
	}
	if pageSize == 0 {
		pageSize = DefaultPage
	}
	if pageSize < 1 || pageSize > MaxPage {
		return nil, "", reason.Invalid(reason.InvalidPageSize, "page_size %d, want 1..%d", pageSize, MaxPage)
	}
	rows, err := s.d.Store.ListBills(ctx, itemID, classID, pageToken, pageSize)
	if err != nil {
		return nil, "", s.storeError("list bills", err)
	}
	if len(rows) == pageSize {
		next = rows[len(rows)-1].AccountID
	}
	return rows, next, nil
}

// ClassTotals sums the item's bills per class (a teacher: their class only).
func (s *Service) ClassTotals(ctx context.Context, st Staff, itemID string) ([]ClassTotal, error) {
	if _, err := s.GetItem(ctx, st, itemID); err != nil {
		return nil, err
	}
	totals, err := s.d.Store.ClassTotals(ctx, itemID)
	if err != nil {
		return nil, s.storeError("class totals", err)
	}
	if st.ClassID == "" {
		return totals, nil
	}
	for _, t := range totals {
		if t.ClassID == st.ClassID {
			return []ClassTotal{t}, nil
		}
	}
	return nil, nil
}

// ChildBill is a bill as a parent sees it: with its item's title and category.
type ChildBill struct {
	Bill
	Title    string
	Category fee.Category
}

// guard checks that the parent guards the child (else access.ErrNotReachable).
func (s *Service) guard(ctx context.Context, parentID, accountID string) error {
	_, err := s.guardedPupil(ctx, parentID, accountID)
	return err
}

// guardedPupil is guard answering the child's pupil record, in the same one read.
func (s *Service) guardedPupil(ctx context.Context, parentID, accountID string) (directory.Pupil, error) {
	if parentID == "" || directory.ValidateAccountID(accountID) != nil {
		return directory.Pupil{}, access.ErrNotReachable
	}
	p, err := s.d.Directory.GuardedPupil(ctx, parentID, accountID)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		return directory.Pupil{}, access.ErrNotReachable
	case err != nil:
		return directory.Pupil{}, failure.Classify(err)
	}
	return p, nil
}

// ChildBills returns the child's bills, as the child's grain holds them.
func (s *Service) ChildBills(ctx context.Context, parentID, accountID string) ([]ChildBill, error) {
	if err := s.guard(ctx, parentID, accountID); err != nil {
		return nil, err
	}
	st, err := s.d.Accounts.State(ctx, accountID)
	if err != nil {
		return nil, failure.Classify(err)
	}
	out := make([]ChildBill, 0, len(st.GetBills()))
	for _, b := range st.GetBills() {
		cb := ChildBill{Bill: billOf(accountID, &grainv1.Accepted{Bill: b})}
		if it, err := s.d.Store.GetItem(ctx, b.GetItemId()); err == nil {
			cb.Title, cb.Category = it.Title, it.Category
		}
		out = append(out, cb)
	}
	return out, nil
}

// PayFromBalance pays the child's bill from the card balance, if the item allows it
// and the balance covers the amount (fees never go into arrears), under the request id.
func (s *Service) PayFromBalance(ctx context.Context, parentID string, m Movement) (Bill, error) {
	if err := s.guard(ctx, parentID, m.AccountID); err != nil {
		return Bill{}, err
	}
	if err := input.CheckRequestID(m.RequestID); err != nil {
		return Bill{}, err
	}
	if m.AmountFen <= 0 {
		return Bill{}, reason.Invalid(reason.InvalidAmount, "amount_fen %d, want > 0", m.AmountFen)
	}
	p, err := s.d.Directory.PupilByAccount(ctx, m.AccountID)
	if err != nil {
		return Bill{}, failure.Classify(err)
	}
	it, err := s.openItem(ctx, Staff{SchoolID: p.SchoolID}, m.ItemID)
	if err != nil {
		return Bill{}, err
	}
	if !it.AllowBalance {
		return Bill{}, ErrBalanceNotAllowed
	}
	a, err := s.execute(ctx, p.AccountID, &grainv1.ExecuteRequest{IdemKey: "billbal:" + m.RequestID, Command: &grainv1.ExecuteRequest_PayBillFromBalance{
		PayBillFromBalance: &grainv1.PayBillFromBalanceCommand{ItemId: m.ItemID, AmountFen: m.AmountFen}}})
	if err != nil {
		return Bill{}, err
	}
	s.project(ctx, p, a)
	s.log.Info("bill paid from balance", "item", m.ItemID, "account", p.AccountID, "replayed", a.GetReplayed())
	return billOf(p.AccountID, a), nil
}

// parseDay reads a YYYYMMDD day the grain wrote (0 if it is not one).
func parseDay(s string) schoolday.Date {
	t, err := schoolday.Parse(s)
	if err != nil {
		return 0
	}
	return schoolday.Of(t)
}
