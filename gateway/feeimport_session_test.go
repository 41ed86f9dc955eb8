package gateway

import (
	"testing"

	"github.com/onecode/onecode/app/access"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestFeeImportSessionNeed: every method of FeeImportService needs a staff session
// (walked from the generated descriptor, so a new method cannot be left open).
func TestFeeImportSessionNeed(t *testing.T) {
	sd := apiv1.File_onecode_api_v1_fee_import_proto.Services().ByName(protoName("FeeImportService"))
	if sd == nil || sd.Methods().Len() == 0 {
		t.Fatal("no service FeeImportService")
	}
	for i := range sd.Methods().Len() {
		m := "/" + string(sd.FullName()) + "/" + string(sd.Methods().Get(i).Name())
		if got := sessionNeed(m); got != access.KindStaff {
			t.Errorf("sessionNeed(%s) = %q, want %q", m, got, access.KindStaff)
		}
	}
}
