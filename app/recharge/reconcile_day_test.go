package recharge

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"
)

// statementProvider is a provider whose statement is lines.
type statementProvider struct {
	Provider
	lines []StatementLine
}

func (p statementProvider) Statement(context.Context, string) ([]StatementLine, error) {
	return p.lines, nil
}

// TestReconcileDay: the day's statement of the school's merchant against the orders
// credited today: agreeing books report nothing, a planted amount mismatch is found;
// a bad day and a merchant without statements are refused.
func TestReconcileDay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sp := &statementProvider{Provider: AggregatorProvider(e.agg)}
	s, err := New(Config{Accounts: e.acc, Orders: e.store, Providers: Single(sp), NotifyURL: "https://onecode.example/notify",
		Rand: rand.Reader, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i, fen := range []int64{5000, 12300} {
		rc, err := s.Create(ctx, testParent, testAccount, fen, fmt.Sprint("req-", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Paid(ctx, Payment{OrderID: rc.OrderID, TransactionID: fmt.Sprint("tx", i), AmountFen: fen}); err != nil {
			t.Fatal(err)
		}
		sp.lines = append(sp.lines, StatementLine{Kind: LinePayment, OrderID: rc.OrderID, AmountFen: fen})
	}
	today := time.Now().In(chinaZone).Format("2006-01-02")
	r, err := s.ReconcileDay(ctx, today, "35001")
	if err != nil || len(r.Differences) != 0 || r.Lines != 2 || r.Orders != 2 || r.MerchantKey != SingleKey {
		t.Fatalf("agreeing books: %+v %v", r, err)
	}
	sp.lines[1].AmountFen++ // planted
	r, err = s.ReconcileDay(ctx, today, "35001")
	if err != nil || len(r.Differences) != 1 || r.Differences[0].Kind != AmountMismatch || r.Differences[0].OrderID != sp.lines[1].OrderID {
		t.Fatalf("a planted mismatch: %+v %v", r, err)
	}
	if _, err := s.ReconcileDay(ctx, "05/12/2026", "35001"); err == nil {
		t.Fatal("a bad day accepted")
	}
	if _, err := e.s.ReconcileDay(ctx, today, "35001"); !errors.Is(err, ErrNoStatements) {
		t.Fatalf("a merchant without statements: %v", err)
	}
}
