package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// metricRef is a metric name in a PromQL expression: every name of the switch starts
// with onecode_; "up" is the one series Prometheus makes itself (scrape health).
var metricRef = regexp.MustCompile(`\b(onecode_[a-z0-9_]+|up)\b`)

// TestOpsQueriesUseExportedMetrics (issue 14): every metric that the alert rules
// (ops/prometheus/onecode-rules.yml) and the Grafana dashboard (ops/grafana/onecode.json)
// query is one a running switch exports on /metrics.
func TestOpsQueriesUseExportedMetrics(t *testing.T) {
	exported := scrapeSwitch(t)
	queries := append(ruleExprs(t), dashboardExprs(t)...)
	if len(queries) < 10 {
		t.Fatalf("found %d queries in the rules and the dashboard, want them all", len(queries))
	}
	for _, q := range queries {
		names := metricRef.FindAllString(q, -1)
		if len(names) == 0 {
			t.Errorf("query %q names no metric of the switch", q)
		}
		for _, n := range names {
			if n != "up" && !exported[n] {
				t.Errorf("query %q uses %s, which the switch does not export", q, n)
			}
		}
	}
}

func ruleExprs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../ops/prometheus/onecode-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Expr string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			out = append(out, r.Expr)
		}
	}
	return out
}

func dashboardExprs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../ops/grafana/onecode.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Definition != "" {
			out = append(out, v.Definition)
		}
	}
	return out
}

// scrapeSwitch runs "onecode serve --demo" in this process (embedded store, sandbox
// aggregator), makes one REST call, and returns the metric names of its /metrics,
// histograms with their _bucket, _sum and _count series.
func scrapeSwitch(t *testing.T) map[string]bool {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	cfg.Server.GRPCAddr, cfg.Server.HTTPAddr = freeAddr(t), freeAddr(t)
	cfg.Aggregator.SandboxAddr, cfg.Aggregator.AlipaySandboxAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.Push.SandboxAddr = "127.0.0.1:0" // never the default port: runs of the suite may overlap
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- serve(ctx, cfg, serveFlags{demo: true}, logger, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	base := "http://" + cfg.Server.HTTPAddr
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(base + "/v1/info")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the switch did not answer /v1/info: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 || f[0] != "#" || f[1] != "TYPE" {
			continue
		}
		names[f[2]] = true
		if f[3] == "histogram" || f[3] == "summary" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				names[f[2]+s] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
