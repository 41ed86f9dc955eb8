package fees

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/domain/fee"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	feestore "github.com/onecode/onecode/persistence/fees"
)

// Bounds of a per-pupil amount import.
const (
	// MaxAmountRows bounds the rows of one amount file.
	MaxAmountRows = feestore.MaxAmounts
	// MaxAmountFen is the largest amount of one pupil (1,000,000 yuan); the smallest is
	// one fen.
	MaxAmountFen = feestore.MaxAmountFen
	// MaxNoteRunes bounds a row's note.
	MaxNoteRunes = feestore.MaxNoteRunes
	// MaxRowErrors bounds the row errors of one import; the rest are counted in a
	// last RowError of row 0 (as the pupil import does).
	MaxRowErrors = enrolment.MaxRowErrors
)

// Amount is one pupil's amount of a draft item, as imported.
type Amount = feestore.Amount

// RowError explains why one row of a file was refused (Row is the file's line).
type RowError = enrolment.RowError

// The columns of an amount file.
const (
	amtStudentNo = iota
	amtAmount
	amtNote
)

// AmountFileSpec is the table of a per-pupil amount file: 学号/student_no,
// 金额/amount (yuan, at most two decimals) and the optional 备注/note; other columns
// (a name, a class) are ignored.
var AmountFileSpec = enrolment.TableSpec{
	Columns: []enrolment.Column{
		amtStudentNo: {Name: "学号/student_no", Required: true, Aliases: []string{"学号", "studentno", "studentnumber", "学生学号"}},
		amtAmount: {Name: "金额/amount", Required: true,
			Aliases: []string{"金额", "amount", "应缴金额", "应收金额", "收费金额", "金额元", "amountyuan", "应缴"}},
		amtNote: {Name: "备注/note", Aliases: []string{"备注", "note", "notes", "remark", "remarks", "说明"}},
	},
	MaxRows: MaxAmountRows, Noun: "rows", SplitHint: " into items of at most 5000 pupils",
}

// AmountImport is the answer of ImportAmounts: the amounts now stored, or the row
// errors, and then nothing changed.
type AmountImport struct {
	Amounts  []Amount
	Errors   []RowError
	TotalFen int64
	// AlreadyApplied: this very import was applied before (a retry, a double
	// click); nothing changed and no second change was journaled.
	AlreadyApplied bool
}

// ImportAmounts replaces the per-pupil amounts of a draft item of the staff's school
// with a CSV or XLSX file (AmountFileSpec), all or nothing: every row is checked
// (student number of an active pupil of the school, once in the file; amount of
// 0.01–1,000,000 yuan; note) and any bad row answers the row errors and stores
// nothing. Publishing then bills exactly the listed pupils their amounts; the item's
// own amount stays the default for pupils added later. The same import again (a
// retry, a double click) changes nothing, is journaled once and answers
// AlreadyApplied.
func (s *Service) ImportAmounts(ctx context.Context, st Staff, itemID, format string, content []byte) (AmountImport, error) {
	it, err := s.GetItem(ctx, st, itemID)
	if err != nil {
		return AmountImport{}, err
	}
	if it.State != fee.Draft {
		return AmountImport{}, ErrItemNotDraft
	}
	table, err := enrolment.ParseTable(format, content, AmountFileSpec)
	if err != nil {
		return AmountImport{}, err
	}
	pupils := map[string]directory.Pupil{}
	keep := func(p directory.Pupil) bool { return p.Status == "" || p.Status == directory.PupilActive }
	var all []directory.Pupil
	if err := s.listPupils(ctx, st.SchoolID, "", keep, &all); err != nil {
		return AmountImport{}, err
	}
	for _, p := range all {
		pupils[p.StudentNo] = p
	}
	amounts, errs := checkAmountRows(table, pupils)
	if len(errs) > 0 {
		return AmountImport{Errors: capRowErrors(errs)}, nil
	}
	out := AmountImport{Amounts: amounts}
	for _, a := range amounts {
		out.TotalFen += a.AmountFen
	}
	if out.AlreadyApplied, err = s.storedAlready(ctx, it.ID, amounts); err != nil || out.AlreadyApplied {
		return out, err
	}
	detail := fmt.Sprintf("%d pupils, %s", len(amounts), money.Amount(out.TotalFen).String())
	replaced, err := s.d.Store.ReplaceAmounts(ctx, it.ID, it.SchoolID, amounts,
		s.change(st, feestore.ChangeImportAmounts, it.ID, amountsKey(it, amounts), "", detail))
	if errors.Is(err, feestore.ErrConflict) {
		return AmountImport{}, ErrItemNotDraft
	}
	if err != nil {
		return AmountImport{}, s.storeError("import amounts", err)
	}
	out.AlreadyApplied = !replaced
	s.log.Info("fee amounts imported", "item", it.ID, "school", it.SchoolID, "staff", st.ID, "rows", len(amounts),
		"encoding", table.Encoding, "already_applied", out.AlreadyApplied)
	return out, nil
}

// storedAlready reports whether the item's stored amounts are exactly amounts (the
// same import answered, its retry after a lost answer): nothing to write again.
func (s *Service) storedAlready(ctx context.Context, itemID string, amounts []Amount) (bool, error) {
	stored, err := s.d.Store.ListAmounts(ctx, itemID)
	if err != nil {
		return false, s.storeError("list amounts", err)
	}
	return slices.Equal(stored, byLine(amounts)), nil
}

// byLine is amounts in the store's order (file line, then account).
func byLine(amounts []Amount) []Amount {
	out := slices.Clone(amounts)
	slices.SortStableFunc(out, func(a, b Amount) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), strings.Compare(a.AccountID, b.AccountID))
	})
	return out
}

// amountsKey is the change key of an import: a hash of the item, its version the
// import replaces and the normalised rows (account, student no, fen, note, line),
// so the same file sent twice at once (a double click) is one change, while the
// same content imported again after another import is a change of its own.
func amountsKey(it Item, amounts []Amount) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", it.ID, it.UpdatedAt.UnixMicro())
	for _, a := range byLine(amounts) {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00%d\x00", a.AccountID, a.StudentNo, a.AmountFen, a.Note, a.Line)
	}
	return "import_amounts:" + hex.EncodeToString(h.Sum(nil)[:16])
}

// ListAmounts returns the imported per-pupil amounts of an item of the staff's school
// (none when nothing was imported: every pupil owes the item's amount).
func (s *Service) ListAmounts(ctx context.Context, st Staff, itemID string) (Item, []Amount, error) {
	it, err := s.GetItem(ctx, st, itemID)
	if err != nil {
		return Item{}, nil, err
	}
	amounts, err := s.d.Store.ListAmounts(ctx, it.ID)
	if err != nil {
		return Item{}, nil, s.storeError("list amounts", err)
	}
	return it, amounts, nil
}

// checkAmountRows checks every row of an amount file against the school's active
// pupils (by student number).
func checkAmountRows(t enrolment.Table, pupils map[string]directory.Pupil) ([]Amount, []RowError) {
	var errs []RowError
	out := make([]Amount, 0, len(t.Rows))
	first := map[string]int{}
	for i, r := range t.Rows {
		line := t.Lines[i]
		bad := func(code reason.Code, format string, args ...any) {
			errs = append(errs, RowError{Row: line, Reason: code, Message: fmt.Sprintf(format, args...)})
		}
		no, note := r[amtStudentNo], r[amtNote]
		p, known := pupils[no]
		switch {
		case directory.ValidateStudentNo(no) != nil:
			hint := ""
			if enrolment.StoredAsNumber(no) {
				hint = " (the spreadsheet stored it as a number and lost digits: format the column as text)"
			}
			bad(reason.InvalidStudentNo, "student no %q, want 10 digits%s", no, hint)
		case first[no] > 0:
			bad(reason.DuplicateStudentNo, "student no %s is also in row %d", no, first[no])
		case !known:
			bad(reason.UnknownStudentNo, "student no %s is no active pupil of your school", no)
		}
		if first[no] == 0 {
			first[no] = line
		}
		fen, err := parseYuan(r[amtAmount])
		if err != nil {
			bad(reason.InvalidAmount, "amount %q: %v", r[amtAmount], err)
		}
		if !utf8.ValidString(note) || utf8.RuneCountInString(note) > MaxNoteRunes || strings.ContainsAny(note, "\x00\r\n") {
			bad(reason.InvalidNote, "note: at most %d characters on one line", MaxNoteRunes)
		}
		out = append(out, Amount{AccountID: p.AccountID, StudentNo: no, AmountFen: fen, Note: note, Line: line})
	}
	return out, errs
}

// parseYuan reads an amount in yuan with at most two decimals ("120", "120.5",
// "1,200.00", "¥35") into fen, 1…MaxAmountFen. No floats: the digits are read as
// written.
func parseYuan(v string) (int64, error) {
	v = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", "元", "", " ", "").Replace(v)
	if v == "" {
		return 0, errors.New("missing")
	}
	whole, frac, dotted := strings.Cut(v, ".")
	if whole == "" || len(frac) > 2 || (dotted && frac == "") || len(whole) > 9 {
		return 0, errors.New("want yuan with at most two decimals, e.g. 1200.50")
	}
	var fen int64
	for _, c := range whole + (frac + "00")[:2] {
		if c < '0' || c > '9' {
			return 0, errors.New("want yuan with at most two decimals, e.g. 1200.50")
		}
		fen = fen*10 + int64(c-'0')
	}
	if fen < 1 || fen > MaxAmountFen {
		return 0, fmt.Errorf("want 0.01–%d yuan", MaxAmountFen/100)
	}
	return fen, nil
}

// capRowErrors keeps the first MaxRowErrors and counts the rest in a row-0 error.
func capRowErrors(errs []RowError) []RowError {
	if len(errs) <= MaxRowErrors {
		return errs
	}
	more := len(errs) - MaxRowErrors
	return append(errs[:MaxRowErrors:MaxRowErrors], RowError{Row: 0, Reason: reason.TooManyErrors,
		Message: fmt.Sprintf("%d more errors not listed", more)})
}
