package input

import (
	"strings"
	"testing"

	"github.com/onecode/onecode/domain/reason"
)

func TestChecks(t *testing.T) {
	tests := []struct {
		name string
		err  error
		bad  bool
	}{
		{"text ok", CheckText("reason", "午餐补贴", 8), false},
		{"text empty", CheckText("reason", "", 8), true},
		{"text too long", CheckText("reason", strings.Repeat("a", 9), 8), true},
		{"text not UTF-8", CheckText("reason", "\xff", 8), true},
		{"text control", CheckText("reason", "a\nb", 8), true},
		{"request id ok", CheckRequestID("r-1:2.x_y"), false},
		{"request id empty", CheckRequestID(""), true},
		{"request id long", CheckRequestID(strings.Repeat("a", MaxRequestIDLen+1)), true},
		{"request id space", CheckRequestID("a b"), true},
	}
	for _, tt := range tests {
		if got := tt.err != nil; got != tt.bad {
			t.Errorf("%s: error %v, want error %v", tt.name, tt.err, tt.bad)
		}
		if tt.bad && reason.Of(tt.err) != reason.InvalidArgument {
			t.Errorf("%s: reason %q, want %q", tt.name, reason.Of(tt.err), reason.InvalidArgument)
		}
	}
	if !IsDigits("0123") || IsDigits("12a") {
		t.Error("IsDigits")
	}
}
