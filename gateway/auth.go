package gateway

import (
	"context"
	"crypto/subtle"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/domain/reason"
)

// adminPrefix is the method prefix of the operator API.
const adminPrefix = "/onecode.api.v1.AdminService/"

// The answers of operatorAuth.
var (
	errOperatorAPIDisabled = reason.New(reason.KindPermissionDenied, reason.OperatorAPIDisabled,
		"the operator API is disabled: no operator token is configured")
	errOperatorToken = reason.New(reason.KindUnauthenticated, reason.Unauthenticated, "missing or wrong operator token")
)

// opsPrefix is the method prefix of the operators' ops API.
const opsPrefix = "/onecode.api.v1.OpsService/"

// operatorAuth requires "authorization: Bearer <token>" on the operator API. With no
// token configured the operator API is closed. On the ops API the operator token
// makes the caller the operator; any other bearer is left to sessionAuth (a staff
// or parent session then gets PermissionDenied from app/ops, not Unauthenticated).
func operatorAuth(token string) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if strings.HasPrefix(info.FullMethod, opsPrefix) && token != "" && bearerMatches(ctx, token) {
			return h(access.ContextWithPrincipal(ctx, access.Principal{Kind: access.KindOperator}), req)
		}
		if !strings.HasPrefix(info.FullMethod, adminPrefix) {
			return h(ctx, req)
		}
		if token == "" {
			return nil, ErrorStatus(errOperatorAPIDisabled)
		}
		if !bearerMatches(ctx, token) {
			return nil, ErrorStatus(errOperatorToken)
		}
		return h(access.ContextWithPrincipal(ctx, access.Principal{Kind: access.KindOperator}), req)
	}
}

func bearerMatches(ctx context.Context, token string) bool {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		got, ok := strings.CutPrefix(v, "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1 {
			return true
		}
	}
	return false
}
