package gateway

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/onecode/onecode/domain/reason"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
)

// ErrorBody is the JSON body of every REST error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable machine reason and a human message.
type ErrorDetail struct {
	Code    int               `json:"code"`
	Status  string            `json:"status"`
	Reason  string            `json:"reason,omitempty"`
	Message string            `json:"message"`
	Meta    map[string]string `json:"meta,omitempty"`
}

// errorHandler renders gRPC errors as ErrorBody JSON with the HTTP status that
// grpc-gateway maps from the gRPC code; the reason comes from an ErrorInfo detail.
func errorHandler(ctx context.Context, _ *runtime.ServeMux, _ runtime.Marshaler, w http.ResponseWriter, _ *http.Request, err error) {
	st := status.Convert(err)
	code := runtime.HTTPStatusFromCode(st.Code())
	d := ErrorDetail{Code: code, Status: st.Code().String(), Message: st.Message()}
	for _, det := range st.Details() {
		if info, ok := det.(*errdetails.ErrorInfo); ok {
			d.Reason = info.GetReason()
			d.Meta = info.GetMetadata()
		}
	}
	if d.Reason == "" {
		d.Reason = string(edgeReasons[st.Code()])
	}
	writeJSONValue(w, code, ErrorBody{Error: d})
}

func writeError(w http.ResponseWriter, code int, r reason.Code, msg string) {
	writeJSONValue(w, code, ErrorBody{Error: ErrorDetail{Code: code, Status: http.StatusText(code), Reason: string(r), Message: msg}})
}

func writeJSON(w http.ResponseWriter, code int, v any) { writeJSONValue(w, code, v) }

func writeJSONValue(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
