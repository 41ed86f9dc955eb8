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

// Bounds of a pupil file (Service.ImportFile).
const (
	// MaxPupilFileBytes bounds the uploaded file.
	MaxPupilFileBytes = 4 << 20
	// maxXLSXPart bounds the uncompressed size of an XLSX workbook read: a zip bomb
	// stops there.
	maxXLSXPart = 64 << 20
	// maxFileColumns: cells right of this column are ignored.
	maxFileColumns = 256
)

// ErrInvalidPupilFile reports a pupil file that cannot be read as a table of
// pupils: not CSV/XLSX, undecodable text, no header row, a required column
// missing, too many rows. Row-level problems are not this error: they come back
// as row errors of the import. ParsePupilFile wraps it in a *reason.Error
// (invalid, INVALID_FILE).
var ErrInvalidPupilFile = errors.New("invalid pupil file")

func fileErr(format string, args ...any) error {
	msg := fmt.Sprintf("%s: "+format, append([]any{ErrInvalidPupilFile}, args...)...)
	return reason.Wrap(reason.KindInvalid, reason.InvalidFile, msg, ErrInvalidPupilFile)
}

// PupilFile is a pupil file read into import rows.
type PupilFile struct {
	Rows []Row
	// Lines[i] is the 1-based line (CSV) or row (XLSX) of Rows[i] in the file,
	// the header being line 1 when it is the first line.
	Lines []int
	// Encoding names how the text was decoded: "utf-8", "utf-8-bom", "gb18030",
	// "utf-16" or "xlsx".
	Encoding string
}

// The columns of a pupil file. Headers are matched case-insensitively after
// dropping spaces, underscores, hyphens and a trailing "(必填)"-style note.
const (
	colStudentNo = iota
	colName
	colClassID
	colIDNumber
	numColumns
)

var columnNames = [numColumns]string{"学号/student_no", "姓名/name", "班级/class_id", "身份证号/id_number"}

var headerAliases = map[string]int{
	"学号": colStudentNo, "studentno": colStudentNo, "studentnumber": colStudentNo, "学生学号": colStudentNo,
	"姓名": colName, "name": colName, "学生姓名": colName, "studentname": colName,
	"班级": colClassID, "classid": colClassID, "class": colClassID, "班级编号": colClassID, "班级id": colClassID, "班级代码": colClassID,
	"身份证号": colIDNumber, "idnumber": colIDNumber, "身份证": colIDNumber, "身份证号码": colIDNumber, "证件号": colIDNumber,
	"证件号码": colIDNumber, "idcard": colIDNumber, "idno": colIDNumber,
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

// ParsePupilFile reads a pupil file as schools keep them: a header row with
// Chinese or English column names (学号/student_no, 姓名/name, 班级/class_id and
// the optional 身份证号/id_number; other columns are ignored), then one pupil per
// row; blank rows are skipped. format is "csv" or "xlsx" ("" guesses from the
// content). CSV may be UTF-8 with or without BOM, UTF-16 with BOM (Excel's
// "Unicode text") or GBK/GB18030 (detected as "not valid UTF-8"), separated by
// commas, semicolons or tabs (guessed from the header line). XLSX is read from
// its first worksheet with the standard library, each part bounded.
//
// Values are passed on as written (trimmed): the import checks them and answers
// row errors. At most MaxImportRows rows.
func ParsePupilFile(format string, content []byte) (PupilFile, error) {
	if len(content) == 0 {
		return PupilFile{}, fileErr("the file is empty")
	}
	if len(content) > MaxPupilFileBytes {
		return PupilFile{}, fileErr("the file has %d bytes, at most %d", len(content), MaxPupilFileBytes)
	}
	isZip := bytes.HasPrefix(content, []byte("PK\x03\x04"))
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "":
		if isZip {
			return parseXLSX(content)
		}
		return parseCSV(content)
	case "csv":
		if isZip {
			return PupilFile{}, fileErr("format csv, but the file is a zip archive (an XLSX?): send format xlsx")
		}
		return parseCSV(content)
	case "xlsx":
		if !isZip {
			return PupilFile{}, fileErr("format xlsx, but the file is not an XLSX workbook (an old .xls? save it as .xlsx or CSV)")
		}
		return parseXLSX(content)
	}
	return PupilFile{}, fileErr("format %q, want csv or xlsx", format)
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

func parseCSV(content []byte) (PupilFile, error) {
	text, enc, err := decodeText(content)
	if err != nil {
		return PupilFile{}, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffDelimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	t := newTableReader()
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return PupilFile{}, fileErr("line %d: %v", pe.Line, pe.Err)
			}
			return PupilFile{}, fileErr("%v", err)
		}
		line, _ := r.FieldPos(0)
		if err := t.add(line, rec); err != nil {
			return PupilFile{}, err
		}
	}
	return t.finish(enc)
}

// tableReader turns rows of cells into import rows: the first non-blank row is
// the header.
type tableReader struct {
	cols   [numColumns]int // cell index of each column, -1 when absent
	header bool
	file   PupilFile
}

func newTableReader() *tableReader {
	t := &tableReader{}
	for i := range t.cols {
		t.cols[i] = -1
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
	if len(t.file.Rows) == MaxImportRows {
		return fileErr("more than %d pupils: split the file (by grade or class)", MaxImportRows)
	}
	cell := func(col int) string {
		i := t.cols[col]
		if i < 0 || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[i])
	}
	t.file.Rows = append(t.file.Rows, Row{
		StudentNo: cell(colStudentNo), Name: cell(colName), ClassID: cell(colClassID), IDNumber: cell(colIDNumber),
	})
	t.file.Lines = append(t.file.Lines, line)
	return nil
}

func (t *tableReader) readHeader(line int, cells []string) error {
	t.header = true
	for i, h := range cells {
		col, ok := headerAliases[normalizeHeader(h)]
		if !ok {
			continue
		}
		if t.cols[col] >= 0 {
			return fileErr("line %d: the column %s appears twice", line, columnNames[col])
		}
		t.cols[col] = i
	}
	var missing []string
	for col := range colIDNumber { // the ID number is optional
		if t.cols[col] < 0 {
			missing = append(missing, columnNames[col])
		}
	}
	if len(missing) > 0 {
		return fileErr("line %d is not a header with the columns %s: missing %s", line,
			strings.Join(columnNames[:], ", "), strings.Join(missing, ", "))
	}
	return nil
}

func (t *tableReader) finish(enc string) (PupilFile, error) {
	if !t.header {
		return PupilFile{}, fileErr("the file has no header row")
	}
	if len(t.file.Rows) == 0 {
		return PupilFile{}, fileErr("the file has a header but no pupils")
	}
	t.file.Encoding = enc
	return t.file, nil
}

// ---- XLSX (Office Open XML spreadsheet), read with excelize ----

func parseXLSX(content []byte) (PupilFile, error) {
	f, err := excelize.OpenReader(bytes.NewReader(content), excelize.Options{
		// A zip bomb stops here: bounds on what is unpacked in all and per XML part.
		UnzipSizeLimit:    maxXLSXPart,
		UnzipXMLSizeLimit: maxXLSXPart / 4,
	})
	if err != nil {
		return PupilFile{}, fileErr("not a readable XLSX workbook: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return PupilFile{}, fileErr("the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return PupilFile{}, fileErr("the first sheet cannot be read: %v", err)
	}
	defer rows.Close()
	t := newTableReader()
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return PupilFile{}, fileErr("row %d: %v", line, err)
		}
		if len(cells) > maxFileColumns {
			cells = cells[:maxFileColumns]
		}
		if err := t.add(line, cells); err != nil {
			return PupilFile{}, err
		}
	}
	if err := rows.Error(); err != nil {
		return PupilFile{}, fileErr("the first sheet cannot be read: %v", err)
	}
	return t.finish("xlsx")
}

// storedAsNumber reports a value that a spreadsheet turned into a float
// ("4.40106E+17"), losing digits.
func storedAsNumber(v string) bool {
	return strings.ContainsAny(v, "eE") && strings.ContainsAny(v, "+.") && strings.Trim(v, "0123456789.eE+-") == ""
}
