package gateway

import (
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/onecode/onecode/app/access"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// TestFeeSessionNeed: every method of FeeStaffService needs a staff session and every
// method of FeeParentService a parent's (walked from the generated descriptors, so a
// new method cannot be left open).
func TestFeeSessionNeed(t *testing.T) {
	wantSessionNeed(t, apiv1.File_onecode_api_v1_fee_proto, "FeeStaffService", access.KindStaff)
	wantSessionNeed(t, apiv1.File_onecode_api_v1_fee_proto, "FeeParentService", access.KindParent)
}

// TestFeeItemSessionNeed: every method of FeeItemStaffService needs a staff session
// (walked from the generated descriptor, so a new method cannot be left open).
func TestFeeItemSessionNeed(t *testing.T) {
	wantSessionNeed(t, apiv1.File_onecode_api_v1_fee_items_proto, "FeeItemStaffService", access.KindStaff)
}

// wantSessionNeed wants every method of the file's service to need a session of kind
// want; the service must be there with methods.
func wantSessionNeed(t *testing.T, fd protoreflect.FileDescriptor, service string, want access.Kind) {
	t.Helper()
	sd := fd.Services().ByName(protoreflect.Name(service))
	if sd == nil || sd.Methods().Len() == 0 {
		t.Fatalf("no service %s", service)
	}
	for i := range sd.Methods().Len() {
		m := "/" + string(sd.FullName()) + "/" + string(sd.Methods().Get(i).Name())
		if got := sessionNeed(m); got != want {
			t.Errorf("sessionNeed(%s) = %q, want %q", m, got, want)
		}
	}
}
