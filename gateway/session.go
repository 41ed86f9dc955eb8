package gateway

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	"github.com/onecode/onecode/app/access"
	"github.com/onecode/onecode/domain/reason"
)

// The edge of the access capability (app/access): the interceptors that turn a
// bearer token into the caller's Principal, and the client address rate limits
// key on.

// sessionTokenKey carries the caller's session token (for Logout).
type sessionTokenKey struct{}

// errAuthDisabled: a session API on a member without sessions.
var errAuthDisabled = reason.New(reason.KindUnauthenticated, reason.AuthDisabled, "logins are not configured on this member")

// bearerToken returns the token of "authorization: Bearer <token>".
func bearerToken(ctx context.Context) (string, bool) {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			return strings.TrimSpace(v[7:]), true
		}
	}
	return "", false
}

// The APIs that need a session.
const (
	parentPrefix = "/onecode.api.v1.ParentService/"
	staffPrefix  = "/onecode.api.v1.StaffService/"
	// The fee APIs are two services, one per kind of caller, so that the service
	// name alone decides the session a method needs.
	feeParentPrefix = "/onecode.api.v1.FeeParentService/"
	feeStaffPrefix  = "/onecode.api.v1.FeeStaffService/"
	feeItemPrefix   = "/onecode.api.v1.FeeItemStaffService/"
	feeImportPrefix = "/onecode.api.v1.FeeImportService/" // per-pupil amounts of fee items
	refundPrefix    = "/onecode.api.v1.RefundStaffService/"
	inboxPrefix     = "/onecode.api.v1.ParentNoticesService/"
	wechatPrefix    = "/onecode.api.v1.WeChatService/" // parents' WeChat links
	authLogout      = "/onecode.api.v1.AuthService/Logout"
	authWhoami      = "/onecode.api.v1.AuthService/Whoami"
)

// sessionNeed says which session kind a method needs ("" for none).
func sessionNeed(method string) access.Kind {
	switch {
	case strings.HasPrefix(method, parentPrefix), strings.HasPrefix(method, feeParentPrefix), strings.HasPrefix(method, inboxPrefix), strings.HasPrefix(method, wechatPrefix):
		return access.KindParent
	case strings.HasPrefix(method, staffPrefix), strings.HasPrefix(method, feeStaffPrefix), strings.HasPrefix(method, feeItemPrefix),
		strings.HasPrefix(method, refundPrefix), strings.HasPrefix(method, feeImportPrefix):
		return access.KindStaff
	case method == authLogout, method == authWhoami, strings.HasPrefix(method, opsPrefix):
		return "*"
	}
	return ""
}

// authenticate resolves the session a method needs and returns ctx with
// its principal.
func authenticate(ctx context.Context, s *access.Sessions, method string) (context.Context, error) {
	need := sessionNeed(method)
	if need == "" {
		return ctx, nil
	}
	if p, ok := access.PrincipalFrom(ctx); ok && p.Kind == access.KindOperator && strings.HasPrefix(method, opsPrefix) {
		return ctx, nil // the operator token, checked by operatorAuth
	}
	if s == nil {
		return nil, errAuthDisabled
	}
	token, ok := bearerToken(ctx)
	if !ok {
		return nil, access.ErrUnauthenticated
	}
	p, err := s.Resolve(ctx, token)
	if errors.Is(err, access.ErrNoSession) {
		return nil, access.ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	switch {
	case need == access.KindParent && p.Kind != access.KindParent:
		return nil, access.ErrParentOnly
	case need == access.KindStaff && p.Kind != access.KindStaff:
		return nil, access.ErrStaffOnly
	}
	ctx = context.WithValue(ctx, sessionTokenKey{}, token)
	return access.ContextWithPrincipal(ctx, p), nil
}

// sessionAuth resolves "authorization: Bearer <session token>" on the
// parent and staff APIs and on Logout and Whoami: no or a dead token is
// Unauthenticated, a parent on the staff API (and vice versa)
// PermissionDenied. Other methods pass untouched.
func sessionAuth(sessions *access.Sessions) grpc.UnaryServerInterceptor {
	s := sessions
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		ctx, err := authenticate(ctx, s, info.FullMethod)
		if err != nil {
			return nil, ErrorStatus(err)
		}
		return h(ctx, req)
	}
}

// sessionAuthStream is sessionAuth for streams (none of the session APIs
// streams today; a future one is not left open).
func sessionAuthStream(sessions *access.Sessions) grpc.StreamServerInterceptor {
	s := sessions
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if sessionNeed(info.FullMethod) == "" {
			return h(srv, ss)
		}
		ctx, err := authenticate(ss.Context(), s, info.FullMethod)
		if err != nil {
			return ErrorStatus(err)
		}
		return h(srv, &ctxStream{ServerStream: ss, ctx: ctx})
	}
}

type ctxStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *ctxStream) Context() context.Context { return s.ctx }

// Client addresses. A direct gRPC caller is known by its TCP peer. A REST
// caller reaches gRPC through the in-process gateway, which marks its calls
// with a per-process secret (gatewayMarkKey) and forwards the HTTP peer as
// the last entry of x-forwarded-for (grpc-gateway appends the RemoteAddr;
// a client cannot set that key itself). Only marked calls are believed,
// and with Config.ForwardedHops = n (trusted reverse proxies in front of
// the HTTP port) the n-th entry from the end is the client.
const gatewayMarkKey = "x-onecode-gateway"

type clientIPKey struct{}

// ClientAddr is the caller's address for rate limits: an IP (an IPv6
// address cut to its /64, so that one host's many addresses count once), or
// "unknown".
func ClientAddr(ctx context.Context) string { return rateLimitAddr(ClientIP(ctx)) }

// ClientIP is the caller's full address (IPv4, or the whole IPv6 address), as a
// payment provider is told it (WeChat Pay scene_info.payer_client_ip), or "" when
// not known. Rate limits use ClientAddr.
func ClientIP(ctx context.Context) string {
	if a, ok := ctx.Value(clientIPKey{}).(string); ok {
		return a
	}
	return peerIP(ctx)
}

func peerIP(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		host, _, err := net.SplitHostPort(p.Addr.String())
		if err != nil {
			host = p.Addr.String()
		}
		return fullIP(host)
	}
	return ""
}

// fullIP is s as a canonical IP (an IPv4-mapped IPv6 address as IPv4), or "".
func fullIP(s string) string {
	ip := net.ParseIP(strings.TrimSpace(s))
	if ip == nil {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.String()
}

// rateLimitAddr is the key of an address for rate limits: an IPv4 address as
// is, an IPv6 address's /64, "unknown" when none.
func rateLimitAddr(s string) string {
	ip := net.ParseIP(s)
	if ip == nil {
		return "unknown"
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// forwardedAddr picks the client from x-forwarded-for: the last entry,
// hops entries further left for trusted proxies (its full IP, "" if none).
func forwardedAddr(values []string, hops int) (string, bool) {
	var all []string
	for _, v := range values {
		for e := range strings.SplitSeq(v, ",") {
			all = append(all, strings.TrimSpace(e))
		}
	}
	i := len(all) - 1 - hops
	if i < 0 {
		i = 0
	}
	if len(all) == 0 {
		return "", false
	}
	return fullIP(all[i]), true
}

// clientAddrUnary puts the client's full IP in the context.
func clientAddrUnary(mark string, hops int) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		addr := peerIP(ctx)
		md, _ := metadata.FromIncomingContext(ctx)
		if markMatches(md.Get(gatewayMarkKey), mark) {
			if a, ok := forwardedAddr(md.Get("x-forwarded-for"), hops); ok {
				addr = a
			}
		}
		return h(context.WithValue(ctx, clientIPKey{}, addr), req)
	}
}

func markMatches(values []string, mark string) bool {
	if mark == "" {
		return false
	}
	for _, v := range values {
		if subtle.ConstantTimeCompare([]byte(v), []byte(mark)) == 1 {
			return true
		}
	}
	return false
}

// markOutgoing marks the REST gateway's calls to the gRPC endpoint.
func markOutgoing(mark string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return invoker(metadata.AppendToOutgoingContext(ctx, gatewayMarkKey, mark), method, req, reply, cc, opts...)
	}
}
