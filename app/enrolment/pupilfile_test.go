package enrolment_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/domain/reason"
)

// testXLSX builds a workbook as Excel writes it: strings in the shared-string
// table, numbers as numeric cells, cell references on every cell, written part by
// part so the test controls exactly what Excel would store.
func testXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	var shared []string
	index := map[string]int{}
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r, row := range rows {
		fmt.Fprintf(&sheet, `<row r="%d">`, r+1)
		for c, v := range row {
			ref := fmt.Sprintf("%c%d", 'A'+c, r+1)
			switch v := v.(type) {
			case int, int64:
				fmt.Fprintf(&sheet, `<c r="%s"><v>%d</v></c>`, ref, v)
			case float64:
				fmt.Fprintf(&sheet, `<c r="%s"><v>%s</v></c>`, ref, fmt.Sprint(v))
			case string:
				if v == "" {
					continue
				}
				i, ok := index[v]
				if !ok {
					i = len(shared)
					index[v] = i
					shared = append(shared, v)
				}
				fmt.Fprintf(&sheet, `<c r="%s" t="s"><v>%d</v></c>`, ref, i)
			}
		}
		sheet.WriteString(`</row>`)
	}
	sheet.WriteString(`</sheetData></worksheet>`)
	var sst strings.Builder
	fmt.Fprintf(&sst, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(shared), len(shared))
	for _, s := range shared {
		fmt.Fprintf(&sst, `<si><t>%s</t></si>`, html.EscapeString(s))
	}
	sst.WriteString(`</sst>`)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="学生名单" sheetId="1" r:id="rId7"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/sharedStrings.xml", sst.String()},
		{"xl/worksheets/sheet1.xml", sheet.String()},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rowsText(f enrolment.PupilFile) string {
	var b strings.Builder
	for i, r := range f.Rows {
		fmt.Fprintf(&b, "%d:%s|%s|%s|%s\n", f.Lines[i], r.StudentNo, r.Name, r.ClassID, r.IDNumber)
	}
	return b.String()
}

func TestParsePupilFile(t *testing.T) {
	const chinese = "学号,姓名,班级,身份证号\n2024000101,王小明,3-1,110105201503070021\n\n2024000102,李华,3-1,\n"
	want := "2:2024000101|王小明|3-1|110105201503070021\n4:2024000102|李华|3-1|\n"
	for _, tc := range []struct {
		name, format string
		content      []byte
		encoding     string
		want         string
	}{
		{"utf-8", "csv", []byte(chinese), "utf-8", want},
		{"utf-8 BOM", "csv", append([]byte{0xEF, 0xBB, 0xBF}, chinese...), "utf-8-bom", want},
		{"GBK from Excel on Chinese Windows", "csv", gbk(t, strings.ReplaceAll(chinese, "\n", "\r\n")), "gb18030", want},
		{"English headers, quotes, extra columns, CRLF", "CSV",
			[]byte("Student No,Gender,Name,Class_ID,ID Number,Remarks\r\n\"2024000101\",M,\"Wang, Xiaoming\",3-1,,\"a \"\"note\"\"\"\r\n"), "utf-8",
			"2:2024000101|Wang, Xiaoming|3-1|\n"},
		{"tab separated, format guessed", "", []byte("学号\t姓名\t班级(必填)\n2024000101\t王小明\t3-1\n"), "utf-8", "2:2024000101|王小明|3-1|\n"},
		{"semicolons", "csv", []byte("student_no;name;class_id\n2024000101;王小明;3-1\n"), "utf-8", "2:2024000101|王小明|3-1|\n"},
		{"xlsx with numbers and a blank row", "xlsx", testXLSX(t, [][]any{
			{"学号", "姓名", "性别", "班级", "身份证号"},
			{2024000101, "王小明", "男", "3-1", "110105201503070021"},
			{},
			{"2024000102", "李华", "女", "3-1", 4.40106201601011e+17},
		}), "xlsx", "2:2024000101|王小明|3-1|110105201503070021\n4:2024000102|李华|3-1|4.40106201601011e+17\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := enrolment.ParsePupilFile(tc.format, tc.content)
			if err != nil {
				t.Fatal(err)
			}
			if got := rowsText(f); got != tc.want || f.Encoding != tc.encoding {
				t.Fatalf("got %s (%s), want %s (%s)", got, f.Encoding, tc.want, tc.encoding)
			}
		})
	}
}

func TestParsePupilFileRejects(t *testing.T) {
	many := "学号,姓名,班级\n" + strings.Repeat("2024000101,王小明,3-1\n", enrolment.MaxImportRows+1)
	for _, tc := range []struct {
		name, format string
		content      []byte
		msg          string
	}{
		{"empty", "csv", nil, "empty"},
		{"too big", "csv", make([]byte, enrolment.MaxPupilFileBytes+1), "bytes"},
		{"unknown format", "xls", []byte("x"), "want csv or xlsx"},
		{"xlsx that is not", "xlsx", []byte("学号,姓名,班级\n"), "not an XLSX"},
		{"csv that is a zip", "csv", testXLSX(t, [][]any{{"学号"}}), "zip"},
		{"missing column", "csv", []byte("学号,姓名\n2024000101,王小明\n"), "missing 班级/class_id"},
		{"twice", "csv", []byte("学号,姓名,班级,class_id\n"), "appears twice"},
		{"header only", "csv", []byte("学号,姓名,班级\n"), "no pupils"},
		{"too many rows", "csv", []byte(many), "more than"},
		{"not text", "csv", []byte{0x80, 0xff, 0xfe, 0x00, 0x81}, "neither UTF-8 nor GBK"},
		{"broken zip", "xlsx", []byte("PK\x03\x04garbage"), "not a readable XLSX"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := enrolment.ParsePupilFile(tc.format, tc.content)
			if !errors.Is(err, enrolment.ErrInvalidPupilFile) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("got %v, want ErrInvalidPupilFile with %q", err, tc.msg)
			}
			if e, ok := reason.As(err); !ok || e.Kind != reason.KindInvalid || e.Code != reason.InvalidFile {
				t.Fatalf("got %#v, want a *reason.Error invalid INVALID_FILE", err)
			}
		})
	}
}

func FuzzParsePupilFile(f *testing.F) {
	f.Add("csv", []byte("学号,姓名,班级\n2024000101,王小明,3-1\n"))
	f.Add("", []byte("student_no\tname\tclass_id\n1\t2\t3\n"))
	f.Fuzz(func(t *testing.T, format string, content []byte) {
		file, err := enrolment.ParsePupilFile(format, content)
		if err != nil {
			if !errors.Is(err, enrolment.ErrInvalidPupilFile) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		if len(file.Rows) == 0 || len(file.Rows) != len(file.Lines) || len(file.Rows) > enrolment.MaxImportRows {
			t.Fatalf("%d rows, %d lines", len(file.Rows), len(file.Lines))
		}
	})
}

// TestParsePupilFileExcelizeWorkbook reads a workbook written by a spreadsheet library
// (numbers stored as numbers, as Excel does for student numbers).
func TestParsePupilFileExcelizeWorkbook(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"学号", "姓名", "班级", "身份证号"},
		{2024000301, "赵一", "3-1", "110105201503070021"},
		{"2024000302", "钱二", "3-2", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	got, err := enrolment.ParsePupilFile("xlsx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != 2 || got.Rows[0].StudentNo != "2024000301" || got.Rows[0].Name != "赵一" ||
		got.Rows[1].ClassID != "3-2" || got.Lines[1] != 3 {
		t.Fatalf("rows %v lines %v", got.Rows, got.Lines)
	}
}
