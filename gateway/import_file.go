package gateway

import "github.com/onecode/onecode/app/enrolment"

// MaxPupilFileBytes bounds the file of StaffService.ImportPupilsFile.
const MaxPupilFileBytes = enrolment.MaxPupilFileBytes

// ErrInvalidPupilFile is enrolment.ErrInvalidPupilFile: a file that is not a table of
// pupils (the import answers it as INVALID_FILE).
var ErrInvalidPupilFile = enrolment.ErrInvalidPupilFile
