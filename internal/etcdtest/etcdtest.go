package etcdtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// DefaultEndpoint is used when ONECODE_TEST_ETCD_ENDPOINTS is unset.
const DefaultEndpoint = "127.0.0.1:2379"

const timeout = 5 * time.Second

// Endpoints are the test etcd's endpoints: ONECODE_TEST_ETCD_ENDPOINTS, or DefaultEndpoint.
func Endpoints() []string {
	v := os.Getenv("ONECODE_TEST_ETCD_ENDPOINTS")
	if v == "" {
		return []string{DefaultEndpoint}
	}
	var eps []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			eps = append(eps, e)
		}
	}
	return eps
}

// Prefix checks that the test etcd answers and returns a key prefix unique to this
// test ("/onecode_t_<hex>"); its keys are deleted when the test ends. An unreachable
// etcd skips the test, or fails it when etcd is required (CI).
func Prefix(t testing.TB) string {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: Endpoints(), DialTimeout: timeout, Logger: zap.NewNop()})
	if err != nil {
		unavailable(t, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := c.Status(ctx, Endpoints()[0]); err != nil {
		_ = c.Close()
		unavailable(t, err)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("etcdtest: random: %v", err)
	}
	prefix := "/onecode_t_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if _, err := c.Delete(ctx, prefix+"/", clientv3.WithPrefix()); err != nil {
			t.Errorf("etcdtest: delete keys %s/*: %v", prefix, err)
		}
		_ = c.Close()
	})
	return prefix
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" || os.Getenv("ONECODE_TEST_REQUIRE_ETCD") == "1" {
		t.Fatalf("etcdtest: etcd at %v unavailable and required (CI=true or ONECODE_TEST_REQUIRE_ETCD=1): %v", Endpoints(), err)
	}
	t.Skipf("etcdtest: etcd at %v unavailable, skipping (scripts/services.sh ensure_etcd starts one; ONECODE_TEST_ETCD_ENDPOINTS points elsewhere): %v", Endpoints(), err)
}
