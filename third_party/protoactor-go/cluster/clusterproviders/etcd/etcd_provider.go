package etcd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	clientv3 "go.etcd.io/etcd/client/v3"
)

type Provider struct {
	leaseID      clientv3.LeaseID
	cluster      *cluster.Cluster
	baseKey      string
	clusterName  string
	deregistered bool
	// OneCode patch: shutdown and clusterError were plain fields written by Shutdown
	// and the watch goroutine and read by the others (data races); the keep-alive loop
	// had no way to stop. They are now atomic or locked, and Shutdown cancels stopCtx.
	shutdown      atomic.Bool
	stopCtx       context.Context
	stop          context.CancelFunc
	errMu         sync.Mutex
	self          *Node
	members       map[string]*Node // all, contains self.
	clusterError  error
	client        *clientv3.Client
	cancelWatch   func()
	cancelWatchCh chan bool
	keepAliveTTL  time.Duration
	retryInterval time.Duration
	// OneCode patch: every etcd request is bounded by requestTimeout (upstream used
	// context.TODO, so a member whose etcd did not answer hung in StartMember forever).
	requestTimeout time.Duration
	revision       uint64
	// deregisterCritical time.Duration

	// OneCode patch: membership loss. Once this member's key has expired with its
	// lease, every other member has dropped it and blocked its id for good
	// (MemberList blocks a member that left): re-registering the same id would
	// make a zombie that no peer answers. So after a lost lease the keep-alive
	// loop looks for its key first: still there (e.g. etcd changed leader, which
	// extends leases) → keep the lease alive again; gone → report the loss once
	// (onLost) and stop, so that the process restarts with a new member id.
	registered atomic.Bool
	onLost     func()
	lostOnce   sync.Once
}

// ErrMembershipLost: this member's key expired while it was cut off etcd; the other
// members have dropped it (OneCode patch).
var ErrMembershipLost = errors.New("etcd membership lost: the member's lease expired and the cluster dropped it")

// WithOnMembershipLost sets what to call (once) when this member finds its
// registration expired (OneCode patch); call before StartMember.
func (p *Provider) WithOnMembershipLost(f func()) *Provider {
	p.onLost = f
	return p
}

func New() (*Provider, error) {
	return NewWithConfig("/protoactor", clientv3.Config{
		Endpoints:   []string{"127.0.0.1:2379"},
		DialTimeout: time.Second * 5,
	})
}

func NewWithConfig(baseKey string, cfg clientv3.Config) (*Provider, error) {
	client, err := clientv3.New(cfg)
	if err != nil {
		return nil, err
	}
	requestTimeout := cfg.DialTimeout
	if requestTimeout <= 0 {
		requestTimeout = 5 * time.Second
	}
	stopCtx, stop := context.WithCancel(context.Background())
	p := &Provider{
		client:         client,
		keepAliveTTL:   3 * time.Second,
		retryInterval:  1 * time.Second,
		requestTimeout: requestTimeout,
		stopCtx:        stopCtx,
		stop:           stop,
		baseKey:        baseKey,
		members:        map[string]*Node{},
		cancelWatchCh:  make(chan bool),
	}
	return p, nil
}

// WithKeepAliveTTL sets the lease TTL of this member's key (OneCode patch: upstream
// fixed it at 3 s): a member that stops refreshing it leaves the other members'
// topology within about ttl. Whole seconds, at least 1 s; call before StartMember.
func (p *Provider) WithKeepAliveTTL(ttl time.Duration) *Provider {
	if ttl < time.Second {
		ttl = time.Second
	}
	p.keepAliveTTL = ttl.Truncate(time.Second)
	return p
}

// requestContext bounds one etcd request (OneCode patch).
func (p *Provider) requestContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.stopCtx, p.requestTimeout)
}

func (p *Provider) init(c *cluster.Cluster) error {
	p.cluster = c
	addr := p.cluster.ActorSystem.Address()
	host, port, err := splitHostPort(addr)
	if err != nil {
		return err
	}

	p.cluster = c
	p.clusterName = p.cluster.Config.Name
	memberID := p.cluster.ActorSystem.ID
	knownKinds := c.GetClusterKinds()
	nodeName := fmt.Sprintf("%v@%v", p.clusterName, memberID)
	// OneCode patch: the member id must be the actor system id, as with every other
	// provider: the member list finds itself and gossip keys its state by it. Upstream
	// used nodeName, so a member never saw itself in the topology.
	p.self = NewNode(memberID, host, port, knownKinds)
	p.self.Name = nodeName
	p.self.SetMeta("id", p.getID())
	return nil
}

func (p *Provider) StartMember(c *cluster.Cluster) error {
	if err := p.init(c); err != nil {
		return err
	}

	// fetch memberlist
	nodes, err := p.fetchNodes()
	if err != nil {
		return err
	}
	// initialize members
	p.updateNodesWithSelf(nodes)
	p.publishClusterTopologyEvent()
	p.startWatching()

	// register self
	if err := p.registerService(); err != nil {
		return err
	}
	p.startKeepAlive(p.stopCtx)
	return nil
}

func (p *Provider) StartClient(c *cluster.Cluster) error {
	if err := p.init(c); err != nil {
		return err
	}
	nodes, err := p.fetchNodes()
	if err != nil {
		return err
	}
	// initialize members
	p.updateNodes(nodes)
	p.publishClusterTopologyEvent()
	p.startWatching()
	return nil
}

func (p *Provider) Shutdown(graceful bool) error {
	p.shutdown.Store(true)
	// OneCode patch: the watch and keep-alive loops stop, the lease is revoked (the
	// key goes at once rather than at the TTL) and the client is closed; upstream
	// left all of them running.
	defer p.client.Close()
	defer p.stop()
	if p.cancelWatch != nil {
		p.cancelWatch()
		p.cancelWatch = nil
	}
	if !p.deregistered {
		err := p.deregisterService()
		if err != nil {
			p.cluster.Logger().Error("deregisterMember", slog.Any("error", err))
			return err
		}
		p.deregistered = true
	}
	if id := p.getLeaseID(); id > 0 {
		ctx, cancel := p.requestContext()
		defer cancel()
		_, _ = p.client.Revoke(ctx, id)
	}
	return nil
}

func (p *Provider) keepAliveForever(ctx context.Context) error {
	if p.self == nil {
		return fmt.Errorf("keepalive must be after initialize")
	}
	var leaseId clientv3.LeaseID
	if p.registered.Load() {
		// OneCode patch: the lease was lost once; re-attach only if the key is still ours.
		var err error
		if leaseId, err = p.reattach(); err != nil {
			return err
		}
	} else {
		var err error
		if leaseId, err = p.register(); err != nil {
			return err
		}
	}
	kaRespCh, err := p.client.KeepAlive(ctx, leaseId)
	if err != nil {
		return err
	}

	for resp := range kaRespCh {
		if resp == nil {
			return fmt.Errorf("keep alive failed. resp=%s", resp.String())
		}
		// plog.Infof("keep alive %s ttl=%d", p.getID(), resp.TTL)
		if p.shutdown.Load() {
			return nil
		}
	}
	return nil
}

// register puts this member's key under a new lease (upstream's first step).
func (p *Provider) register() (clientv3.LeaseID, error) {
	data, err := p.self.Serialize()
	if err != nil {
		return 0, err
	}
	leaseId, err := p.newLeaseID()
	if err != nil {
		return 0, err
	}
	p.setLeaseID(leaseId)
	if leaseId <= 0 {
		return 0, fmt.Errorf("grant lease failed. leaseId=%d", leaseId)
	}
	putCtx, cancel := p.requestContext()
	_, err = p.client.Put(putCtx, p.getEtcdKey(), string(data), clientv3.WithLease(leaseId))
	cancel()
	if err != nil {
		return 0, err
	}
	p.registered.Store(true)
	return leaseId, nil
}

// reattach finds this member's key after its keep-alive stopped (OneCode patch): the
// lease it is under when it is still there, ErrMembershipLost (reported once to
// onLost) when it expired.
func (p *Provider) reattach() (clientv3.LeaseID, error) {
	ctx, cancel := p.requestContext()
	resp, err := p.client.Get(ctx, p.getEtcdKey())
	cancel()
	if err != nil {
		return 0, err
	}
	if len(resp.Kvs) == 1 && resp.Kvs[0].Lease != 0 {
		id := clientv3.LeaseID(resp.Kvs[0].Lease)
		p.setLeaseID(id)
		return id, nil
	}
	p.lostOnce.Do(func() {
		p.cluster.Logger().Error("etcd membership lost: this member's key expired and the other members dropped it; it must restart with a new member id")
		if p.onLost != nil {
			p.onLost()
		}
	})
	return 0, ErrMembershipLost
}

func (p *Provider) startKeepAlive(ctx context.Context) {
	go func() {
		for !p.shutdown.Load() {
			if err := ctx.Err(); err != nil {
				p.cluster.Logger().Info("Keepalive was stopped.", slog.Any("error", err))
				return
			}

			err := p.keepAliveForever(ctx)
			if errors.Is(err, ErrMembershipLost) {
				return // OneCode patch: a dropped member does not re-register its id
			}
			if err != nil && ctx.Err() == nil {
				p.cluster.Logger().Warn("Failure refreshing service TTL. ReTrying...", slog.Duration("after", p.retryInterval), slog.Any("error", err))
			}
			select { // OneCode patch: the wait ends at Shutdown
			case <-ctx.Done():
			case <-time.After(p.retryInterval):
			}
		}
	}()
}

func (p *Provider) getID() string {
	return p.self.ID
}

func (p *Provider) getEtcdKey() string {
	return p.buildKey(p.clusterName, p.getID())
}

func (p *Provider) registerService() error {
	data, err := p.self.Serialize()
	if err != nil {
		return err
	}
	fullKey := p.getEtcdKey()
	if err != nil {
		return err
	}
	leaseId := p.getLeaseID()
	if leaseId <= 0 {
		_leaseId, err := p.newLeaseID()
		if err != nil {
			return err
		}
		leaseId = _leaseId
		p.setLeaseID(leaseId)
	}
	ctx, cancel := p.requestContext()
	defer cancel()
	_, err = p.client.Put(ctx, fullKey, string(data), clientv3.WithLease(leaseId))
	if err != nil {
		return err
	}
	return nil
}

func (p *Provider) deregisterService() error {
	fullKey := p.getEtcdKey()
	ctx, cancel := context.WithTimeout(context.Background(), p.requestTimeout)
	defer cancel()
	_, err := p.client.Delete(ctx, fullKey)
	return err
}

func (p *Provider) handleWatchResponse(resp clientv3.WatchResponse) map[string]*Node {
	changes := map[string]*Node{}
	for _, ev := range resp.Events {
		key := string(ev.Kv.Key)
		nodeId, err := getNodeID(key, "/")
		if err != nil {
			p.cluster.Logger().Error("Invalid member.", slog.String("key", key))
			continue
		}

		switch ev.Type {
		case clientv3.EventTypePut:
			node, err := NewNodeFromBytes(ev.Kv.Value)
			if err != nil {
				p.cluster.Logger().Error("Invalid member.", slog.String("key", key))
				continue
			}
			if p.self.Equal(node) {
				// OneCode patch: self back after its key expired and was put again
				// (upstream skipped it, and a member never listed itself again).
				p.cluster.Logger().Debug("Skip self.", slog.String("key", key))
				changes[nodeId] = p.self
				continue
			}
			if _, ok := p.members[nodeId]; ok {
				p.cluster.Logger().Debug("Update member.", slog.String("key", key))
			} else {
				p.cluster.Logger().Debug("New member.", slog.String("key", key))
			}
			changes[nodeId] = node
		case clientv3.EventTypeDelete:
			node, ok := p.members[nodeId]
			if !ok {
				continue
			}
			p.cluster.Logger().Debug("Delete member.", slog.String("key", key))
			cloned := *node
			cloned.SetAlive(false)
			changes[nodeId] = &cloned
		default:
			p.cluster.Logger().Error("Invalid etcd event.type.", slog.String("key", key),
				slog.String("type", ev.Type.String()))
		}
	}
	p.revision = uint64(resp.Header.GetRevision())
	return changes
}

func (p *Provider) keepWatching(ctx context.Context) error {
	clusterKey := p.buildKey(p.clusterName)
	// OneCode patch: watch from just after the revision the member list was read at
	// (upstream watched from "now", so a member leaving in between stayed listed).
	stream := p.client.Watch(clientv3.WithRequireLeader(ctx), clusterKey, clientv3.WithPrefix(),
		clientv3.WithRev(int64(p.revision)+1))
	return p._keepWatching(stream)
}

func (p *Provider) _keepWatching(stream clientv3.WatchChan) error {
	for resp := range stream {
		if err := resp.Err(); err != nil {
			p.cluster.Logger().Error("Failure watching service.")
			return err
		}
		if len(resp.Events) <= 0 {
			p.cluster.Logger().Error("Empty etcd.events.", slog.Int("events", len(resp.Events)))
			continue
		}
		nodesChanges := p.handleWatchResponse(resp)
		p.updateNodesWithChanges(nodesChanges)
		p.publishClusterTopologyEvent()
	}
	return nil
}

func (p *Provider) startWatching() {
	ctx, cancel := context.WithCancel(p.stopCtx) // OneCode patch: ends at Shutdown
	p.cancelWatch = cancel
	go func() {
		for !p.shutdown.Load() && ctx.Err() == nil {
			if err := p.keepWatching(ctx); err != nil && ctx.Err() == nil {
				p.cluster.Logger().Error("Failed to keepWatching.", slog.Any("error", err))
				p.errMu.Lock()
				p.clusterError = err
				p.errMu.Unlock()
				// OneCode patch: the member list is read again before watching again,
				// and the retry waits (upstream looped at once, forever, on a lost etcd).
				select {
				case <-ctx.Done():
				case <-time.After(p.retryInterval):
				}
				if nodes, ferr := p.fetchNodes(); ferr == nil {
					p.resetNodes(nodes)
					p.publishClusterTopologyEvent()
				}
			}
		}
	}()
}

// GetHealthStatus returns an error if the cluster health status has problems
func (p *Provider) GetHealthStatus() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.clusterError
}

func newContext(timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.TODO(), timeout)
}

func (p *Provider) buildKey(names ...string) string {
	return strings.Join(append([]string{p.baseKey}, names...), "/")
}

func (p *Provider) fetchNodes() ([]*Node, error) {
	key := p.buildKey(p.clusterName)
	ctx, cancel := p.requestContext()
	defer cancel()
	resp, err := p.client.Get(ctx, key, clientv3.WithPrefix())
	if err != nil {
		return nil, err
	}
	var nodes []*Node
	for _, v := range resp.Kvs {
		n := Node{}
		if err := n.Deserialize(v.Value); err != nil {
			return nil, err
		}
		nodes = append(nodes, &n)
	}
	p.revision = uint64(resp.Header.GetRevision())
	// plog.Debug("fetch nodes",
	// 	log.Uint64("raft term", resp.Header.GetRaftTerm()),
	// 	log.Int64("revision", resp.Header.GetRevision()))
	return nodes, nil
}

func (p *Provider) updateNodes(members []*Node) {
	for _, n := range members {
		p.members[n.ID] = n
	}
}

// resetNodes replaces the member list with members and self (OneCode patch: after a
// lost watch, the members that left meanwhile must go).
func (p *Provider) resetNodes(members []*Node) {
	p.members = map[string]*Node{}
	p.updateNodesWithSelf(members)
}

func (p *Provider) updateNodesWithSelf(members []*Node) {
	p.updateNodes(members)
	p.members[p.self.ID] = p.self
}

func (p *Provider) updateNodesWithChanges(changes map[string]*Node) {
	for memberId, member := range changes {
		p.members[memberId] = member
		if !member.IsAlive() {
			delete(p.members, memberId)
		}
	}
}

func (p *Provider) createClusterTopologyEvent() []*cluster.Member {
	res := make([]*cluster.Member, len(p.members))
	i := 0
	for _, m := range p.members {
		res[i] = m.MemberStatus()
		i++
	}
	return res
}

func (p *Provider) publishClusterTopologyEvent() {
	res := p.createClusterTopologyEvent()
	p.cluster.Logger().Info("Update cluster.", slog.Int("members", len(res)))
	// for _, m := range res {
	// 	plog.Info("\t", log.Object("member", m))
	// }
	p.cluster.MemberList.UpdateClusterTopology(res)
	// p.cluster.ActorSystem.EventStream.Publish(res)
}

func (p *Provider) getLeaseID() clientv3.LeaseID {
	return (clientv3.LeaseID)(atomic.LoadInt64((*int64)(&p.leaseID)))
}

func (p *Provider) setLeaseID(leaseID clientv3.LeaseID) {
	atomic.StoreInt64((*int64)(&p.leaseID), (int64)(leaseID))
}

func (p *Provider) newLeaseID() (clientv3.LeaseID, error) {
	ttlSecs := int64(p.keepAliveTTL / time.Second)
	ctx, cancel := p.requestContext()
	defer cancel()
	resp, err := p.client.Grant(ctx, ttlSecs)
	if err != nil {
		return 0, err
	}
	return resp.ID, nil
}

func splitHostPort(addr string) (host string, port int, err error) {
	if h, p, e := net.SplitHostPort(addr); e != nil {
		if addr != "nonhost" {
			err = e
		}
		host = "nonhost"
		port = -1
	} else {
		host = h
		port, err = strconv.Atoi(p)
	}
	return
}
