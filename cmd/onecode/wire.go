package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/access"
	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/domain/card"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/outbox"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// cacheSet is the member's cache (rate limits, sessions, one-time codes) and bus (card
// revocations to every member): Redis when configured, so that several members share
// them, else the in-process stand-ins. Never money truth.
type cacheSet struct {
	kv        cache.Cache
	bus       cache.Bus
	kind      string
	readiness []gateway.ReadinessCheck
	close     func()
}

func openCache(ctx context.Context, cfg Config) (cacheSet, error) {
	c := cacheSet{bus: cache.NewMemoryBus(), kind: "memory", close: func() {}}
	if cfg.Server.RedisAddr == "" {
		kv, err := cache.NewMemory(cache.MemoryOptions{})
		c.kv = kv
		return c, err
	}
	rdb := redis.NewClient(&redis.Options{Addr: cfg.Server.RedisAddr, DialTimeout: 2 * time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	c.close = func() { rdb.Close() }
	if err := rdb.Ping(ctx).Err(); err != nil {
		c.close()
		return c, fmt.Errorf("redis at %s: %w", cfg.Server.RedisAddr, err)
	}
	c.kind = "redis"
	c.readiness = []gateway.ReadinessCheck{{Name: "redis", Check: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }}}
	var err error
	if c.kv, err = cache.NewRedis(rdb, cache.RedisOptions{Prefix: cfg.Server.RedisPrefix}); err == nil {
		c.bus, err = cache.NewRedisBus(rdb, cache.RedisOptions{Prefix: cfg.Server.RedisPrefix})
	}
	if err != nil {
		c.close()
	}
	return c, err
}

// memberKeys are the card keyring and the keys of the ID-number and phone hashes.
type memberKeys struct {
	keyring           *card.Keyring
	idHash, phoneHash []byte
	phoneSeal         []byte // seals parents' phones (issue 12)
}

// loadKeys reads the keys directory. A single node makes its hash keys on first start;
// cluster members must share one keys directory, so none of them may make its own.
func loadKeys(cfg Config, logger *slog.Logger) (memberKeys, error) {
	dir := cfg.Server.KeysDir
	if dir == "" {
		dir = filepath.Join(cfg.Server.DataDir, "keys")
	}
	var k memberKeys
	var err error
	if k.keyring, err = loadKeyring(dir, cfg.Server.KeysDir == "", logger); err != nil {
		return k, err
	}
	single := cfg.Cluster.Provider == string(actors.ProviderSingle)
	if k.idHash, err = loadSecret(filepath.Join(dir, idHashKeyFile), single); err != nil {
		return k, fmt.Errorf("ID-number hash key: %w", err)
	}
	if k.phoneHash, err = loadSecret(filepath.Join(dir, phoneHashKeyFile), single); err != nil {
		return k, fmt.Errorf("phone hash key: %w", err)
	}
	// issue 12: parents' phones kept sealed for SMS notices. A keys directory made
	// before it lacks the file: add 32 random bytes as DIR/phoneseal.key on every member.
	if k.phoneSeal, err = loadSecret(filepath.Join(dir, phoneSealKeyFile), single); err != nil {
		return k, fmt.Errorf("phone seal key: %w", err)
	}
	return k, nil
}

// startMember starts the cluster member with the Account grain kind on the stores, and
// relays card revocations through bus. stop ends both.
func startMember(ctx context.Context, cfg Config, st *stores, bus cache.Bus, logger *slog.Logger) (*actors.Member, *actors.AccountDeps, func(), error) {
	accountDeps := &actors.AccountDeps{
		Writer:        st.writer,
		Store:         st.journal,
		SnapshotEvery: cfg.Journal.SnapshotEvery,
		IOTimeout:     cfg.Account.CallTimeout,
		IdleTimeout:   cfg.Account.IdleTimeout,
		Now:           time.Now,
		Logger:        logger,
		Stats:         &actors.AccountStats{},
		Revocations:   actors.NewRevocationHub(),
	}
	if cfg.Ops.MailboxDepths {
		accountDeps.Mailboxes = actors.NewMailboxes() // the terminal sessions share it (storesOf)
	}
	if st.outbox != nil {
		// issue 12: low balance, recharge receipts, loss and re-issue notices, told
		// after each commit and queued once by their dedupe keys.
		accountDeps.Observer = appnotify.NewAccountNotices(st.outbox, st.directory)
	}
	stopRelay, err := accountDeps.Revocations.RelayThrough(bus, logger)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("revocation relay: %w", err)
	}
	mc := cfg.member()
	mc.Logger = logger
	mc.Kinds = append(mc.Kinds, actors.NewAccountKind(accountDeps))
	m, err := actors.StartMember(ctx, mc)
	if err != nil {
		stopRelay()
		return nil, nil, nil, err
	}
	return m, accountDeps, func() { m.Stop(true); stopRelay() }, nil
}

// memberReady is the readiness check of the cluster membership.
func memberReady(m *actors.Member) gateway.ReadinessCheck {
	return gateway.ReadinessCheck{Name: "cluster", Check: func(context.Context) error {
		if m.Size() == 0 {
			return fmt.Errorf("no cluster members")
		}
		return nil
	}}
}

// storesOf are the stores and grains the use cases are built on.
func storesOf(cfg Config, m *actors.Member, ad *actors.AccountDeps, st *stores, c cacheSet, sessions *access.Sessions, k memberKeys, logger *slog.Logger) gateway.Deps {
	return gateway.Deps{
		Accounts:     actors.NewAccounts(m.Cluster, cfg.Account.CallTimeout, cfg.Account.CallRetries),
		Revocations:  ad.Revocations,
		Directory:    st.directory,
		Journal:      st.journal,
		FeeStore:     st.fees,
		Outbox:       st.outbox,
		Keyring:      k.keyring,
		IDHashKey:    k.idHash,
		Cache:        c.kv,
		Sessions:     sessions,
		PhoneHashKey: k.phoneHash,
		PhoneSealKey: k.phoneSeal,
		Business:     &actors.BusinessStats{},
		Mailboxes:    ad.Mailboxes,
		Now:          time.Now,
		Rand:         rand.Reader,
		Logger:       logger,
	}
}

// services are the gRPC services of the edge.
type services struct {
	admin  apiv1.AdminServiceServer
	auth   *gateway.AuthService
	parent *gateway.ParentService
	staff  *gateway.StaffService
	term   apiv1.TerminalServiceServer

	feeStaff  apiv1.FeeStaffServiceServer
	feeParent apiv1.FeeParentServiceServer
	feeItems  apiv1.FeeItemStaffServiceServer
	refunds   apiv1.RefundStaffServiceServer
	feeImport apiv1.FeeImportServiceServer
	inbox     apiv1.ParentNoticesServiceServer
	wechat    *gateway.WeChatService // links parents' WeChat (disabled without an official account)
	ops       apiv1.OpsServiceServer // set by serveEdge (cmd/onecode/ops.go)
}

func newServices(cfg Config, deps gateway.Deps, rs *rechargeSetup, m *actors.Member, logger *slog.Logger) (*services, error) {
	s := &services{admin: gateway.NewAdminService(deps), term: gateway.NewTerminalService(deps, m.Cluster.ActorSystem),
		wechat: gateway.NewWeChatService(nil)}
	var err error
	if s.auth, err = gateway.NewAuthService(deps, access.AuthOptions{}); err != nil {
		return nil, err
	}
	var desk gateway.RechargeDesk
	if rs.recharges != nil {
		desk = rs.recharges
	}
	if s.parent, err = gateway.NewParentService(deps, desk); err != nil {
		return nil, err
	}
	if ps, ok := deps.Outbox.(outbox.PreferenceStore); ok {
		s.parent.WithNoticePrefs(&appnotify.Prefs{Store: ps})
	}
	if s.staff, err = gateway.NewStaffService(deps); err != nil {
		return nil, err
	}
	s.staff.SheetFont = loadSheetFont(cfg.Server.SheetFont, logger)
	var online gateway.FeeOnlineDesk
	if rs.recharges != nil {
		online = rs.recharges
	}
	feeStaff, feeParent, err := gateway.NewFeeServices(deps, online)
	if err != nil {
		return nil, err
	}
	feeParent.ReceiptFont = s.staff.SheetFont // receipts print Chinese with the sheet's font
	s.feeStaff, s.feeParent = feeStaff, feeParent
	if s.feeItems, err = gateway.NewFeeItemService(deps); err != nil {
		return nil, err
	}
	if s.feeImport, err = gateway.NewFeeImportService(deps); err != nil {
		return nil, err
	}
	s.refunds = gateway.NewRefundService(rs.recharges)
	if s.inbox, err = gateway.NewParentNoticesService(deps); err != nil {
		return nil, err
	}
	return s, nil
}

// register registers every service on the gRPC server.
func (s *services) register(g *grpc.Server) {
	apiv1.RegisterAdminServiceServer(g, s.admin)
	apiv1.RegisterAuthServiceServer(g, s.auth)
	apiv1.RegisterParentServiceServer(g, s.parent)
	apiv1.RegisterStaffServiceServer(g, s.staff)
	apiv1.RegisterTerminalServiceServer(g, s.term)
	apiv1.RegisterFeeStaffServiceServer(g, s.feeStaff)
	apiv1.RegisterFeeParentServiceServer(g, s.feeParent)
	apiv1.RegisterFeeItemStaffServiceServer(g, s.feeItems)
	apiv1.RegisterRefundStaffServiceServer(g, s.refunds)
	apiv1.RegisterFeeImportServiceServer(g, s.feeImport)
	apiv1.RegisterParentNoticesServiceServer(g, s.inbox)
	apiv1.RegisterWeChatServiceServer(g, s.wechat)
	if s.ops != nil {
		apiv1.RegisterOpsServiceServer(g, s.ops)
	}
}
