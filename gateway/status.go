package gateway

import (
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/onecode/onecode/app/failure"
	"github.com/onecode/onecode/domain/reason"
)

// errorDomain names OneCode in ErrorInfo details.
const errorDomain = "onecode"

// kindCodes maps each kind of failure of the use cases to its gRPC code.
var kindCodes = map[reason.Kind]codes.Code{
	reason.KindInternal:           codes.Internal,
	reason.KindInvalid:            codes.InvalidArgument,
	reason.KindNotFound:           codes.NotFound,
	reason.KindAlreadyExists:      codes.AlreadyExists,
	reason.KindFailedPrecondition: codes.FailedPrecondition,
	reason.KindUnauthenticated:    codes.Unauthenticated,
	reason.KindPermissionDenied:   codes.PermissionDenied,
	reason.KindResourceExhausted:  codes.ResourceExhausted,
	reason.KindUnavailable:        codes.Unavailable,
	reason.KindAborted:            codes.Aborted,
	reason.KindDeadlineExceeded:   codes.DeadlineExceeded,
	reason.KindCanceled:           codes.Canceled,
	reason.KindOutOfRange:         codes.OutOfRange,
}

// Status is a gRPC error with a stable machine reason (an ErrorInfo detail), which the
// REST edge renders as {"error": {"code", "status", "reason", "message"}}.
func Status(code codes.Code, r reason.Code, msg string) error {
	return statusWith(code, r, msg, nil, 0)
}

func statusWith(code codes.Code, r reason.Code, msg string, meta map[string]string, retryAfter time.Duration) error {
	st := status.New(code, msg)
	if r == "" {
		return st.Err()
	}
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: string(r), Domain: errorDomain, Metadata: meta}}
	if retryAfter > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)})
	}
	if withInfo, err := st.WithDetails(details...); err == nil {
		st = withInfo
	}
	return st.Err()
}

// ErrorStatus is the one place where errors become gRPC statuses (and through
// grpc-gateway, HTTP statuses): a status passes as it is; anything else is classified
// into a reason (app/failure) whose kind gives the code. Messages of internal errors
// are not passed on.
func ErrorStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	e := failure.Classify(err)
	code, known := kindCodes[e.Kind]
	if !known || e.Kind == reason.KindInternal {
		return Status(codes.Internal, reason.Internal, "internal error")
	}
	return statusWith(code, e.Code, e.Msg, e.Meta, e.RetryAfter)
}
