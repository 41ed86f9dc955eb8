package enrolment

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/xuri/excelize/v2"

	"github.com/onecode/onecode/domain/reason"
)

// Bounds of a table file (ParseTable).
const (
	// MaxTableFileBytes bounds the uploaded file.
	MaxTableFileBytes = 4 << 20
	// maxXLSXPart bounds the uncompressed size of an XLSX workbook read: a zip bomb
	// stops there.
	maxXLSXPart = 64 << 20
	// maxFileColumns: cells right of this column are ignored.
	maxFileColumns = 256
)

// ErrInvalidTableFile reports a file that cannot be read as the table it should
// be: not CSV/XLSX, undecodable text, no header row, a required column missing,
// too many rows. Row-level problems are not this error: the use case checks the
// values and answers row errors. ParseTable wraps it in a *reason.Error (invalid,
// INVALID_FILE).
var ErrInvalidTableFile = errors.New("invalid file")

func fileErr(format string, args ...any) error {
	msg := fmt.Sprintf("%s: "+format, append([]any{ErrInvalidTableFile}, args...)...)
	return reason.Wrap(reason.KindInvalid, reason.InvalidFile, msg, ErrInvalidTableFile)
}

// Column is one column of a table file.
type Column struct {
	// Name names it in messages ("学号/student_no").
	Name string
	// Aliases are the headers that name it, matched case-insensitively after
	// dropping spaces, underscores, hyphens, '*' and a trailing "(必填)"-style note.
	Aliases  []string
	Required bool
}

// TableSpec says what table a file must hold.
type TableSpec struct {
	Columns []Column
	// MaxRows bounds the rows (without the header).
	MaxRows int
	// Noun names the rows in messages ("pupils"); SplitHint follows "split the file"
	// (" (by grade or class)").
	Noun, SplitHint string
}

// Table is a file read as a table.
type Table struct {
	// Rows[i][c] is the trimmed cell of column c (TableSpec.Columns) in the i-th
	// non-blank row after the header; "" when the column is absent.
	Rows [][]string
	// Lines[i] is the 1-based line (CSV) or row (XLSX) of Rows[i] in the file,
	// the header being line 1 when it is the first line.
	Lines []int
	// Encoding names how the text was decoded: "utf-8", "utf-8-bom", "gb18030",
	// "utf-16" or "xlsx".
	Encoding string
}

func normalizeHeader(h string) string {
	h = strings.TrimPrefix(h, "\uFEFF")
	if i := strings.IndexAny(h, "(（"); i > 0 {
		h = h[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch r {
		case ' ', '_', '-', '\t', '\u3000', '*':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseTable reads a table as schools keep them: a header row with Chinese or
// English column names (spec.Columns; other columns are ignored), then one record
// per row; blank rows are skipped. format is "csv" or "xlsx" ("" guesses from the
// content). CSV may be UTF-8 with or without BOM, UTF-16 with BOM (Excel's
// "Unicode text") or GBK/GB18030 (detected as "not valid UTF-8"), separated by
// commas, semicolons or tabs (guessed from the header line). XLSX is read from its
// first worksheet, each part bounded. Values are passed on as written (trimmed):
// the use case checks them and answers row errors.
func ParseTable(format string, content []byte, spec TableSpec) (Table, error) {
	if len(spec.Columns) == 0 || spec.MaxRows < 1 {
		return Table{}, errors.New("enrolment: a table spec needs columns and MaxRows")
	}
	if len(content) == 0 {
		return Table{}, fileErr("the file is empty")
	}
	if len(content) > MaxTableFileBytes {
		return Table{}, fileErr("the file has %d bytes, at most %d", len(content), MaxTableFileBytes)
	}
	isZip := bytes.HasPrefix(content, []byte("PK\x03\x04"))
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "":
		if isZip {
			return parseXLSX(content, spec)
		}
		return parseCSV(content, spec)
	case "csv":
		if isZip {
			return Table{}, fileErr("format csv, but the file is a zip archive (an XLSX?): send format xlsx")
		}
		return parseCSV(content, spec)
	case "xlsx":
		if !isZip {
			return Table{}, fileErr("format xlsx, but the file is not an XLSX workbook (an old .xls? save it as .xlsx or CSV)")
		}
		return parseXLSX(content, spec)
	}
	return Table{}, fileErr("format %q, want csv or xlsx", format)
}

// decodeText turns a CSV file into UTF-8 and names the encoding it found.
func decodeText(b []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
		if !utf8.Valid(b) {
			return "", "", fileErr("the file starts with a UTF-8 BOM but is not UTF-8")
		}
		return string(b), "utf-8-bom", nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), b)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			return "", "", fileErr("the file starts with a UTF-16 BOM but is not UTF-16 text")
		}
		return string(out), "utf-16", nil
	case utf8.Valid(b):
		return string(b), "utf-8", nil
	}
	// Not UTF-8: Excel and WPS on Chinese Windows save CSV in the ANSI code page,
	// GBK (GB18030 is its superset). GB18030 decodes nearly any byte string, so a
	// replacement character is the sign that it was something else.
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", "", fileErr("the file is neither UTF-8 nor GBK text: save it as CSV UTF-8")
	}
	return string(out), "gb18030", nil
}

// sniffDelimiter picks the separator that occurs most in the first line.
func sniffDelimiter(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	best, n := ',', strings.Count(first, ",")
	for _, d := range []rune{'\t', ';'} {
		if c := strings.Count(first, string(d)); c > n {
			best, n = d, c
		}
	}
	return best
}

func parseCSV(content []byte, spec TableSpec) (Table, error) {
	text, enc, err := decodeText(content)
	if err != nil {
		return Table{}, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	t := newTableReader(spec)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Table{}, fileErr("line %d: %v", pe.Line, pe.Err)
			}
			return Table{}, fileErr("%v", err)
		}
		line, _ := r.FieldPos(0)
		if err := t.add(line, rec); err != nil {
			return Table{}, err
		}
	}
	return t.finish(enc)
}

// tableReader turns rows of cells into table rows: the first non-blank row is
// the header.
type tableReader struct {
	spec    TableSpec
	aliases map[string]int
	cols    []int // cell index of each column, -1 when absent
	header  bool
	table   Table
}

func newTableReader(spec TableSpec) *tableReader {
	t := &tableReader{spec: spec, aliases: map[string]int{}, cols: make([]int, len(spec.Columns))}
	for i, c := range spec.Columns {
		t.cols[i] = -1
		for _, a := range c.Aliases {
			t.aliases[normalizeHeader(a)] = i
		}
	}
	return t
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (t *tableReader) add(line int, cells []string) error {
	if blank(cells) {
		return nil
	}
	if len(cells) > maxFileColumns {
		cells = cells[:maxFileColumns]
	}
	if !t.header {
		return t.readHeader(line, cells)
	}
	if len(t.table.Rows) == t.spec.MaxRows {
		return fileErr("more than %d %s: split the file%s", t.spec.MaxRows, t.spec.Noun, t.spec.SplitHint)
	}
	row := make([]string, len(t.cols))
	for col, i := range t.cols {
		if i >= 0 && i < len(cells) {
			row[col] = strings.TrimSpace(cells[i])
		}
	}
	t.table.Rows = append(t.table.Rows, row)
	t.table.Lines = append(t.table.Lines, line)
	return nil
}

func (t *tableReader) readHeader(line int, cells []string) error {
	t.header = true
	for i, h := range cells {
		col, ok := t.aliases[normalizeHeader(h)]
		if !ok {
			continue
		}
		if t.cols[col] >= 0 {
			return fileErr("line %d: the column %s appears twice", line, t.spec.Columns[col].Name)
		}
		t.cols[col] = i
	}
	var names, missing []string
	for col, c := range t.spec.Columns {
		names = append(names, c.Name)
		if c.Required && t.cols[col] < 0 {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return fileErr("line %d is not a header with the columns %s: missing %s", line,
			strings.Join(names, ", "), strings.Join(missing, ", "))
	}
	return nil
}

func (t *tableReader) finish(enc string) (Table, error) {
	if !t.header {
		return Table{}, fileErr("the file has no header row")
	}
	if len(t.table.Rows) == 0 {
		return Table{}, fileErr("the file has a header but no %s", t.spec.Noun)
	}
	t.table.Encoding = enc
	return t.table, nil
}

// ---- XLSX (Office Open XML spreadsheet), read with excelize ----

func parseXLSX(content []byte, spec TableSpec) (Table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(content), excelize.Options{
		// A zip bomb stops here: bounds on what is unpacked in all and per XML part.
		UnzipSizeLimit:    maxXLSXPart,
		UnzipXMLSizeLimit: maxXLSXPart / 4,
	})
	if err != nil {
		return Table{}, fileErr("not a readable XLSX workbook: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Table{}, fileErr("the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Table{}, fileErr("the first sheet cannot be read: %v", err)
	}
	defer rows.Close()
	t := newTableReader(spec)
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Table{}, fileErr("row %d: %v", line, err)
		}
		if len(cells) > maxFileColumns {
			cells = cells[:maxFileColumns]
		}
		if err := t.add(line, cells); err != nil {
			return Table{}, err
		}
	}
	if err := rows.Error(); err != nil {
		return Table{}, fileErr("the first sheet cannot be read: %v", err)
	}
	return t.finish("xlsx")
}

// StoredAsNumber reports a value that a spreadsheet turned into a float
// ("4.40106E+17"), losing digits.
func StoredAsNumber(v string) bool {
	return strings.ContainsAny(v, "eE") && strings.ContainsAny(v, "+.") && strings.Trim(v, "0123456789.eE+-") == ""
}
