package aggregator_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/onecode/onecode/gateway/aggregator"
)

// fake is a scripted aggregator: it checks the merchant signature, counts hits and
// answers with behave.
type fake struct {
	hits   atomic.Int64
	behave atomic.Value // func(w, r)
}

func newFake(t *testing.T, behave func(http.ResponseWriter, *http.Request)) (*fake, *httptest.Server) {
	t.Helper()
	s := keys(t).set
	f := &fake{}
	f.behave.Store(behave)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		a, err := aggregator.ParseAuthorization(r.Header.Get("Authorization"))
		if err == nil {
			var body []byte
			body, err = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if err == nil {
				err = aggregator.VerifyRequest(&s.MerchantKey.PublicKey, a, r.Method, r.RequestURI, body, time.Now())
			}
		}
		if err != nil {
			t.Errorf("merchant signature: %v", err)
			writeError(w, http.StatusUnauthorized, aggregator.CodeSignError)
			return
		}
		f.behave.Load().(func(http.ResponseWriter, *http.Request))(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func newClient(t *testing.T, url string, timeout time.Duration, openFor time.Duration) *aggregator.Client {
	t.Helper()
	c, err := aggregator.NewClient(aggregator.Config{
		BaseURL: url, Keys: keys(t).merchantKeys, CallTimeout: timeout,
		Breaker: aggregator.BreakerSettings{MaxRequests: 1, Interval: time.Minute, Timeout: openFor,
			ConsecutiveFailures: 3, FailurePercent: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// status answers an unsigned error, as WeChat Pay does.
func status(code int, body aggregator.ErrorBody, _ *testing.T) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { writeError(w, code, body.Code) }
}

func paidOrder(t *testing.T) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeSigned(t, w, keys(t).set.PlatformKey, 200, aggregator.Transaction{OutTradeNo: "R000000001", TradeState: aggregator.StateSuccess,
			TransactionID: "4200000001", Amount: aggregator.TransactionAmount{Total: 100}})
	}
}

func TestBreakerCountsOnlyTemporaryFailures(t *testing.T) {
	sleep := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	}
	cases := []struct {
		name     string
		behave   func(*testing.T) func(http.ResponseWriter, *http.Request)
		wantErr  error
		wantOpen bool
	}{
		{"500", func(t *testing.T) func(http.ResponseWriter, *http.Request) {
			return status(500, aggregator.ErrorBody{Code: aggregator.CodeSystemError}, t)
		}, aggregator.ErrTemporary, true},
		{"503 unsigned", func(*testing.T) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }
		}, aggregator.ErrTemporary, true},
		{"429", func(t *testing.T) func(http.ResponseWriter, *http.Request) {
			return status(429, aggregator.ErrorBody{Code: aggregator.CodeFrequencyLimited}, t)
		}, aggregator.ErrTemporary, true},
		{"timeout", func(*testing.T) func(http.ResponseWriter, *http.Request) { return sleep }, context.DeadlineExceeded, true},
		{"ORDER_PAID", func(t *testing.T) func(http.ResponseWriter, *http.Request) {
			return status(400, aggregator.ErrorBody{Code: aggregator.CodeOrderPaid}, t)
		}, aggregator.ErrOrderPaid, false},
		{"ORDER_CLOSED", func(t *testing.T) func(http.ResponseWriter, *http.Request) {
			return status(400, aggregator.ErrorBody{Code: aggregator.CodeOrderClosed}, t)
		}, aggregator.ErrOrderClosed, false},
		{"ORDER_NOT_EXIST", func(t *testing.T) func(http.ResponseWriter, *http.Request) {
			return status(404, aggregator.ErrorBody{Code: aggregator.CodeOrderNotExist}, t)
		}, aggregator.ErrNotFound, false},
		{"INVALID_REQUEST", func(t *testing.T) func(http.ResponseWriter, *http.Request) {
			return status(400, aggregator.ErrorBody{Code: aggregator.CodeInvalidRequest}, t)
		}, aggregator.ErrInvalidRequest, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, srv := newFake(t, c.behave(t))
			// A short call timeout only where the timeout is the case: elsewhere
			// a loaded machine must not turn an answer into a timeout.
			timeout := 5 * time.Second
			if c.wantErr == context.DeadlineExceeded {
				timeout = 50 * time.Millisecond
			}
			cl := newClient(t, srv.URL, timeout, time.Minute)
			const n = 6
			for i := range n {
				_, err := cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001")
				if i < 3 || !c.wantOpen {
					if !errors.Is(err, c.wantErr) {
						t.Fatalf("call %d error = %v, want %v", i, err, c.wantErr)
					}
					continue
				}
				if !errors.Is(err, aggregator.ErrUnavailable) {
					t.Fatalf("call %d error = %v, want ErrUnavailable", i, err)
				}
			}
			wantHits, wantState := int64(n), gobreaker.StateClosed
			if c.wantOpen {
				wantHits, wantState = 3, gobreaker.StateOpen
			}
			if got := f.hits.Load(); got != wantHits {
				t.Errorf("aggregator hits = %d, want %d", got, wantHits)
			}
			if got := cl.BreakerState(aggregator.OpQuery); got != wantState {
				t.Errorf("query breaker = %v, want %v", got, wantState)
			}
			if got := cl.BreakerState(aggregator.OpCreate); got != gobreaker.StateClosed {
				t.Errorf("create breaker = %v, want closed (breakers are per operation)", got)
			}
		})
	}
}

func TestOpenBreakerFailsFast(t *testing.T) {
	// Three 5xx answers open the breaker (timeouts count alike: see the
	// classification test); the next call fails at once, without calling out.
	f, srv := newFake(t, status(503, aggregator.ErrorBody{Code: aggregator.CodeSystemError}, t))
	cl := newClient(t, srv.URL, 5*time.Second, time.Minute)
	for range 3 {
		if _, err := cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001"); !errors.Is(err, aggregator.ErrTemporary) {
			t.Fatalf("query against a failing aggregator = %v, want ErrTemporary", err)
		}
	}
	_, err := cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001")
	if !errors.Is(err, aggregator.ErrUnavailable) {
		t.Fatalf("error = %v, want ErrUnavailable", err)
	}
	if got := f.hits.Load(); got != 3 {
		t.Errorf("hits = %d, want 3: the query with the breaker open must not reach the aggregator", got)
	}
}

func TestBreakerHalfOpenRecovery(t *testing.T) {
	fail := status(500, aggregator.ErrorBody{Code: aggregator.CodeSystemError}, t)
	f, srv := newFake(t, fail)
	cl := newClient(t, srv.URL, time.Second, 100*time.Millisecond)
	trip := func() {
		for range 3 {
			_, _ = cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001")
		}
		if got := cl.BreakerState(aggregator.OpQuery); got != gobreaker.StateOpen {
			t.Fatalf("breaker = %v, want open", got)
		}
	}
	trip()
	time.Sleep(120 * time.Millisecond)
	if got := cl.BreakerState(aggregator.OpQuery); got != gobreaker.StateHalfOpen {
		t.Fatalf("after Timeout breaker = %v, want half-open", got)
	}
	// A failed probe opens it again.
	if _, err := cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001"); !errors.Is(err, aggregator.ErrTemporary) {
		t.Fatalf("probe error = %v", err)
	}
	if got := cl.BreakerState(aggregator.OpQuery); got != gobreaker.StateOpen {
		t.Fatalf("after failed probe breaker = %v, want open", got)
	}
	// The aggregator recovers; the next probe closes it.
	f.behave.Store(paidOrder(t))
	time.Sleep(120 * time.Millisecond)
	o, err := cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001")
	if err != nil || o.TradeState != aggregator.StateSuccess {
		t.Fatalf("probe = %+v, %v", o, err)
	}
	if got := cl.BreakerState(aggregator.OpQuery); got != gobreaker.StateClosed {
		t.Fatalf("after good probe breaker = %v, want closed", got)
	}
}

func createReq() aggregator.PrepayRequest {
	return aggregator.PrepayRequest{OutTradeNo: "R000000001", Amount: aggregator.Amount{Total: 5000, Currency: "CNY"}, Description: "recharge",
		NotifyURL: "http://127.0.0.1:1/notify", TimeExpire: aggregator.FormatTime(time.Now().Add(15 * time.Minute)),
		SceneInfo: &aggregator.SceneInfo{PayerClientIP: "127.0.0.1", H5Info: &aggregator.H5Info{Type: "Wap"}}}
}

func TestCreateOutcomeUnknown(t *testing.T) {
	cases := []struct {
		name   string
		behave func(http.ResponseWriter, *http.Request)
	}{
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(time.Second):
			case <-r.Context().Done():
			}
		}},
		{"500", status(500, aggregator.ErrorBody{Code: aggregator.CodeSystemError}, t)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, srv := newFake(t, c.behave)
			cl := newClient(t, srv.URL, 50*time.Millisecond, time.Minute)
			_, err := cl.Prepay(context.Background(), keys(t).merchant, aggregator.TradeH5, createReq())
			if !errors.Is(err, aggregator.ErrOutcomeUnknown) || !errors.Is(err, aggregator.ErrTemporary) {
				t.Fatalf("create error = %v, want ErrOutcomeUnknown and ErrTemporary", err)
			}
			if c.name == "timeout" && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("create error = %v, want it to wrap context.DeadlineExceeded", err)
			}
			// A query failing the same way is temporary but not "outcome unknown".
			_, err = cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001")
			if errors.Is(err, aggregator.ErrOutcomeUnknown) || !errors.Is(err, aggregator.ErrTemporary) {
				t.Fatalf("query error = %v, want ErrTemporary only", err)
			}
		})
	}
}

func TestCallerDeadlineAndCancel(t *testing.T) {
	queried := make(chan struct{}, 16)
	_, srv := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			queried <- struct{}{}
		}
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	})
	cl := newClient(t, srv.URL, 10*time.Second, time.Minute)
	// The caller's shorter deadline wins over CallTimeout.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := cl.Prepay(ctx, keys(t).merchant, aggregator.TradeH5, createReq())
	if !errors.Is(err, aggregator.ErrOutcomeUnknown) || time.Since(start) > 5*time.Second { // far below CallTimeout (10 s)
		t.Fatalf("create = %v after %v", err, time.Since(start))
	}
	// A caller that gives up says nothing about the aggregator: not counted.
	// Each query is cancelled once the aggregator has it, so all five reach it.
	for i := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-queried:
			case <-time.After(10 * time.Second):
				t.Errorf("query %d never reached the aggregator", i)
			}
			cancel()
		}()
		if _, err := cl.QueryOrder(ctx, keys(t).merchant, "R000000001"); !errors.Is(err, context.Canceled) {
			t.Fatalf("canceled query = %v", err)
		}
	}
	if got := cl.BreakerState(aggregator.OpQuery); got != gobreaker.StateClosed {
		t.Fatalf("breaker after caller cancels = %v, want closed", got)
	}
}

func TestForgedAnswerRejected(t *testing.T) {
	_, srv := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		writeSigned(t, w, keys(t).otherKey, 200, aggregator.Transaction{OutTradeNo: "R000000001", TradeState: aggregator.StateSuccess,
			TransactionID: "4200000001", Amount: aggregator.TransactionAmount{Total: 100}})
	})
	cl := newClient(t, srv.URL, time.Second, time.Minute)
	if _, err := cl.QueryOrder(context.Background(), keys(t).merchant, "R000000001"); !errors.Is(err, aggregator.ErrBadSignature) {
		t.Fatalf("query of forged answer = %v, want ErrBadSignature", err)
	}
}

func TestClientRejectsBadInputLocally(t *testing.T) {
	f, srv := newFake(t, paidOrder(t))
	cl := newClient(t, srv.URL, time.Second, time.Minute)
	bad := createReq()
	bad.Amount.Total = 0
	if _, err := cl.Prepay(context.Background(), keys(t).merchant, aggregator.TradeH5, bad); !errors.Is(err, aggregator.ErrInvalidRequest) {
		t.Errorf("zero amount = %v", err)
	}
	if _, err := cl.QueryOrder(context.Background(), keys(t).merchant, "../../x"); !errors.Is(err, aggregator.ErrInvalidRequest) {
		t.Errorf("bad order number = %v", err)
	}
	if f.hits.Load() != 0 {
		t.Errorf("bad input reached the aggregator %d times", f.hits.Load())
	}
}
