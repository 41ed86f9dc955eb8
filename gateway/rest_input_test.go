package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/gateway"
)

// restError sends one REST request with the operator token and decodes the error body.
func restError(t *testing.T, method, url, body string) (int, gateway.ErrorDetail) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var b gateway.ErrorBody
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("%s %s: body %q is not an error body: %v", method, url, raw, err)
	}
	return resp.StatusCode, b.Error
}

// Defect 1 of issue 10: invalid UTF-8 in a path or query parameter answered 500
// "error while marshaling"; non-integer amounts answered raw "proto:" messages.
func TestRESTBadInputIsA4xxWithAReason(t *testing.T) {
	e := newAdminEnv(t)
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantReason               reason.Code
		wantInMessage            string
	}{
		{"invalid UTF-8 in a path parameter", "GET", "/v1/admin/accounts/%FF%FE", "", 400, reason.InvalidUTF8, "UTF-8"},
		{"invalid UTF-8 in a query parameter", "GET", "/v1/admin/accounts/acc_35001_1?x=%C3%28", "", 400, reason.InvalidUTF8, "UTF-8"},
		{"invalid UTF-8 in a query key", "GET", "/v1/admin/accounts/acc_35001_1?%FF=1", "", 400, reason.InvalidUTF8, "UTF-8"},
		{"a non-integer amount", "POST", "/v1/admin/accounts/acc_35001_1:subsidy",
			`{"amountFen": 12.5, "reason": "lunch", "requestId": "r1"}`, 400, reason.InvalidRequest, "amountFen"},
		{"a string where a number is due", "POST", "/v1/admin/accounts/acc_35001_1:subsidy",
			`{"amountFen": "twelve", "reason": "lunch", "requestId": "r1"}`, 400, reason.InvalidRequest, "amountFen"},
		{"a body that is not JSON", "POST", "/v1/admin/accounts/acc_35001_1:subsidy", `{"amountFen": `, 400, reason.InvalidRequest, "JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, d := restError(t, tt.method, e.httpBase+tt.path, tt.body)
			if code != tt.wantStatus || reason.Code(d.Reason) != tt.wantReason {
				t.Fatalf("got %d %+v, want %d reason %s", code, d, tt.wantStatus, tt.wantReason)
			}
			if !strings.Contains(d.Message, tt.wantInMessage) || strings.Contains(d.Message, "proto:") {
				t.Errorf("message %q: want it to mention %q and no raw proto: prefix", d.Message, tt.wantInMessage)
			}
		})
	}
}
