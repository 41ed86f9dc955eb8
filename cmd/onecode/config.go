package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/onecode/onecode/actors"
	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/gateway/payments"
	"github.com/onecode/onecode/persistence/orders/pgorders"
	"github.com/onecode/onecode/persistence/outbox"
)

// Config is the whole configuration of a member, read once at start (defaults, then the
// --config YAML file, then environment, then flags) and validated before anything starts.
type Config struct {
	Server     ServerConfig     `yaml:"server"`
	Cluster    ClusterConfig    `yaml:"cluster"`
	Journal    JournalConfig    `yaml:"journal"`
	Account    AccountConfig    `yaml:"account"`
	Aggregator AggregatorConfig `yaml:"aggregator"`
	Push       PushConfig       `yaml:"push"`
	Ops        OpsConfig        `yaml:"ops"` // cmd/onecode/ops.go
	// Payments are the payment merchants per school (cmd/onecode/payments.go);
	// without merchants, the one aggregator above serves every school.
	Payments payments.Config `yaml:"payments"`
}

// PushConfig is message push (issue 12): the SMS gateway that carries login codes
// and notices. Without sms_url (and without --demo, which runs a push sandbox),
// messages go to the mailbox file <data_dir>/outbox.jsonl.
type PushConfig struct {
	SMSURL        string `yaml:"sms_url"`
	SMSKeyID      string `yaml:"sms_key_id"`
	SMSSecretFile string `yaml:"sms_secret_file"`
	SMSSignName   string `yaml:"sms_sign_name"`
	// Template ids registered with the SMS provider, per notice.
	SMSTemplateOTP     string        `yaml:"sms_template_otp"`
	SMSTemplateArrears string        `yaml:"sms_template_arrears"`
	SMSTemplateBinding string        `yaml:"sms_template_binding"`
	CallTimeout        time.Duration `yaml:"call_timeout"`
	Rate               float64       `yaml:"rate"`
	// SandboxAddr is where --demo serves its push sandbox (flag --push-sandbox-addr,
	// env ONECODE_PUSH_SANDBOX_ADDR; port 0 picks a free one).
	SandboxAddr string `yaml:"sandbox_addr"`
	// NoticeLease is how long a claimed notice stays with the member that
	// claimed it before another may send it (default 1m): a crashed member's
	// notices go out after it, under the same provider out id.
	NoticeLease time.Duration `yaml:"notice_lease"`
	// SendWorkers are the notices sent at once (default 16, at most 64);
	// NoticeBatch the notices claimed at once (default 100, at most 500).
	SendWorkers int `yaml:"send_workers"`
	NoticeBatch int `yaml:"notice_batch"`
	// WeChat is the official account's template messages and OAuth link
	// (cmd/onecode/wechat.go).
	WeChat WeChatConfig `yaml:"wechat"`
}

// AggregatorConfig is the payment aggregator for online recharges.
type AggregatorConfig struct {
	// URL of the aggregator API; empty = no online recharge (or the in-process sandbox
	// with --demo).
	URL string `yaml:"url"`
	// KeysDir holds the merchant key, the platform public key and the APIv3 key.
	KeysDir string `yaml:"keys_dir"`
	// PublicURL is this switch's base URL as the aggregator reaches it (notifications).
	PublicURL   string        `yaml:"public_url"`
	CallTimeout time.Duration `yaml:"call_timeout"`
	// SandboxAddr is where --demo serves its sandbox aggregator (flag --sandbox-addr,
	// env ONECODE_SANDBOX_ADDR; port 0 picks a free one).
	SandboxAddr string `yaml:"sandbox_addr"`
	// AlipaySandboxAddr is where --demo serves its Alipay sandbox, the merchant of
	// demo school 35002 (empty: no Alipay in the demo; port 0 picks a free one).
	AlipaySandboxAddr string `yaml:"alipay_sandbox_addr"`
}

// ServerConfig is where the member listens and keeps its files.
type ServerConfig struct {
	GRPCAddr    string `yaml:"grpc_addr"`
	HTTPAddr    string `yaml:"http_addr"`
	DataDir     string `yaml:"data_dir"`
	PostgresDSN string `yaml:"postgres_dsn"`
	RedisAddr   string `yaml:"redis_addr"`
	// RedisPrefix starts every Redis key and channel (default "onecode:"), so that
	// deployments sharing a Redis stay apart; every member of one cluster uses the same.
	RedisPrefix string `yaml:"redis_prefix"`
	// KeysDir holds the card keyring; default <data_dir>/keys, created on first start.
	KeysDir string `yaml:"keys_dir"`
	// GCPercent is the Go garbage collector's target (GOGC): the switch allocates
	// briefly per payment and holds little, so a higher target trades a little memory
	// for less collection work (default 400).
	GCPercent int `yaml:"gc_percent"`
	// SheetFont is a TrueType font with Chinese glyphs for class card sheets.
	SheetFont string `yaml:"sheet_font"`
	// ForwardedHops is the number of trusted reverse proxies in front of the HTTP
	// port (each appends to X-Forwarded-For); 0 believes only the TCP peer. The
	// payer's IP sent to the payment provider is read this way.
	ForwardedHops int `yaml:"forwarded_hops"`
	// MaxRequestTime bounds every unary call.
	MaxRequestTime time.Duration `yaml:"max_request_time"`
	// OrdersMaxConns is the PostgreSQL connections of the online-payment orders
	// (default 8): an order's create holds one through its transaction, and a
	// fee rush with 4 settled about 330 bills/s whatever the CPU left (8 and 16
	// gave the same 425 bills/s).
	OrdersMaxConns int `yaml:"orders_max_conns"`
}

// ClusterConfig is the protoactor cluster membership.
type ClusterConfig struct {
	Name             string        `yaml:"name"`
	Provider         string        `yaml:"provider"`
	Host             string        `yaml:"host"`
	Port             int           `yaml:"port"`
	AutoManPort      int           `yaml:"automan_port"`
	Peers            []string      `yaml:"peers"`
	RequestTimeout   time.Duration `yaml:"request_timeout"`
	ConsensusTimeout time.Duration `yaml:"consensus_timeout"`
	// EtcdEndpoints, EtcdPrefix, EtcdDialTimeout and EtcdLeaseTTL: the etcd
	// membership (provider etcd).
	EtcdEndpoints   []string      `yaml:"etcd_endpoints"`
	EtcdPrefix      string        `yaml:"etcd_prefix"`
	EtcdDialTimeout time.Duration `yaml:"etcd_dial_timeout"`
	EtcdLeaseTTL    time.Duration `yaml:"etcd_lease_ttl"`
}

// JournalConfig tunes the group-commit writer and snapshots.
type JournalConfig struct {
	MaxConns      int           `yaml:"max_conns"`
	MaxBatch      int           `yaml:"max_batch"`
	MaxDelay      time.Duration `yaml:"max_delay"`
	Flushers      int           `yaml:"flushers"`
	SnapshotEvery int           `yaml:"snapshot_every"`
}

// AccountConfig tunes the account grains.
type AccountConfig struct {
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	CallTimeout time.Duration `yaml:"call_timeout"`
	CallRetries int           `yaml:"call_retries"`
}

// DefaultConfig is a single node on loopback with an embedded store.
func DefaultConfig() Config {
	return Config{
		Server: ServerConfig{
			GRPCAddr:       "127.0.0.1:9090",
			HTTPAddr:       "127.0.0.1:8080",
			DataDir:        "./data",
			RedisPrefix:    "onecode:",
			MaxRequestTime: 10 * time.Second,
			OrdersMaxConns: 8,
			GCPercent:      400,
		},
		Cluster: ClusterConfig{
			Name:             "onecode",
			Provider:         string(actors.ProviderSingle),
			Host:             "127.0.0.1",
			RequestTimeout:   5 * time.Second,
			ConsensusTimeout: 30 * time.Second,
			EtcdPrefix:       "/onecode",
			EtcdDialTimeout:  5 * time.Second,
			EtcdLeaseTTL:     3 * time.Second,
		},
		Journal:    JournalConfig{MaxConns: 16, MaxBatch: 256, MaxDelay: time.Millisecond, Flushers: 2, SnapshotEvery: 100},
		Account:    AccountConfig{IdleTimeout: 10 * time.Minute, CallTimeout: 3 * time.Second, CallRetries: 3},
		Aggregator: AggregatorConfig{CallTimeout: 5 * time.Second, SandboxAddr: "127.0.0.1:8090", AlipaySandboxAddr: "127.0.0.1:8092"},
		Push: PushConfig{SMSSignName: "一码通", SMSTemplateOTP: "SMS_OTP", SMSTemplateArrears: "SMS_ARREARS",
			SMSTemplateBinding: "SMS_BINDING", CallTimeout: 5 * time.Second, Rate: 50, SandboxAddr: "127.0.0.1:8091",
			WeChat: WeChatConfig{APIURL: defaultWeChatAPI, AuthorizeURL: defaultWeChatAuthorize}},
		Ops: defaultOpsConfig(),
	}
}

// LoadConfigFile overlays a YAML file on c; unknown keys are an error.
func LoadConfigFile(c *Config, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.Server.GRPCAddr != "", "server.grpc_addr is empty")
	check(c.Server.HTTPAddr != "", "server.http_addr is empty")
	check(c.Server.PostgresDSN != "" || c.Server.DataDir != "", "server.data_dir is empty and no postgres_dsn is set")
	check(c.Server.RedisPrefix != "" && len(c.Server.RedisPrefix) <= 64, "server.redis_prefix must be 1..64 bytes")
	check(c.Server.OrdersMaxConns >= 1 && c.Server.OrdersMaxConns <= pgorders.MaxMaxConns, "server.orders_max_conns %d out of [1, %d]", c.Server.OrdersMaxConns, pgorders.MaxMaxConns)
	check(c.Server.MaxRequestTime > 0 && c.Server.MaxRequestTime <= 5*time.Minute, "server.max_request_time %s out of (0, 5m]", c.Server.MaxRequestTime)
	check(c.Server.GCPercent >= 50 && c.Server.GCPercent <= 2000, "server.gc_percent %d out of [50, 2000]", c.Server.GCPercent)
	check(c.Journal.MaxConns >= 1 && c.Journal.MaxConns <= 64, "journal.max_conns %d out of [1, 64]", c.Journal.MaxConns)
	check(c.Journal.MaxBatch >= 1 && c.Journal.MaxBatch <= 4096, "journal.max_batch %d out of [1, 4096]", c.Journal.MaxBatch)
	check(c.Journal.MaxDelay >= 0 && c.Journal.MaxDelay <= 50*time.Millisecond, "journal.max_delay %s out of [0, 50ms]", c.Journal.MaxDelay)
	check(c.Journal.Flushers >= 1 && c.Journal.Flushers <= 16, "journal.flushers %d out of [1, 16]", c.Journal.Flushers)
	check(c.Journal.SnapshotEvery >= 1 && c.Journal.SnapshotEvery <= 100000, "journal.snapshot_every %d out of [1, 100000]", c.Journal.SnapshotEvery)
	check(c.Account.IdleTimeout >= time.Second && c.Account.IdleTimeout <= 24*time.Hour, "account.idle_timeout %s out of [1s, 24h]", c.Account.IdleTimeout)
	check(c.Account.CallTimeout > 0 && c.Account.CallTimeout <= time.Minute, "account.call_timeout %s out of (0, 1m]", c.Account.CallTimeout)
	check(c.Account.CallRetries >= 1 && c.Account.CallRetries <= 10, "account.call_retries %d out of [1, 10]", c.Account.CallRetries)
	check(c.Aggregator.CallTimeout > 0 && c.Aggregator.CallTimeout <= time.Minute, "aggregator.call_timeout %s out of (0, 1m]", c.Aggregator.CallTimeout)
	check(c.Aggregator.URL == "" || c.Aggregator.KeysDir != "", "aggregator.url needs aggregator.keys_dir")
	check(c.Aggregator.URL == "" || len(c.Payments.Merchants) == 0, "aggregator.url and payments.merchants are exclusive: put the aggregator in payments")
	check(len(c.Payments.Merchants) > 0 || (len(c.Payments.Schools) == 0 && c.Payments.Default == ""), "payments.schools and payments.default need payments.merchants")
	check(c.Server.ForwardedHops >= 0 && c.Server.ForwardedHops <= 8, "server.forwarded_hops %d out of [0, 8]", c.Server.ForwardedHops)
	_, _, err := net.SplitHostPort(c.Aggregator.SandboxAddr)
	check(err == nil, "aggregator.sandbox_addr %q is not host:port", c.Aggregator.SandboxAddr)
	if c.Aggregator.AlipaySandboxAddr != "" {
		_, _, err = net.SplitHostPort(c.Aggregator.AlipaySandboxAddr)
		check(err == nil, "aggregator.alipay_sandbox_addr %q is not host:port", c.Aggregator.AlipaySandboxAddr)
	}
	check(c.Push.CallTimeout > 0 && c.Push.CallTimeout <= time.Minute, "push.call_timeout %s out of (0, 1m]", c.Push.CallTimeout)
	check(c.Push.Rate > 0 && c.Push.Rate <= 10_000, "push.rate %v out of (0, 10000]", c.Push.Rate)
	check(c.Push.SendWorkers >= 0 && c.Push.SendWorkers <= appnotify.MaxWorkers, "push.send_workers %d out of [0, %d]", c.Push.SendWorkers, appnotify.MaxWorkers)
	check(c.Push.NoticeBatch >= 0 && c.Push.NoticeBatch <= outbox.MaxPage, "push.notice_batch %d out of [0, %d]", c.Push.NoticeBatch, outbox.MaxPage)
	check(c.Push.NoticeLease >= 0 && c.Push.NoticeLease <= time.Hour, "push.notice_lease %s out of [0, 1h]", c.Push.NoticeLease)
	check(c.Push.SMSURL == "" || (c.Push.SMSKeyID != "" && c.Push.SMSSecretFile != "" && c.Push.SMSSignName != ""),
		"push.sms_url needs push.sms_key_id, push.sms_secret_file and push.sms_sign_name")
	_, _, err = net.SplitHostPort(c.Push.SandboxAddr)
	check(err == nil, "push.sandbox_addr %q is not host:port", c.Push.SandboxAddr)
	if err := c.Push.WeChat.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Ops.validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Cluster.Provider != string(actors.ProviderSingle) {
		check(c.Server.PostgresDSN != "" && c.Server.RedisAddr != "", "cluster provider %q needs --postgres-dsn and --redis-addr (several members share them)", c.Cluster.Provider)
		check(c.Server.KeysDir != "", "cluster provider %q needs server.keys_dir, the same keys on every member (onecode keys init --out DIR, then copy DIR to each member)", c.Cluster.Provider)
	}
	if err := c.member().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("cluster: %w", err))
	}
	return errors.Join(errs...)
}

func (c Config) member() actors.MemberConfig {
	return actors.MemberConfig{
		Name:             c.Cluster.Name,
		Provider:         actors.Provider(c.Cluster.Provider),
		Host:             c.Cluster.Host,
		Port:             c.Cluster.Port,
		AutoManPort:      c.Cluster.AutoManPort,
		Peers:            c.Cluster.Peers,
		RequestTimeout:   c.Cluster.RequestTimeout,
		ConsensusTimeout: c.Cluster.ConsensusTimeout,
		Etcd: actors.EtcdConfig{
			Endpoints:   c.Cluster.EtcdEndpoints,
			Prefix:      c.Cluster.EtcdPrefix,
			DialTimeout: c.Cluster.EtcdDialTimeout,
			LeaseTTL:    c.Cluster.EtcdLeaseTTL,
		},
	}
}
