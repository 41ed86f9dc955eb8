package aggregator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// BenchmarkConcurrentCalls: 64 calls at once over loopback, as a rush's parents
// place orders, with the client's default transport and with
// http.DefaultTransport (2 idle connections kept); cpu-µs/call is the process's
// CPU (client and server in this process: each opened connection costs a
// connect, an accept and a close) per call. The answer is signed once and
// replayed, so the client's own request signature is most of a call.
func BenchmarkConcurrentCalls(b *testing.B) {
	f := keys(b)
	body, err := json.Marshal(aggregator.Transaction{OutTradeNo: "R000000001", TradeState: aggregator.StateSuccess,
		TransactionID: "4200000001", Amount: aggregator.TransactionAmount{Total: 100}})
	if err != nil {
		b.Fatal(err)
	}
	h := signedHeaders(b, f.set.PlatformKey, platformSerial(b), time.Now(), body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range h {
			w.Header()[k] = v
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	for _, c := range []struct {
		name string
		http *http.Client
	}{{"default", nil}, {"DefaultTransport", &http.Client{Transport: http.DefaultTransport}}} {
		b.Run(c.name, func(b *testing.B) {
			cl, err := aggregator.NewClient(aggregator.Config{BaseURL: srv.URL, Keys: f.merchantKeys, CallTimeout: 10 * time.Second,
				Breaker: aggregator.DefaultBreakerSettings(), HTTPClient: c.http})
			if err != nil {
				b.Fatal(err)
			}
			const parents = 64
			work := make(chan struct{})
			var wg sync.WaitGroup
			for range parents {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						if _, err := cl.QueryOrder(context.Background(), f.merchant, "R000000001"); err != nil {
							b.Error(err)
						}
					}
				}()
			}
			c0 := processCPU()
			b.ResetTimer()
			for range b.N {
				work <- struct{}{}
			}
			close(work)
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(processCPU()-c0)/float64(b.N)/1e3, "cpu-µs/call")
		})
	}
}

func processCPU() time.Duration {
	var r syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
