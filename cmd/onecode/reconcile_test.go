package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
	wxsandbox "github.com/onecode/onecode/gateway/aggregator/sandbox"
	"github.com/onecode/onecode/persistence/orders"
	"github.com/onecode/onecode/persistence/orders/sqliteorders"
)

// TestReconcileCommand: "onecode reconcile" downloads the WeChat Pay sandbox's bill
// of the day and finds the order we credited that the provider never saw (exit 1,
// the difference printed); a day without either is clean (exit 0); a bad day is a
// usage error (exit 2).
func TestReconcileCommand(t *testing.T) {
	set, err := aggregator.GenerateKeySet(rand.Reader, "1900000100", "wx8888888888888888")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keys := filepath.Join(dir, "wechat")
	if err := set.Write(keys); err != nil {
		t.Fatal(err)
	}
	sb, err := wxsandbox.New(wxsandbox.Config{Keys: wxsandbox.KeysFromSet(set)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "onecode.yaml")
	yaml := fmt.Sprintf("server:\n  data_dir: %s\npayments:\n  merchants:\n    - key: wx\n      provider: wechatpay\n      url: %s\n"+
		"      keys_dir: %s\n      app_id: %s\n      mch_id: %s\n  schools:\n    - school: \"35001\"\n      merchant: wx\n",
		data, srv.URL, keys, set.AppID, set.MchID)
	if err := os.WriteFile(conf, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	// Our books: one order credited today at merchant wx, never paid at the sandbox.
	ctx := context.Background()
	store, err := sqliteorders.Open(ctx, filepath.Join(data, "onecode.db"), sqliteorders.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := orders.Order{OrderID: "R20261205000000000001", RequestID: "rq-1", ParentID: "par_1", AccountID: "acc_35001_2024000001",
		SchoolID: "35001", MerchantKey: "wx", AmountFen: 5000, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(15 * time.Minute)}
	if _, _, err := store.Create(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Transition(ctx, o.OrderID, []orders.State{orders.StatePending}, orders.StateCredited, orders.Fields{TransactionID: "tx-1"}); err != nil {
		t.Fatal(err)
	}
	store.Close()

	today := time.Now().In(aggregator.Beijing).Format("2006-01-02")
	var out, errOut bytes.Buffer
	if code := run([]string{"reconcile", "--config", conf, "--day", today, "--school", "35001"}, &out, &errOut); code != 1 ||
		!strings.Contains(out.String(), "missing_at_provider payment R20261205000000000001 ours=5000 provider=0") {
		t.Fatalf("planted difference: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	yesterday := time.Now().In(aggregator.Beijing).AddDate(0, 0, -1).Format("2006-01-02")
	if code := run([]string{"reconcile", "--config", conf, "--day", yesterday}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "0 differences") {
		t.Fatalf("a clean day: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if code := run([]string{"reconcile", "--config", conf, "--day", "5/12/2026"}, &out, &errOut); code != 2 {
		t.Fatalf("a bad day: exit %d", code)
	}
}
