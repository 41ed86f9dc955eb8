package main

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestShippedConfigsValid: every file in cluster-config/ loads and validates.
func TestShippedConfigsValid(t *testing.T) {
	for _, name := range []string{"single.yaml", "local-3.yaml", "etcd-3.yaml"} {
		c := DefaultConfig()
		if err := LoadConfigFile(&c, "../../cluster-config/"+name); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestClusterConfigNeedsSharedParts: a cluster member without PostgreSQL, Redis
// or an explicit keys directory is refused with a message naming what is missing.
func TestClusterConfigNeedsSharedParts(t *testing.T) {
	cluster := func() Config {
		c := DefaultConfig()
		c.Cluster.Provider, c.Cluster.AutoManPort, c.Cluster.Peers = "automanaged", 6331, []string{"127.0.0.1:6331"}
		c.Server.PostgresDSN, c.Server.RedisAddr, c.Server.KeysDir = "postgres://x", "127.0.0.1:6379", "/keys"
		return c
	}
	if err := cluster().Validate(); err != nil {
		t.Fatalf("complete cluster config refused: %v", err)
	}
	for _, tc := range []struct {
		what string
		edit func(*Config)
		want string
	}{
		{"no keys dir", func(c *Config) { c.Server.KeysDir = "" }, "server.keys_dir"},
		{"no redis", func(c *Config) { c.Server.RedisAddr = "" }, "--redis-addr"},
		{"no postgres", func(c *Config) { c.Server.PostgresDSN = "" }, "--postgres-dsn"},
		{"no redis prefix", func(c *Config) { c.Server.RedisPrefix = "" }, "redis_prefix"},
	} {
		c := cluster()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s", tc.what, err, tc.want)
		}
	}
}

// TestSingleYAMLDocumentsEveryKey (issue 10, defect 6): cluster-config/single.yaml
// names every configuration key, set or commented out, each with a comment on its
// line or just above it.
func TestSingleYAMLDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../../cluster-config/single.yaml")
	if err != nil {
		t.Fatal(err)
	}
	keyLine := regexp.MustCompile(`^(\s*)(#\s*)?([a-z_0-9]+):(.*)$`)
	documented := map[string]bool{} // "section.key" -> has a comment
	section, prevProse := "", false
	for _, line := range strings.Split(string(b), "\n") {
		m := keyLine.FindStringSubmatch(line)
		switch {
		case m != nil && m[1] == "" && m[2] == "":
			section = m[3]
			documented[section] = true
		case m != nil:
			documented[section+"."+m[3]] = prevProse || strings.Contains(m[4], " #")
		}
		prevProse = m == nil && strings.HasPrefix(strings.TrimSpace(line), "#")
	}
	top := reflect.TypeFor[Config]()
	for i := range top.NumField() {
		sec := top.Field(i)
		name := yamlName(sec)
		if !documented[name] {
			t.Errorf("single.yaml has no section %s", name)
			continue
		}
		for j := range sec.Type.NumField() {
			key := name + "." + yamlName(sec.Type.Field(j))
			if doc, ok := documented[key]; !ok {
				t.Errorf("single.yaml does not name %s", key)
			} else if !doc {
				t.Errorf("single.yaml names %s without a comment saying what it does", key)
			}
		}
	}
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

// TestEtcdConfigValidated: an etcd member names its etcd; bad etcd settings are
// refused with the key to fix.
func TestEtcdConfigValidated(t *testing.T) {
	etcd := func() Config {
		c := DefaultConfig()
		c.Cluster.Provider, c.Cluster.EtcdEndpoints = "etcd", []string{"127.0.0.1:2379"}
		c.Server.PostgresDSN, c.Server.RedisAddr, c.Server.KeysDir = "postgres://x", "127.0.0.1:6379", "/keys"
		return c
	}
	if err := etcd().Validate(); err != nil {
		t.Fatalf("complete etcd config refused: %v", err)
	}
	for _, tc := range []struct {
		what string
		edit func(*Config)
		want string
	}{
		{"no endpoints", func(c *Config) { c.Cluster.EtcdEndpoints = nil }, "etcd_endpoints"},
		{"relative prefix", func(c *Config) { c.Cluster.EtcdPrefix = "onecode" }, "prefix"},
		{"sub-second lease", func(c *Config) { c.Cluster.EtcdLeaseTTL = 1500 * time.Millisecond }, "lease ttl"},
		{"no dial timeout", func(c *Config) { c.Cluster.EtcdDialTimeout = 0 }, "dial timeout"},
		{"no redis", func(c *Config) { c.Server.RedisAddr = "" }, "--redis-addr"},
	} {
		c := etcd()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming %s", tc.what, err, tc.want)
		}
	}
}

// TestOrdersMaxConnsValidated: the online-payment orders' pool is 1..64 and
// defaults to 8.
func TestOrdersMaxConnsValidated(t *testing.T) {
	if got := DefaultConfig().Server.OrdersMaxConns; got != 8 {
		t.Fatalf("default orders_max_conns %d, want 8", got)
	}
	for _, n := range []int{0, 65} {
		c := DefaultConfig()
		c.Server.OrdersMaxConns = n
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "server.orders_max_conns") {
			t.Errorf("orders_max_conns %d: got %v, want an error naming it", n, err)
		}
	}
}
