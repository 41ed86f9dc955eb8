package main

import (
	"strings"
	"testing"
)

// TestShippedConfigsValid: every file in cluster-config/ loads and validates.
func TestShippedConfigsValid(t *testing.T) {
	for _, name := range []string{"single.yaml", "local-3.yaml"} {
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
