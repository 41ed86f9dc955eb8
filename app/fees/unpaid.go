package fees

import (
	"bytes"
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
)

// unpaidHeader is the header row of the unpaid list (Chinese, as schools file it).
var unpaidHeader = []any{"班级", "学号", "姓名", "应缴(元)", "已缴(元)", "减免(元)", "欠缴(元)", "状态"}

var statusNames = map[fee.Status]string{fee.StatusUnpaid: "未缴", fee.StatusPartlyPaid: "部分缴纳"}

// Unpaid reports whether a bill still waits for money: unpaid or partly paid, with
// something outstanding (a closed item's bills take no more and are not listed).
func Unpaid(b BillRow) bool {
	return (b.Status == fee.StatusUnpaid || b.Status == fee.StatusPartlyPaid) && b.DueFen-b.PaidFen-b.ExemptedFen > 0
}

// UnpaidBills returns every unpaid bill of the item (of one class; a teacher: their
// class), in class then account order of the read model, at most MaxPupils.
func (s *Service) UnpaidBills(ctx context.Context, st Staff, itemID, classID string) (Item, []BillRow, error) {
	it, err := s.GetItem(ctx, st, itemID)
	if err != nil {
		return Item{}, nil, err
	}
	if st.ClassID != "" {
		classID = st.ClassID
	}
	out, err := s.unpaidBills(ctx, itemID, classID)
	if err != nil {
		return Item{}, nil, err
	}
	return it, out, nil
}

// unpaidBills lists an item's unpaid bills (of one class, or all) for whoever
// already may: UnpaidBills after its staff check, the due-tomorrow notices.
func (s *Service) unpaidBills(ctx context.Context, itemID, classID string) ([]BillRow, error) {
	var out []BillRow
	after := ""
	for range MaxPupils/MaxPage + 1 {
		rows, err := s.d.Store.ListBills(ctx, itemID, classID, after, MaxPage)
		if err != nil {
			return nil, s.storeError("list bills", err)
		}
		for _, b := range rows {
			if Unpaid(b) {
				out = append(out, b)
			}
		}
		if len(rows) < MaxPage {
			return out, nil
		}
		after = rows[len(rows)-1].AccountID
	}
	return nil, reason.Newf(reason.KindFailedPrecondition, reason.TooManyBills, "more than %d bills", MaxPupils)
}

// UnpaidXLSX is the unpaid list of an item as an XLSX workbook: one row per unpaid
// bill with the pupil's class, student number and name (staff of the school see
// full names, as on the class sheet), amounts in yuan as exact text.
func (s *Service) UnpaidXLSX(ctx context.Context, st Staff, itemID, classID string) ([]byte, error) {
	it, bills, err := s.UnpaidBills(ctx, st, itemID, classID)
	if err != nil {
		return nil, err
	}
	pupils := map[string]directory.Pupil{}
	var list []directory.Pupil
	cls := classID
	if st.ClassID != "" {
		cls = st.ClassID
	}
	if err := s.listPupils(ctx, it.SchoolID, cls, func(directory.Pupil) bool { return true }, &list); err != nil {
		return nil, err
	}
	for _, p := range list {
		pupils[p.AccountID] = p
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	if err := f.SetSheetRow(sheet, "A1", &unpaidHeader); err != nil {
		return nil, fmt.Errorf("fees: unpaid header: %w", err)
	}
	for i, b := range bills {
		p := pupils[b.AccountID]
		row := []any{b.ClassID, p.StudentNo, p.Name, money.Amount(b.DueFen).String(), money.Amount(b.PaidFen).String(),
			money.Amount(b.ExemptedFen).String(), money.Amount(b.DueFen - b.PaidFen - b.ExemptedFen).String(), statusNames[b.Status]}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			return nil, fmt.Errorf("fees: unpaid row: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("fees: unpaid workbook: %w", err)
	}
	s.log.Info("unpaid list exported", "item", it.ID, "class", cls, "bills", len(bills), "staff", st.ID)
	return buf.Bytes(), nil
}
