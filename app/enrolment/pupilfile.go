package enrolment

// Bounds of a pupil file (Service.ImportFile).
const (
	// MaxPupilFileBytes bounds the uploaded file.
	MaxPupilFileBytes = MaxTableFileBytes
)

// ErrInvalidPupilFile reports a pupil file that cannot be read as a table of
// pupils (ErrInvalidTableFile).
var ErrInvalidPupilFile = ErrInvalidTableFile

// PupilFile is a pupil file read into import rows.
type PupilFile struct {
	Rows []Row
	// Lines[i] is the 1-based line (CSV) or row (XLSX) of Rows[i] in the file,
	// the header being line 1 when it is the first line.
	Lines []int
	// Encoding names how the text was decoded (Table.Encoding).
	Encoding string
}

// The columns of a pupil file.
const (
	colStudentNo = iota
	colName
	colClassID
	colIDNumber
)

// PupilFileSpec is the table of a pupil file: 学号/student_no, 姓名/name,
// 班级/class_id and the optional 身份证号/id_number.
var PupilFileSpec = TableSpec{
	Columns: []Column{
		colStudentNo: {Name: "学号/student_no", Required: true, Aliases: []string{"学号", "studentno", "studentnumber", "学生学号"}},
		colName:      {Name: "姓名/name", Required: true, Aliases: []string{"姓名", "name", "学生姓名", "studentname"}},
		colClassID: {Name: "班级/class_id", Required: true,
			Aliases: []string{"班级", "classid", "class", "班级编号", "班级id", "班级代码"}},
		colIDNumber: {Name: "身份证号/id_number", Aliases: []string{"身份证号", "idnumber", "身份证", "身份证号码", "证件号",
			"证件号码", "idcard", "idno"}},
	},
	MaxRows: MaxImportRows, Noun: "pupils", SplitHint: " (by grade or class)",
}

// ParsePupilFile reads a pupil file (ParseTable with PupilFileSpec): a header row
// then one pupil per row. At most MaxImportRows rows.
func ParsePupilFile(format string, content []byte) (PupilFile, error) {
	t, err := ParseTable(format, content, PupilFileSpec)
	if err != nil {
		return PupilFile{}, err
	}
	f := PupilFile{Rows: make([]Row, len(t.Rows)), Lines: t.Lines, Encoding: t.Encoding}
	for i, r := range t.Rows {
		f.Rows[i] = Row{StudentNo: r[colStudentNo], Name: r[colName], ClassID: r[colClassID], IDNumber: r[colIDNumber]}
	}
	return f, nil
}

// storedAsNumber: see StoredAsNumber.
func storedAsNumber(v string) bool { return StoredAsNumber(v) }
