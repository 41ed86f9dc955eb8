package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/onecode/onecode/domain/reason"
)

// checkRESTInput answers 400 INVALID_UTF8 for a path or query that is not UTF-8 (the
// proto strings they fill must be UTF-8: the call would otherwise fail to marshal and
// answer 500) and 400 INVALID_REQUEST for a query that does not parse.
func checkRESTInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !utf8.ValidString(r.URL.Path) {
			writeError(w, http.StatusBadRequest, reason.InvalidUTF8, "the path is not valid UTF-8 once percent-decoded")
			return
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			writeError(w, http.StatusBadRequest, reason.InvalidRequest, "the query string does not parse: use key=value pairs, percent-encoded")
			return
		}
		for k, vs := range q {
			ok := utf8.ValidString(k)
			for _, v := range vs {
				ok = ok && utf8.ValidString(v)
			}
			if !ok {
				writeError(w, http.StatusBadRequest, reason.InvalidUTF8, "a query parameter is not valid UTF-8 once percent-decoded")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// restMarshaler is grpc-gateway's default marshaler whose decoder says in plain words
// what is wrong with a request body (the raw protojson errors start with "proto:").
type restMarshaler struct {
	runtime.Marshaler
}

func newRESTMarshaler() runtime.Marshaler {
	return restMarshaler{&runtime.HTTPBodyMarshaler{Marshaler: &runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
	}}}
}

func (m restMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	d := m.Marshaler.NewDecoder(r)
	return runtime.DecoderFunc(func(v any) error {
		err := d.Decode(v)
		switch {
		case err == nil, errors.Is(err, io.EOF):
			return err
		case errors.Is(err, io.ErrUnexpectedEOF):
			return errors.New("the request body is not complete JSON")
		}
		detail := strings.TrimSpace(strings.TrimPrefix(err.Error(), "proto:"))
		return fmt.Errorf("the request body is not valid for this call: %s (amounts are whole numbers of fen; 64-bit numbers may be strings)", detail)
	})
}

// edgeReasons are the reasons of statuses that grpc-gateway makes itself (a body or a
// parameter that does not decode, an unknown route), which carry no ErrorInfo.
var edgeReasons = map[codes.Code]reason.Code{
	codes.InvalidArgument: reason.InvalidRequest,
	codes.NotFound:        reason.NotFound,
	codes.Internal:        reason.Internal,
}
