package sandbox

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestGatherReceipts: receipts go out in batches: a full batch at once, the
// rest after the linger, a receipt that comes while the batch lingers joins
// it, and a closed sandbox gathers nothing.
func TestGatherReceipts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &Sandbox{receipts: make(chan receiptJob, 1024), done: make(chan struct{})}
		for i := range receiptBatch + 50 {
			s.receipts <- receiptJob{seq: int64(i)}
		}
		start := time.Now()
		if b, ok := s.gatherReceipts(); !ok || len(b) != receiptBatch || time.Since(start) != 0 {
			t.Errorf("a full batch: %d receipts after %v, want %d at once", len(b), time.Since(start), receiptBatch)
		}
		if b, ok := s.gatherReceipts(); !ok || len(b) != 50 || time.Since(start) != receiptLinger {
			t.Errorf("the rest: %d receipts after %v, want 50 after %v", len(b), time.Since(start), receiptLinger)
		}
		go func() {
			s.receipts <- receiptJob{seq: 1}
			time.Sleep(receiptLinger / 2)
			s.receipts <- receiptJob{seq: 2}
		}()
		if b, ok := s.gatherReceipts(); !ok || len(b) != 2 || b[1].seq != 2 {
			t.Errorf("a receipt during the linger: %+v, want it in the batch", b)
		}
		close(s.done)
		if b, ok := s.gatherReceipts(); ok {
			t.Errorf("a closed sandbox gathered %+v", b)
		}
	})
}
