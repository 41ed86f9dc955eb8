package terminalclient

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

var testSecret = []byte("0123456789abcdef")

// fakeSwitch authenticates T1 and answers pays in order; it holds the answer to the
// first pay until release is closed, after telling got.
type fakeSwitch struct {
	apiv1.UnimplementedTerminalServiceServer
	got     chan struct{}
	release chan struct{}
}

func (f *fakeSwitch) Session(stream apiv1.TerminalService_SessionServer) error {
	req, err := stream.Recv()
	if err != nil {
		return err
	}
	hello := req.GetHello()
	stream.Send(&apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Challenge{Challenge: &apiv1.Challenge{ServerNonce: "sn"}}})
	if req, err = stream.Recv(); err != nil {
		return err
	}
	if req.GetAuthenticate().GetMac() != MAC(testSecret, hello.GetTerminalId(), hello.GetClientNonce(), "sn") {
		return status.Error(codes.Unauthenticated, "no")
	}
	stream.Send(&apiv1.SessionResponse{Msg: &apiv1.SessionResponse_Welcome{Welcome: &apiv1.Welcome{SchoolId: "35001", LastSeq: 7}}})
	pays := 0
	for {
		req, err := stream.Recv()
		if err != nil {
			return nil
		}
		pays++
		if pays == 1 {
			close(f.got)
			<-f.release
		}
		stream.Send(&apiv1.SessionResponse{Msg: &apiv1.SessionResponse_PayResult{PayResult: &apiv1.PayResult{
			Seq: req.GetPay().GetSeq(), Outcome: apiv1.PayResult_OUTCOME_APPROVED, Replayed: pays > 1,
		}}})
	}
}

func startFake(t *testing.T) (*fakeSwitch, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSwitch{got: make(chan struct{}), release: make(chan struct{})}
	srv := grpc.NewServer()
	apiv1.RegisterTerminalServiceServer(srv, f)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return f, lis.Addr().String()
}

func TestLostReplyIsUnknownAndSkipped(t *testing.T) {
	f, addr := startFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Dial(ctx, addr, "T1", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Welcome().GetLastSeq() != 7 {
		t.Fatalf("welcome %v", s.Welcome())
	}

	payCtx, payCancel := context.WithCancel(ctx)
	go func() { <-f.got; payCancel() }()
	_, err = s.Pay(payCtx, &apiv1.Pay{Seq: 1})
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("pay without an answer: %v, want ErrOutcomeUnknown", err)
	}
	close(f.release)
	// The late answer to the first send is skipped; the re-send gets its own.
	r, err := s.Pay(ctx, &apiv1.Pay{Seq: 1})
	if err != nil || r.GetSeq() != 1 || !r.GetReplayed() {
		t.Fatalf("re-send: %v %v, want the replayed answer", r, err)
	}
}

func TestWrongSecret(t *testing.T) {
	_, addr := startFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := Dial(ctx, addr, "T1", []byte("another secret!!")); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("got %v, want Unauthenticated", err)
	}
}

func TestSessionErrorOutcomeUnknown(t *testing.T) {
	err := error(&SessionError{Reason: ReasonOutcomeUnknown})
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatal("OUTCOME_UNKNOWN refusal does not match ErrOutcomeUnknown")
	}
	if errors.Is(&SessionError{Reason: "INVALID_SEQ"}, ErrOutcomeUnknown) {
		t.Fatal("another refusal matches ErrOutcomeUnknown")
	}
}
