package actors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/automanaged"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/etcd"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/test"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/asynkron/protoactor-go/remote"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Provider names the cluster membership provider.
type Provider string

const (
	// ProviderSingle is one member in this process (protoactor's in-memory test provider).
	ProviderSingle Provider = "single"
	// ProviderAutomanaged is several members on known hosts that find each other over HTTP.
	ProviderAutomanaged Provider = "automanaged"
	// ProviderEtcd is members on any hosts that register under a lease in etcd and
	// watch each other there.
	ProviderEtcd Provider = "etcd"
)

// MemberConfig is everything a cluster member needs; it is validated by Validate.
type MemberConfig struct {
	Name     string
	Provider Provider
	// Host and Port of the actor remote endpoint; port 0 picks a free one. The
	// automanaged membership health endpoint (AutoManPort) binds to Host too.
	Host string
	Port int
	// AutoManPort is this member's automanaged HTTP port; Peers lists every member's
	// "host:automanport" (automanaged only).
	AutoManPort int
	Peers       []string
	// Etcd is the etcd membership (etcd only).
	Etcd EtcdConfig
	// RequestTimeout bounds every cluster request issued by this member.
	RequestTimeout time.Duration
	// ConsensusTimeout bounds the wait for a stable topology at start.
	ConsensusTimeout time.Duration
	Kinds            []*cluster.Kind
	Logger           *slog.Logger
}

// EtcdConfig is where the members of an etcd cluster register.
type EtcdConfig struct {
	// Endpoints are the etcd client URLs or host:port.
	Endpoints []string
	// Prefix starts every key of the membership; the cluster name follows it.
	Prefix string
	// DialTimeout bounds the connection and every membership request to etcd.
	DialTimeout time.Duration
	// LeaseTTL is the lease of this member's key: a member that stops refreshing it
	// (killed, or cut off from etcd) leaves the others' topology within about this.
	LeaseTTL time.Duration
}

func (e EtcdConfig) validate() error {
	switch {
	case len(e.Endpoints) == 0:
		return errors.New("etcd cluster needs etcd_endpoints")
	case !strings.HasPrefix(e.Prefix, "/") || strings.HasSuffix(e.Prefix, "/"):
		return fmt.Errorf("etcd prefix %q must start and not end with /", e.Prefix)
	case e.DialTimeout <= 0 || e.DialTimeout > time.Minute:
		return fmt.Errorf("etcd dial timeout %s out of (0, 1m]", e.DialTimeout)
	case e.LeaseTTL < time.Second || e.LeaseTTL > time.Minute || e.LeaseTTL%time.Second != 0:
		return fmt.Errorf("etcd lease ttl %s must be whole seconds in [1s, 1m]", e.LeaseTTL)
	}
	return nil
}

// Validate reports the first problem of the configuration.
func (c MemberConfig) Validate() error {
	switch {
	case c.Name == "":
		return errors.New("cluster name is empty")
	case c.Provider != ProviderSingle && c.Provider != ProviderAutomanaged && c.Provider != ProviderEtcd:
		return fmt.Errorf("unknown cluster provider %q (want %q, %q or %q)", c.Provider, ProviderSingle, ProviderAutomanaged, ProviderEtcd)
	case c.Name != strings.Trim(c.Name, "/") || strings.Contains(c.Name, "/"):
		return fmt.Errorf("cluster name %q must not contain /", c.Name)
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("cluster port %d out of range", c.Port)
	case c.Provider == ProviderAutomanaged && (c.AutoManPort <= 0 || len(c.Peers) == 0):
		return errors.New("automanaged cluster needs automan_port and peers")
	case c.RequestTimeout <= 0 || c.RequestTimeout > time.Minute:
		return fmt.Errorf("cluster request timeout %s out of (0, 1m]", c.RequestTimeout)
	case c.ConsensusTimeout <= 0 || c.ConsensusTimeout > 5*time.Minute:
		return fmt.Errorf("cluster consensus timeout %s out of (0, 5m]", c.ConsensusTimeout)
	case c.Provider == ProviderEtcd:
		return c.Etcd.validate()
	}
	return nil
}

// Member is one started cluster member.
type Member struct {
	Cluster  *cluster.Cluster
	single   bool
	size     atomic.Int32
	joined   chan struct{}
	joinOnce sync.Once
	sub      *eventstream.Subscription
	lost     chan struct{}
}

// ErrMembershipLost: the member was cut off etcd longer than its lease; the other
// members dropped it and will never readmit its id. It must stop and be restarted.
var ErrMembershipLost = etcd.ErrMembershipLost

// Lost is closed when the member has lost its membership (etcd provider only): the
// other members dropped it while it was cut off etcd. The process should stop (and
// its supervisor start it again, with a new member id).
func (m *Member) Lost() <-chan struct{} { return m.lost }

// StartMember starts the actor system, joins the cluster and waits for a stable topology.
func StartMember(ctx context.Context, cfg MemberConfig) (*Member, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	// protoactor logs whole messages at debug level: keep it at warnings so no payload
	// (and so no personal data) reaches the log.
	quiet := slog.New(minLevel{Handler: logger.Handler(), min: slog.LevelWarn}).With(slog.String("component", "protoactor"))
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return quiet }),
	))

	lost := make(chan struct{})
	provider, err := newProvider(cfg, logger, func() { close(lost) })
	if err != nil {
		return nil, err
	}
	config := cluster.Configure(cfg.Name, provider, disthash.New(),
		remote.Configure(cfg.Host, cfg.Port),
		cluster.WithKinds(cfg.Kinds...),
		cluster.WithRequestTimeout(cfg.RequestTimeout),
	)
	if cfg.Provider == ProviderSingle {
		// A lone member has no peer to gossip with or to expire: no need to wake
		// every 300 ms to gossip to nobody.
		config.GossipInterval = singleGossipInterval
	}
	c := cluster.New(system, config)
	m := &Member{Cluster: c, single: cfg.Provider == ProviderSingle, joined: make(chan struct{}), lost: lost}
	// Track the topology from its events rather than reading MemberList fields that
	// protoactor updates without a lock.
	sub := system.EventStream.Subscribe(func(evt any) {
		t, ok := evt.(*cluster.ClusterTopology)
		if !ok {
			return
		}
		m.size.Store(int32(len(t.Members)))
		for _, mem := range t.Members {
			if mem.Id == system.ID {
				m.joinOnce.Do(func() { close(m.joined) })
			}
		}
	})
	m.sub = sub
	if err := startMember(c); err != nil {
		system.EventStream.Unsubscribe(sub)
		return nil, err
	}

	waitCtx, cancel := context.WithTimeout(ctx, cfg.ConsensusTimeout)
	defer cancel()
	select {
	case <-m.joined:
		return m, nil
	case <-waitCtx.Done():
		c.Shutdown(false)
		return nil, fmt.Errorf("member did not join the cluster topology within %s: %w", cfg.ConsensusTimeout, waitCtx.Err())
	}
}

// newProvider builds the membership provider cfg names.
// onLost is called once when an etcd member finds it was dropped.
func newProvider(cfg MemberConfig, logger *slog.Logger, onLost func()) (cluster.ClusterProvider, error) {
	switch cfg.Provider {
	case ProviderAutomanaged:
		return automanaged.NewWithConfig(2*time.Second, cfg.AutoManPort, cfg.Peers...), nil
	case ProviderEtcd:
		p, err := etcd.NewWithConfig(cfg.Etcd.Prefix, clientv3.Config{
			Endpoints:   cfg.Etcd.Endpoints,
			DialTimeout: cfg.Etcd.DialTimeout,
			Logger:      etcdLogger(logger),
			// gRPC's default reconnect backoff grows to 2 minutes: a member cut off
			// etcd for half a minute would then stay out of the cluster for up to a
			// minute more after etcd is back. Reconnect within a second instead.
			DialOptions: []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
				Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
				MinConnectTimeout: cfg.Etcd.DialTimeout,
			})},
		})
		if err != nil {
			return nil, fmt.Errorf("etcd membership: %w", err)
		}
		return p.WithKeepAliveTTL(cfg.Etcd.LeaseTTL).WithOnMembershipLost(onLost), nil
	default:
		return test.NewTestProvider(test.NewInMemAgent()), nil
	}
}

// startMember starts c; protoactor panics when its provider cannot start (etcd
// unreachable within the dial timeout, a port taken): that becomes an error.
func startMember(c *cluster.Cluster) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cluster member did not start: %v", r)
			stopHalfStarted(c)
		}
	}()
	c.StartMember()
	return nil
}

// stopHalfStarted frees what a failed start left running (the remote's port), as
// far as protoactor lets a half-started cluster stop.
func stopHalfStarted(c *cluster.Cluster) {
	defer func() { _ = recover() }()
	c.ActorSystem.Shutdown()
	if c.Remote != nil {
		c.Remote.Shutdown(false)
	}
}

// ID is this member's actor system id.
func (m *Member) ID() string { return m.Cluster.ActorSystem.ID }

// Size is the number of members this member currently sees.
func (m *Member) Size() int { return int(m.size.Load()) }

// singleGossipInterval is the gossip tick of a lone member: effectively never.
const singleGossipInterval = 24 * time.Hour

// Stop leaves the cluster; graceful lets activations stop first.
//
// A lone member stops in protoactor's graceful order (provider, identity lookup,
// gossip, remote) but without the two-second wait Cluster.Shutdown makes for
// ownership to move to other members: there are none.
func (m *Member) Stop(graceful bool) {
	c := m.Cluster
	c.ActorSystem.EventStream.Unsubscribe(m.sub)
	if !m.single || !graceful {
		c.Shutdown(graceful)
		return
	}
	c.Gossip.SetState(cluster.GracefullyLeftKey, &emptypb.Empty{})
	c.ActorSystem.Shutdown()
	_ = c.Config.ClusterProvider.Shutdown(true)
	c.IdentityLookup.Shutdown()
	c.Gossip.Shutdown()
	c.Remote.Shutdown(true)
}

// minLevel drops records below min whatever the wrapped handler would accept.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < h.min {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(as), min: h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}
