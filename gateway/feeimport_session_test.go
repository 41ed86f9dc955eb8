package gateway

import (
	"testing"

	"github.com/onecode/onecode/app/access"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestFeeImportSessionNeed: every method of FeeImportService needs a staff session
// (walked from the generated descriptor, so a new method cannot be left open).
func TestFeeImportSessionNeed(t *testing.T) {
	wantSessionNeed(t, apiv1.File_onecode_api_v1_fee_import_proto, "FeeImportService", access.KindStaff)
}
