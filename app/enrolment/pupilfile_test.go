package enrolment_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onecode/onecode/internal/testfiles"

	"github.com/xuri/excelize/v2"

	"github.com/onecode/onecode/app/enrolment"
	"github.com/onecode/onecode/domain/reason"
)

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
		{"GBK from Excel on Chinese Windows", "csv", testfiles.GBK(t, strings.ReplaceAll(chinese, "\n", "\r\n")), "gb18030", want},
		{"English headers, quotes, extra columns, CRLF", "CSV",
			[]byte("Student No,Gender,Name,Class_ID,ID Number,Remarks\r\n\"2024000101\",M,\"Wang, Xiaoming\",3-1,,\"a \"\"note\"\"\"\r\n"), "utf-8",
			"2:2024000101|Wang, Xiaoming|3-1|\n"},
		{"tab separated, format guessed", "", []byte("学号\t姓名\t班级(必填)\n2024000101\t王小明\t3-1\n"), "utf-8", "2:2024000101|王小明|3-1|\n"},
		{"semicolons", "csv", []byte("student_no;name;class_id\n2024000101;王小明;3-1\n"), "utf-8", "2:2024000101|王小明|3-1|\n"},
		{"xlsx with numbers and a blank row", "xlsx", testfiles.XLSX(t, [][]any{
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
		{"csv that is a zip", "csv", testfiles.XLSX(t, [][]any{{"学号"}}), "zip"},
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
