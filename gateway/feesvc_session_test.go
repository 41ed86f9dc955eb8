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
	for _, tc := range []struct {
		service string
		want    access.Kind
	}{
		{"FeeStaffService", access.KindStaff},
		{"FeeParentService", access.KindParent},
	} {
		sd := apiv1.File_onecode_api_v1_fee_proto.Services().ByName(protoName(tc.service))
		if sd == nil || sd.Methods().Len() == 0 {
			t.Fatalf("no service %s", tc.service)
		}
		for i := range sd.Methods().Len() {
			m := "/" + string(sd.FullName()) + "/" + string(sd.Methods().Get(i).Name())
			if got := sessionNeed(m); got != tc.want {
				t.Errorf("sessionNeed(%s) = %q, want %q", m, got, tc.want)
			}
		}
	}
}

// TestFeeItemSessionNeed: every method of FeeItemStaffService needs a staff session
// (walked from the generated descriptor, so a new method cannot be left open).
func TestFeeItemSessionNeed(t *testing.T) {
	sd := apiv1.File_onecode_api_v1_fee_items_proto.Services().ByName(protoName("FeeItemStaffService"))
	if sd == nil || sd.Methods().Len() == 0 {
		t.Fatal("no service FeeItemStaffService")
	}
	for i := range sd.Methods().Len() {
		m := "/" + string(sd.FullName()) + "/" + string(sd.Methods().Get(i).Name())
		if got := sessionNeed(m); got != access.KindStaff {
			t.Errorf("sessionNeed(%s) = %q, want %q", m, got, access.KindStaff)
		}
	}
}

func protoName(s string) protoreflect.Name { return protoreflect.Name(s) }
