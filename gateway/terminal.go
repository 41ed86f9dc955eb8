package gateway

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/catalog"
	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/domain/reason"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Bounds of a terminal stream.
const (
	// terminalAuthTimeout bounds the handshake from the stream's start to Welcome.
	terminalAuthTimeout = 10 * time.Second
	// terminalInFlight bounds the requests handed to the session actor and not yet
	// answered; beyond it the stream stops reading (gRPC flow control pushes back).
	terminalInFlight = 8
	// terminalOutbox bounds the responses waiting for the sender: at most a push and an
	// answer per request in flight, plus slack.
	terminalOutbox = 2*terminalInFlight + 4
	// terminalCallTimeout bounds one directory call; terminalPayTimeout one account command.
	terminalCallTimeout = 5 * time.Second
	// terminalStatusEvery is how often an open session re-reads its terminal's status.
	terminalStatusEvery = 2 * time.Second
	terminalPayTimeout  = 15 * time.Second
	serverNonceBytes    = 32
	minClientNonceBytes = 16
	maxClientNonceBytes = 64
)

// terminalMACLabel prefixes the signed handshake text (see terminal.proto).
const terminalMACLabel = "onecode-terminal-v1\n"

// errTerminalAuth is the one answer to every failed handshake: unknown terminal,
// disabled terminal and bad MAC look the same to the client.
var errTerminalAuth = ErrorStatus(reason.New(reason.KindUnauthenticated, reason.Unauthenticated, "terminal authentication failed"))

// terminalService serves TerminalService: one TerminalSession actor per stream.
type terminalService struct {
	apiv1.UnimplementedTerminalServiceServer
	deps        Deps
	catalog     *catalog.Service
	system      *actor.ActorSystem
	sessionDeps *actors.TerminalSessionDeps
	seqs        *actors.TerminalSeqs
	authTimeout time.Duration
}

// NewTerminalService returns the terminal stream service. Sessions are plain actors of
// system; account commands go through deps.Accounts.
func NewTerminalService(deps Deps, system *actor.ActorSystem) apiv1.TerminalServiceServer {
	return newTerminalService(deps, system, terminalAuthTimeout)
}

func newTerminalService(deps Deps, system *actor.ActorSystem, authTimeout time.Duration) *terminalService {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Rand == nil {
		deps.Rand = rand.Reader
	}
	seqs := actors.NewTerminalSeqs()
	sessionDeps := deps.TerminalSessions()
	sessionDeps.CallTimeout, sessionDeps.PayTimeout, sessionDeps.Seqs = terminalCallTimeout, terminalPayTimeout, seqs
	return &terminalService{
		deps: deps, catalog: deps.Catalog(), system: system, seqs: seqs, authTimeout: authTimeout,
		sessionDeps: sessionDeps,
	}
}

// received is one Recv result of the reader goroutine.
type received struct {
	req *apiv1.SessionRequest
	err error
}

// Session runs one terminal stream. This goroutine is the only sender; a reader
// goroutine feeds it, and the session actor answers through the bounded outbox.
func (s *terminalService) Session(stream apiv1.TerminalService_SessionServer) error {
	ctx, cancel := context.WithCancelCause(stream.Context())
	defer cancel(nil)
	in := make(chan received)
	go func() {
		for {
			req, err := stream.Recv()
			select {
			case in <- received{req, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	id, err := s.handshake(ctx, stream, in)
	if err != nil {
		return err
	}
	s.deps.Logger.Info("terminal session started", slog.String("terminal", id.TerminalID))
	go s.watchStatus(ctx, id.TerminalID, cancel)
	defer s.deps.Logger.Info("terminal session ended", slog.String("terminal", id.TerminalID))
	defer s.deps.Terminals.Disconnected(id.TerminalID)

	out := make(chan *apiv1.SessionResponse, terminalOutbox)
	emit := func(r *apiv1.SessionResponse) {
		notePay(s.deps.Terminals, id.TerminalID, r.GetPayResult())
		if r.GetPayResult().GetOutcome() == apiv1.PayResult_OUTCOME_DECLINED && !r.GetPayResult().GetReplayed() {
			s.deps.TerminalAccess.Declined(id.TerminalID, id.SchoolID, r.GetPayResult().GetReason())
		}
		select {
		case out <- r:
		case <-ctx.Done():
		}
	}
	pid := s.system.Root.Spawn(actors.NewTerminalSessionProps(s.sessionDeps, id, emit))
	defer s.system.Root.Stop(pid)
	if hub := s.deps.Revocations; hub != nil {
		// Pushed without blocking the publisher (an account grain): a terminal whose
		// outbox is full misses the push, never a payment decision.
		cancelSub := hub.Subscribe(id.SchoolID, func(r actors.Revocation) {
			select {
			case out <- revokedPush(r):
			default:
			}
		})
		defer cancelSub()
	}
	return s.relay(ctx, stream, in, out, pid, id.TerminalID)
}

// notePay tells the operators' board of a first answer to a pay (not a replay).
func notePay(b *ops.Board, terminalID string, r *apiv1.PayResult) {
	switch {
	case r == nil || r.GetReplayed():
	case r.GetOutcome() == apiv1.PayResult_OUTCOME_APPROVED:
		b.NotePay(terminalID, true, r.GetAmountFen(), "")
	case r.GetOutcome() == apiv1.PayResult_OUTCOME_DECLINED:
		b.NotePay(terminalID, false, 0, r.GetReason())
	}
}

// relay hands requests to the actor (at most terminalInFlight unanswered) and sends its
// responses, until the terminal closes its side and every answer is out.
func (s *terminalService) relay(ctx context.Context, stream apiv1.TerminalService_SessionServer,
	in <-chan received, out <-chan *apiv1.SessionResponse, pid *actor.PID, terminalID string) error {
	done := make(chan struct{}, terminalInFlight)
	release := func() { done <- struct{}{} }
	inflight, closed := 0, false
	for {
		if closed && inflight == 0 {
			for {
				select {
				case r := <-out:
					if err := stream.Send(r); err != nil {
						return err
					}
				default:
					return nil
				}
			}
		}
		recv := in
		if closed || inflight >= terminalInFlight {
			recv = nil
		}
		select {
		case r := <-recv:
			if errors.Is(r.err, io.EOF) {
				closed = true
				continue
			}
			if r.err != nil {
				return r.err
			}
			inflight++
			s.deps.Terminals.Seen(terminalID)
			s.system.Root.Send(pid, &actors.SessionInput{Request: r.req, Done: release})
		case <-done:
			inflight--
		case r := <-out:
			if err := stream.Send(r); err != nil {
				return err
			}
		case <-ctx.Done():
			if cause := context.Cause(ctx); errors.Is(cause, errTerminalDisabled) {
				return cause
			}
			return ctx.Err()
		}
	}
}

// errTerminalDisabled ends the open session of a terminal that staff disabled (or
// that was removed).
var errTerminalDisabled = ErrorStatus(reason.New(reason.KindUnauthenticated, reason.TerminalDisabled, "this terminal has been disabled"))

// watchStatus re-reads the terminal's status every terminalStatusEvery and ends the
// session once the terminal is disabled: a stolen terminal stops taking money within
// seconds, not at its next reconnect. A failing read keeps the session (the directory
// may be briefly away; payments still go through the account grains).
func (s *terminalService) watchStatus(ctx context.Context, terminalID string, cancel context.CancelCauseFunc) {
	t := time.NewTicker(terminalStatusEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cctx, done := context.WithTimeout(ctx, terminalCallTimeout)
		enabled, err := s.catalog.Enabled(cctx, terminalID)
		done()
		if err == nil && !enabled {
			s.deps.Logger.Info("terminal session cut: terminal disabled", slog.String("terminal", terminalID))
			cancel(errTerminalDisabled)
			return
		}
	}
}

// handshake runs Hello → Challenge → Authenticate → Welcome within authTimeout.
func (s *terminalService) handshake(ctx context.Context, stream apiv1.TerminalService_SessionServer, in <-chan received) (actors.TerminalIdentity, error) {
	timer := time.NewTimer(s.authTimeout)
	defer timer.Stop()
	next := func() (*apiv1.SessionRequest, error) {
		select {
		case r := <-in:
			if r.err != nil {
				return nil, r.err
			}
			return r.req, nil
		case <-timer.C:
			return nil, ErrorStatus(reason.New(reason.KindUnauthenticated, reason.AuthTimeout, "no authentication in time"))
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	req, err := next()
	if err != nil {
		return actors.TerminalIdentity{}, err
	}
	hello := req.GetHello()
	if hello == nil || !validClientNonce(hello.GetClientNonce()) {
		s.authFailed(hello.GetTerminalId(), "no Hello with a valid client nonce first")
		return actors.TerminalIdentity{}, errTerminalAuth
	}
	nonce := make([]byte, serverNonceBytes)
	if _, err := io.ReadFull(s.deps.Rand, nonce); err != nil {
		return actors.TerminalIdentity{}, ErrorStatus(reason.New(reason.KindUnavailable, reason.Unavailable, "no randomness: retry"))
	}
	serverNonce := hex.EncodeToString(nonce)
	if err := stream.Send(&apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Challenge{Challenge: &apiv1.Challenge{ServerNonce: serverNonce}}}); err != nil {
		return actors.TerminalIdentity{}, err
	}
	if req, err = next(); err != nil {
		return actors.TerminalIdentity{}, err
	}
	auth := req.GetAuthenticate()
	if auth == nil {
		s.authFailed(hello.GetTerminalId(), "no Authenticate after the challenge")
		return actors.TerminalIdentity{}, errTerminalAuth
	}
	t, err := s.verify(ctx, hello, serverNonce, auth.GetMac())
	if err != nil {
		return actors.TerminalIdentity{}, err
	}
	id, err := s.welcome(ctx, stream, t)
	if err == nil {
		s.deps.Terminals.Connected(t.ID, t.SchoolID, t.CanteenID, hello.GetSoftware())
	}
	return id, err
}

// verify checks the MAC against the terminal's stored key. Every failure is
// errTerminalAuth; the reason goes to the log only.
func (s *terminalService) verify(ctx context.Context, hello *apiv1.Hello, serverNonce, mac string) (catalog.Terminal, error) {
	cctx, cancel := context.WithTimeout(ctx, terminalCallTimeout)
	defer cancel()
	t, known, err := s.catalog.Authenticating(cctx, hello.GetTerminalId())
	if err != nil {
		return t, ErrorStatus(err)
	}
	key := t.SecretHash
	if !known {
		key = make([]byte, catalog.MinSecretLen) // same work for unknown terminals
	}
	want := TerminalMAC(key, hello.GetTerminalId(), hello.GetClientNonce(), serverNonce)
	macOK := subtle.ConstantTimeCompare([]byte(want), []byte(mac)) == 1
	switch {
	case !known:
		s.authFailed(hello.GetTerminalId(), "unknown terminal")
	case t.Status != catalog.TerminalActive:
		s.authFailed(t.ID, "terminal disabled")
		s.deps.TerminalAccess.Failed(t.ID, t.SchoolID, ops.AccessDisabled)
	case !macOK:
		s.authFailed(t.ID, "bad MAC")
		s.deps.TerminalAccess.Failed(t.ID, t.SchoolID, ops.AccessBadMAC)
	default:
		return t, nil
	}
	return t, errTerminalAuth
}

func (s *terminalService) authFailed(terminalID, reason string) {
	s.deps.Logger.Warn("terminal authentication failed",
		slog.String("terminal", truncate(terminalID, catalog.MaxIDLen)), slog.String("reason", reason))
	kind, ok := authFailureKinds[reason]
	if !ok {
		kind = "protocol"
	}
	s.deps.Business.NoteTerminalAuthFailure(kind)
	if kind != "disabled" && kind != "bad_mac" { // those are counted with their school by verify
		s.deps.TerminalAccess.Failed(terminalID, "", kind)
	}
}

// authFailureKinds name the reasons of authFailed for the metric's label (one of
// actors.AuthFailureKinds; a handshake out of order is "protocol").
var authFailureKinds = map[string]string{"unknown terminal": "unknown_terminal", "terminal disabled": "disabled", "bad MAC": "bad_mac"}

// welcome reads what the terminal is told and sends Welcome.
func (s *terminalService) welcome(ctx context.Context, stream apiv1.TerminalService_SessionServer, t catalog.Terminal) (actors.TerminalIdentity, error) {
	cctx, cancel := context.WithTimeout(ctx, terminalCallTimeout)
	defer cancel()
	canteenName, version, err := s.catalog.Welcome(cctx, t)
	if err != nil {
		return actors.TerminalIdentity{}, ErrorStatus(err)
	}
	id := actors.TerminalIdentity{
		TerminalID: t.ID, SchoolID: t.SchoolID, CanteenID: t.CanteenID,
		CanOverride: t.CanOverride, CatalogVersion: version,
	}
	// last_seq is best effort: the highest seq this process committed for the terminal,
	// 0 when unknown (another member, a restart). Terminals keep their own seq and
	// continue above max(their own, last_seq).
	w := &apiv1.Welcome{
		SchoolId: t.SchoolID, CanteenId: t.CanteenID, CanteenName: canteenName,
		CatalogVersion: version, LastSeq: s.seqs.Last(t.ID),
	}
	if err := stream.Send(&apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Welcome{Welcome: w}}); err != nil {
		return id, err
	}
	return id, nil
}

// TerminalMAC is the handshake MAC of terminal.proto: lowercase hex of
// HMAC-SHA256(key, "onecode-terminal-v1\n" + terminal_id + "\n" + client_nonce + "\n" + server_nonce).
func TerminalMAC(key []byte, terminalID, clientNonce, serverNonce string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s%s\n%s\n%s", terminalMACLabel, terminalID, clientNonce, serverNonce)
	return hex.EncodeToString(m.Sum(nil))
}

func validClientNonce(n string) bool {
	if len(n) < 2*minClientNonceBytes || len(n) > 2*maxClientNonceBytes {
		return false
	}
	_, err := hex.DecodeString(n)
	return err == nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func revokedPush(r actors.Revocation) *apiv1.SessionResponse {
	return &apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Push{Push: &apiv1.Push{
		Msg: &apiv1.Push_CardRevoked{CardRevoked: &apiv1.CardRevoked{AccountRef: r.AccountRef, Generation: r.Generation}},
	}}}
}
