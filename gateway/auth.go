package gateway

import (
	"context"
	"crypto/subtle"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
)

// adminPrefix is the method prefix of the operator API.
const adminPrefix = "/onecode.api.v1.AdminService/"

// operatorAuth requires "authorization: Bearer <token>" on the operator API. With no
// token configured the operator API is closed.
func operatorAuth(token string) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if !strings.HasPrefix(info.FullMethod, adminPrefix) {
			return h(ctx, req)
		}
		if token == "" {
			return nil, Status(codes.PermissionDenied, "OPERATOR_API_DISABLED", "the operator API is disabled: no operator token is configured")
		}
		if !bearerMatches(ctx, token) {
			return nil, Status(codes.Unauthenticated, "UNAUTHENTICATED", "missing or wrong operator token")
		}
		return h(ContextWithPrincipal(ctx, Principal{Kind: KindOperator}), req)
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
