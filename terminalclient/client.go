package terminalclient

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/onecode/onecode/domain/reason"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Software is what Hello reports unless Options says otherwise.
const Software = "onecode-terminalclient/1"

// ReasonOutcomeUnknown is the SessionError reason asking to re-send the same seq.
const ReasonOutcomeUnknown = string(reason.OutcomeUnknown)

const (
	clientNonceBytes = 16
	macLabel         = "onecode-terminal-v1\n"
	responseBuffer   = 16
	pushBuffer       = 16
)

var (
	// ErrOutcomeUnknown: a Pay or VoidSale may or may not have been applied (no answer
	// arrived, or the switch said so). Re-send it with the same seq, on this session
	// or a new one: the switch answers the first outcome.
	ErrOutcomeUnknown = errors.New("terminalclient: outcome unknown, re-send the same seq")
	// ErrClosed: the session stream has ended; dial again.
	ErrClosed = errors.New("terminalclient: session closed")
	// ErrProtocol: the switch answered with an unexpected message.
	ErrProtocol = errors.New("terminalclient: unexpected response")
)

// SessionError is a request the switch refused without closing the session.
type SessionError struct {
	Reason  string
	Message string
}

func (e *SessionError) Error() string {
	return fmt.Sprintf("switch refused: %s: %s", e.Reason, e.Message)
}

// Is makes an OUTCOME_UNKNOWN refusal match ErrOutcomeUnknown.
func (e *SessionError) Is(target error) bool {
	return target == ErrOutcomeUnknown && e.Reason == ReasonOutcomeUnknown
}

// Session is one authenticated terminal stream.
type Session struct {
	conn    *grpc.ClientConn // owned, closed by Close; nil with Open
	cancel  context.CancelFunc
	stream  apiv1.TerminalService_SessionClient
	welcome *apiv1.Welcome

	responses chan *apiv1.SessionResponse
	pushes    chan *apiv1.Push
	done      chan struct{}
	errMu     sync.Mutex
	err       error
	// abandoned counts answers of requests whose caller gave up; they are skipped.
	abandoned int
}

// Dial connects to addr (plaintext gRPC) and authenticates as terminalID with the
// device secret.
func Dial(ctx context.Context, addr, terminalID string, secret []byte) (*Session, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("terminalclient: dial %s: %w", addr, err)
	}
	s, err := Open(ctx, conn, terminalID, secret)
	if err != nil {
		conn.Close()
		return nil, err
	}
	s.conn = conn
	return s, nil
}

// Open authenticates a session on an existing connection (many sessions may share
// one, as a load generator does). Close leaves the connection open.
func Open(ctx context.Context, conn grpc.ClientConnInterface, terminalID string, secret []byte) (*Session, error) {
	sctx, cancel := context.WithCancel(context.Background())
	stream, err := apiv1.NewTerminalServiceClient(conn).Session(sctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("terminalclient: open stream: %w", err)
	}
	// ctx bounds the handshake only: the stream lives until Close.
	stop := context.AfterFunc(ctx, cancel)
	w, err := handshake(stream, terminalID, secret)
	if !stop() || err != nil {
		cancel()
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("terminalclient: handshake: %w", err)
	}
	s := &Session{
		cancel: cancel, stream: stream, welcome: w,
		responses: make(chan *apiv1.SessionResponse, responseBuffer),
		pushes:    make(chan *apiv1.Push, pushBuffer),
		done:      make(chan struct{}),
	}
	go s.read()
	return s, nil
}

func handshake(stream apiv1.TerminalService_SessionClient, terminalID string, secret []byte) (*apiv1.Welcome, error) {
	nonce := make([]byte, clientNonceBytes)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	clientNonce := hex.EncodeToString(nonce)
	if err := stream.Send(&apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Hello{Hello: &apiv1.Hello{
		TerminalId: terminalID, ClientNonce: clientNonce, Software: Software,
	}}}); err != nil {
		return nil, recvCause(stream, err)
	}
	resp, err := stream.Recv()
	if err != nil {
		return nil, err
	}
	ch := resp.GetChallenge()
	if ch == nil {
		return nil, fmt.Errorf("%w: %T instead of a challenge", ErrProtocol, resp.GetMsg())
	}
	mac := MAC(secret, terminalID, clientNonce, ch.GetServerNonce())
	if err := stream.Send(&apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Authenticate{Authenticate: &apiv1.Authenticate{Mac: mac}}}); err != nil {
		return nil, recvCause(stream, err)
	}
	if resp, err = stream.Recv(); err != nil {
		return nil, err
	}
	w := resp.GetWelcome()
	if w == nil {
		return nil, fmt.Errorf("%w: %T instead of welcome", ErrProtocol, resp.GetMsg())
	}
	return w, nil
}

// recvCause returns the stream's real error after a failed Send (which reports io.EOF).
func recvCause(stream apiv1.TerminalService_SessionClient, sendErr error) error {
	if errors.Is(sendErr, io.EOF) {
		if _, err := stream.Recv(); err != nil {
			return err
		}
	}
	return sendErr
}

// MAC is the handshake MAC of terminal.proto: lowercase hex of HMAC-SHA256(secret,
// "onecode-terminal-v1\n" + terminal_id + "\n" + client_nonce + "\n" + server_nonce).
func MAC(secret []byte, terminalID, clientNonce, serverNonce string) string {
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, macLabel+terminalID+"\n"+clientNonce+"\n"+serverNonce)
	return hex.EncodeToString(m.Sum(nil))
}

// read routes pushes to Pushes and answers to the caller, until the stream ends.
func (s *Session) read() {
	defer close(s.done)
	fail := func(err error) {
		if errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w: %w", ErrClosed, err)
		}
		s.errMu.Lock()
		s.err = err
		s.errMu.Unlock()
	}
	for {
		resp, err := s.stream.Recv()
		if err != nil {
			fail(err)
			return
		}
		if p := resp.GetPush(); p != nil {
			select {
			case s.pushes <- p:
			default: // nobody reads pushes: drop rather than stall the answers
			}
			continue
		}
		select {
		case s.responses <- resp:
		case <-s.stream.Context().Done():
			fail(s.stream.Context().Err())
			return
		}
	}
}

// Err is why the stream ended, nil while it runs.
func (s *Session) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Welcome is what the switch said on authentication.
func (s *Session) Welcome() *apiv1.Welcome { return s.welcome }

// Pushes delivers CardRevoked and CatalogChanged pushes (buffered; dropped when full).
func (s *Session) Pushes() <-chan *apiv1.Push { return s.pushes }

// Close ends the session (and the connection made by Dial).
func (s *Session) Close() error {
	_ = s.stream.CloseSend()
	s.cancel()
	if s.conn != nil {
		return s.conn.Close()
	}
	return nil
}

// do sends one request and returns its answer (answers come in request order). sent
// reports whether the request may have reached the switch.
func (s *Session) do(ctx context.Context, req *apiv1.SessionRequest) (resp *apiv1.SessionResponse, sent bool, err error) {
	for s.abandoned > 0 {
		select {
		case <-s.responses:
			s.abandoned--
		case <-s.done:
			return nil, false, s.Err()
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
	if err := s.stream.Send(req); err != nil {
		<-s.done
		return nil, true, s.Err()
	}
	select {
	case resp = <-s.responses:
	case <-s.done:
		// The reader may have queued the answer just before the stream ended.
		select {
		case resp = <-s.responses:
		default:
			return nil, true, s.Err()
		}
	case <-ctx.Done():
		s.abandoned++
		return nil, true, ctx.Err()
	}
	if e := resp.GetError(); e != nil {
		return nil, true, &SessionError{Reason: e.GetReason(), Message: e.GetMessage()}
	}
	return resp, true, nil
}

// Scan adds a dish to the session cart; a rejected barcode is reported in the Cart.
func (s *Session) Scan(ctx context.Context, barcode string, qty int32) (*apiv1.Cart, error) {
	return s.cart(ctx, &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_ScanDish{ScanDish: &apiv1.ScanDish{Barcode: barcode, Qty: qty}}})
}

// Clear empties the session cart.
func (s *Session) Clear(ctx context.Context) (*apiv1.Cart, error) {
	return s.cart(ctx, &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_ClearCart{ClearCart: &apiv1.ClearCart{}}})
}

func (s *Session) cart(ctx context.Context, req *apiv1.SessionRequest) (*apiv1.Cart, error) {
	resp, _, err := s.do(ctx, req)
	if err != nil {
		return nil, err
	}
	if c := resp.GetCart(); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("%w: %T instead of a cart", ErrProtocol, resp.GetMsg())
}

// Pay charges lines (or the session cart) to a card. An error matching
// ErrOutcomeUnknown means: re-send the same Pay (same seq, same lines).
func (s *Session) Pay(ctx context.Context, p *apiv1.Pay) (*apiv1.PayResult, error) {
	resp, sent, err := s.do(ctx, &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Pay{Pay: p}})
	if err != nil {
		return nil, unknownIfSent(sent, err)
	}
	if r := resp.GetPayResult(); r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("%w: %T instead of a pay result", ErrProtocol, resp.GetMsg())
}

// Void reverses the approved Pay paySeq of this terminal, as request seq.
func (s *Session) Void(ctx context.Context, seq, paySeq uint64) (*apiv1.VoidResult, error) {
	resp, sent, err := s.do(ctx, &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_VoidSale{VoidSale: &apiv1.VoidSale{Seq: seq, PaySeq: paySeq}}})
	if err != nil {
		return nil, unknownIfSent(sent, err)
	}
	if r := resp.GetVoidResult(); r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("%w: %T instead of a void result", ErrProtocol, resp.GetMsg())
}

// Heartbeat reports the terminal clock (unix ms) and returns the switch's answer.
func (s *Session) Heartbeat(ctx context.Context, unixMs int64) (*apiv1.HeartbeatAck, error) {
	resp, _, err := s.do(ctx, &apiv1.SessionRequest{Msg: &apiv1.SessionRequest_Heartbeat{Heartbeat: &apiv1.Heartbeat{UnixMs: unixMs}}})
	if err != nil {
		return nil, err
	}
	if a := resp.GetHeartbeatAck(); a != nil {
		return a, nil
	}
	return nil, fmt.Errorf("%w: %T instead of a heartbeat ack", ErrProtocol, resp.GetMsg())
}

// unknownIfSent: a money request that may have reached the switch and got no answer has
// an unknown outcome. Refusals other than OUTCOME_UNKNOWN are definite.
func unknownIfSent(sent bool, err error) error {
	var se *SessionError
	if errors.As(err, &se) || !sent || errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
}
