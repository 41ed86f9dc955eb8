package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/gateway"
	"github.com/onecode/onecode/persistence/alarms"
	"github.com/onecode/onecode/persistence/alarms/pgalarms"
	"github.com/onecode/onecode/persistence/alarms/sqlitealarms"
	"github.com/onecode/onecode/persistence/journal"
	"github.com/onecode/onecode/persistence/orders"
)

// OpsConfig is operations (issue 14): when alarms are raised and where they go.
type OpsConfig struct {
	// OfflineAfter: a terminal silent this long during service hours is offline.
	OfflineAfter time.Duration `yaml:"offline_after"`
	// ServiceFrom and ServiceTo bound the service hours (since midnight,
	// Asia/Shanghai); equal values (the default) mean all day.
	ServiceFrom time.Duration `yaml:"service_from"`
	ServiceTo   time.Duration `yaml:"service_to"`
	// IllegalPerMinute failed handshakes of one terminal in a minute raise an alarm.
	IllegalPerMinute int `yaml:"illegal_per_minute"`
	// BreakerOpenFor: a breaker open this long raises an alarm.
	BreakerOpenFor time.Duration `yaml:"breaker_open_for"`
	// OrderDeadline: a recharge order unresolved this long raises an alarm.
	OrderDeadline time.Duration `yaml:"order_deadline"`
	// Audit runs the wallet auditor on this member; of the members that do, one
	// audits at a time (a lease in the alarm store), another takes over within
	// 30 s when it dies. AuditEvery is its pause between steps of AuditAccounts accounts.
	Audit         bool          `yaml:"audit"`
	AuditEvery    time.Duration `yaml:"audit_every"`
	AuditAccounts int           `yaml:"audit_accounts"`
	// MailboxDepths tracks the mailbox depth of every account grain and terminal
	// session (a protoactor mailbox middleware): the busiest actors on the ops page
	// and onecode_mailbox_depth_max. Off: plain mailboxes, nothing shown.
	MailboxDepths bool `yaml:"mailbox_depths"`
	// AlarmSMS are the operators' phones new alarms are sent to by SMS (the push
	// channel; with --demo, the push sandbox); AlarmSMSTemplate its template id.
	AlarmSMS         []string `yaml:"alarm_sms"`
	AlarmSMSTemplate string   `yaml:"alarm_sms_template"`
	// AlarmEmail are the operators' e-mail addresses new alarms are sent to,
	// through SMTP (ops_email.go).
	AlarmEmail []string `yaml:"alarm_email"`
	SMTP       OpsSMTP  `yaml:"smtp"`
}

func defaultOpsConfig() OpsConfig {
	return OpsConfig{OfflineAfter: 90 * time.Second, IllegalPerMinute: 5, BreakerOpenFor: time.Minute,
		OrderDeadline: 30 * time.Minute, Audit: true, AuditEvery: 200 * time.Millisecond, AuditAccounts: 50,
		MailboxDepths:    true,
		AlarmSMSTemplate: "SMS_OPS_ALARM"}
}

func (c OpsConfig) validate() error {
	if c.OfflineAfter < 5*time.Second || c.OfflineAfter > 24*time.Hour || c.ServiceFrom < 0 || c.ServiceFrom > 24*time.Hour ||
		c.ServiceTo < 0 || c.ServiceTo > 24*time.Hour || c.IllegalPerMinute < 1 || c.IllegalPerMinute > 10_000 ||
		c.BreakerOpenFor < time.Second || c.OrderDeadline < time.Minute || c.AuditEvery < 0 || c.AuditEvery > time.Minute ||
		c.AuditAccounts < 1 || c.AuditAccounts > journal.MaxAuditPage || len(c.AlarmSMS) > 16 {
		return fmt.Errorf("ops: offline_after in [5s, 24h], service_from/to in [0, 24h], illegal_per_minute 1..10000, "+
			"breaker_open_for ≥ 1s, order_deadline ≥ 1m, audit_every in [0, 1m], audit_accounts 1..%d, at most 16 alarm_sms",
			journal.MaxAuditPage)
	}
	return c.validateEmail()
}

// opsSetup is the operators' side of a member: the alarm store, the watcher and
// auditor loops, the ops API.
type opsSetup struct {
	store alarms.Store
	board *ops.Board
	api   *gateway.OpsService
	mail  *notify.Guarded // the alarm e-mail channel (nil without ops.alarm_email)
	// auditor is nil when this member does not audit.
	auditor *ops.Auditor
	// Outbox counts the notices' backlog once the notices' store
	// (persistence/outbox) is wired: opsSet.Outbox.Set(thatStore); -1 until then.
	Outbox ops.OutboxBacklog
	cancel context.CancelFunc
	done   sync.WaitGroup
}

func (o *opsSetup) Close() {
	o.cancel()
	o.done.Wait()
	o.store.Close()
}

// setupOps opens the alarm store, gives the terminal edge its board and access
// tracker (deps), and starts the watcher and (if configured) the auditor.
func setupOps(ctx context.Context, cfg Config, deps *gateway.Deps, st *stores, rs *rechargeSetup, push *pushSetup,
	m *actors.Member, stats *actors.AccountStats) (*opsSetup, error) {
	logger := deps.Logger.With(slog.String("component", "ops"))
	store, err := openAlarms(ctx, cfg)
	if err != nil {
		return nil, err
	}
	o := &opsSetup{store: store}
	var notifier ops.Notifier
	n := ops.ChannelNotifier{}
	if push.sms != nil {
		for _, phone := range cfg.Ops.AlarmSMS {
			n.Targets = append(n.Targets, ops.Target{Channel: push.sms, To: phone,
				Template: notify.Template{ID: cfg.Ops.AlarmSMSTemplate, Text: ops.TextAlarm}})
		}
	}
	mails, mailCh, err := alarmEmailTargets(cfg.Ops, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	o.mail = mailCh
	if n.Targets = append(n.Targets, mails...); len(n.Targets) > 0 {
		// Each delivery is a notice on the durable outbox, sent by the notices'
		// runner (retried until the channel accepts it, sent once).
		d := ops.Deliveries{Store: st.outbox, Targets: n.Targets}
		notifier = d
		push.send = ops.RouteAlarms(d.Send, push.send)
	}
	al := ops.NewAlarms(store, notifier, time.Now, logger)
	deps.Terminals, deps.TerminalAccess = ops.NewBoard(time.Now), ops.NewAccess(time.Now)
	o.board = deps.Terminals
	// Scopes this member's own alarms; the cluster address may change at a restart
	// (a random port), the configured host and gRPC address do not.
	member := cfg.Cluster.Host + "_" + cfg.Server.GRPCAddr
	// This start of the member: its terminals' day counts start from zero again
	// and are written as another run (summed with the earlier ones).
	run := m.ID()
	breakers := breakerSource(rs, push, mailCh)
	watcher, err := ops.NewWatcher(ops.WatchConfig{Alarms: al, Member: member, Run: run, Board: deps.Terminals, Access: deps.TerminalAccess,
		Journal: st.writer.Stats, Breakers: breakers, Overdue: overdueSource(rs),
		OfflineAfter: cfg.Ops.OfflineAfter, Hours: ops.ServiceHours{From: cfg.Ops.ServiceFrom, To: cfg.Ops.ServiceTo},
		IllegalPerMin: cfg.Ops.IllegalPerMinute, BreakerOpenFor: cfg.Ops.BreakerOpenFor, OrderDeadline: cfg.Ops.OrderDeadline,
		Logger: logger})
	if err != nil {
		store.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	o.cancel = cancel
	o.done.Add(1)
	go func() { defer o.done.Done(); watcher.Run(runCtx) }()
	if reader, ok := st.journal.(journal.AuditReader); ok && cfg.Ops.Audit {
		auditor, err := ops.NewAuditor(ops.AuditConfig{Reader: reader, Alarms: al, AccountsPerStep: cfg.Ops.AuditAccounts,
			Every: cfg.Ops.AuditEvery, Holder: member, Logger: logger})
		if err != nil {
			o.Close()
			return nil, err
		}
		o.auditor = auditor
		o.done.Add(1)
		go func() { defer o.done.Done(); auditor.Run(runCtx) }()
	}
	o.api = gateway.NewOpsService(ops.NewService(ops.Sources{Member: member, Run: run, Members: memberSource(m, stats, deps.Mailboxes),
		Journal: st.writer.Stats, Breakers: breakers, Board: deps.Terminals, Backlogs: backlogSource(rs, cfg.Ops.OrderDeadline, &o.Outbox)}, al))
	return o, nil
}

func openAlarms(ctx context.Context, cfg Config) (alarms.Store, error) {
	if dsn := cfg.Server.PostgresDSN; dsn != "" {
		s, err := pgalarms.Open(ctx, dsn, pgalarms.Options{})
		if err != nil {
			return nil, fmt.Errorf("alarms on postgres: %w", err)
		}
		return s, nil
	}
	path := filepath.Join(cfg.Server.DataDir, "onecode.db")
	s, err := sqlitealarms.Open(ctx, path, sqlitealarms.Options{})
	if err != nil {
		return nil, fmt.Errorf("alarms %s: %w", path, err)
	}
	return s, nil
}

// memberSource lists the topology's members, this one with its grain figures
// and its busiest mailboxes (mb may be nil); since is when this member first saw each.
func memberSource(m *actors.Member, stats *actors.AccountStats, mb *actors.Mailboxes) func() []ops.MemberFigures {
	var mu sync.Mutex
	since := map[string]time.Time{}
	return func() []ops.MemberFigures {
		now := time.Now()
		var out []ops.MemberFigures
		mu.Lock()
		defer mu.Unlock()
		seen := map[string]bool{}
		for _, cm := range m.Cluster.MemberList.Members().Members() {
			if _, ok := since[cm.Id]; !ok {
				since[cm.Id] = now
			}
			seen[cm.Id] = true
			f := ops.MemberFigures{ID: cm.Id, Address: cm.Host + ":" + strconv.Itoa(int(cm.Port)), State: "alive",
				Since: since[cm.Id], Self: cm.Id == m.ID()}
			if f.Self && stats != nil {
				f.Activations, f.Passivations = stats.Activated.Load(), stats.Passivated.Load()
				f.ActiveAccounts = f.Activations - f.Passivations
			}
			if f.Self {
				for _, d := range mb.Deepest(ops.BusiestMailboxes) {
					f.Mailboxes = append(f.Mailboxes, ops.Mailbox{Actor: d.Actor, Depth: int(d.Depth)})
				}
			}
			out = append(out, f)
		}
		for id := range since {
			if !seen[id] {
				delete(since, id)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
		return out
	}
}

// breakerSource names the aggregator's breakers aggregator/<operation> and the
// SMS channel's notify/sms, the alarm e-mail channel's ops/email.
func breakerSource(rs *rechargeSetup, push *pushSetup, mail *notify.Guarded) func() []ops.BreakerFigure {
	return func() []ops.BreakerFigure {
		var out []ops.BreakerFigure
		if rs.client != nil {
			for op, s := range rs.client.BreakerStates() {
				out = append(out, ops.BreakerFigure{Name: "aggregator/" + string(op), State: s.String()})
			}
		}
		if push.sms != nil {
			out = append(out, ops.BreakerFigure{Name: "notify/" + string(push.sms.Name()), State: push.sms.State().String()})
		}
		if mail != nil {
			out = append(out, ops.BreakerFigure{Name: "ops/" + string(mail.Name()), State: mail.State().String()})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out
	}
}

func overdueSource(rs *rechargeSetup) func(ctx context.Context, olderThan time.Time, limit int) ([]ops.OverdueOrder, error) {
	if rs.orders == nil {
		return nil
	}
	return func(ctx context.Context, olderThan time.Time, limit int) ([]ops.OverdueOrder, error) {
		list, err := rs.orders.ListToResolve(ctx, olderThan, limit)
		out := make([]ops.OverdueOrder, len(list))
		for i, o := range list {
			out[i] = ops.OverdueOrder{OrderID: o.OrderID, AccountID: o.AccountID, Since: o.UpdatedAt}
		}
		return out, err
	}
}

// backlogSource counts open and overdue orders (up to orders.MaxBatch each) and
// the queued notices (-1 while no notices' store is set on ob).
func backlogSource(rs *rechargeSetup, deadline time.Duration, ob *ops.OutboxBacklog) func(ctx context.Context) (ops.Backlogs, error) {
	return func(ctx context.Context) (ops.Backlogs, error) {
		b := ops.Backlogs{OpenOrders: -1, OverdueOrders: -1}
		var err error
		if b.OutboxPending, err = ob.Count(ctx); err != nil || rs.orders == nil {
			return b, err
		}
		now := time.Now()
		open, err := rs.orders.ListToResolve(ctx, now, orders.MaxBatch)
		if err != nil {
			return b, err
		}
		late, err := rs.orders.ListToResolve(ctx, now.Add(-deadline), orders.MaxBatch)
		b.OpenOrders, b.OverdueOrders = int64(len(open)), int64(len(late))
		return b, errors.Join(err)
	}
}

// registerAlarmMetrics exports the open alarms by kind and level (read from the
// alarm store at each scrape, within 2 s; at most alarms.MaxListLimit of them) and
// the terminals this member serves online, for the alert rules of
// ops/prometheus/onecode-rules.yml. Alarms are switch-wide: every member exports
// the same counts (rules take max over instances). It also exports whether this
// member's wallet auditor holds the audit lease (one member does at a time).
func registerAlarmMetrics(reg *prometheus.Registry, o *opsSetup) {
	reg.MustRegister(&alarmCollector{store: o.store, board: o.board, auditor: o.auditor})
}

var (
	descAlarmsOpen = prometheus.NewDesc("onecode_alarms_open", "Open (not cleared) operator alarms by kind and level.", []string{"kind", "level"}, nil)
	descTermOnline = prometheus.NewDesc("onecode_terminals_online", "Terminals with a session open on this member.", nil, nil)
	descAuditing   = prometheus.NewDesc("onecode_ops_auditor_lease_held",
		"1 when this member's wallet auditor holds the audit lease and audits (one member at a time), else 0.", nil, nil)
)

type alarmCollector struct {
	store   alarms.Store
	board   *ops.Board
	auditor *ops.Auditor
}

func (c *alarmCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descAlarmsOpen
	ch <- descTermOnline
	ch <- descAuditing
}

func (c *alarmCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts := map[[2]string]int{}
	for _, kind := range []string{ops.KindTerminalOffline, ops.KindIllegalAccess, ops.KindWalletAnomaly, ops.KindLedgerImbalance,
		ops.KindJournal, ops.KindBreakerOpen, ops.KindOrderOverdue} {
		counts[[2]string{kind, string(ops.Warning)}], counts[[2]string{kind, string(ops.Critical)}] = 0, 0
	}
	if list, err := c.store.List(ctx, alarms.Filter{OpenOnly: true, Limit: alarms.MaxListLimit}); err == nil {
		for _, a := range list {
			counts[[2]string{a.Kind, string(a.Level)}]++
		}
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(descAlarmsOpen, prometheus.GaugeValue, float64(n), k[0], k[1])
	}
	online := 0
	for _, t := range c.board.Terminals("") {
		if t.Online {
			online++
		}
	}
	ch <- prometheus.MustNewConstMetric(descTermOnline, prometheus.GaugeValue, float64(online))
	auditing := 0.0
	if c.auditor.Holding() {
		auditing = 1
	}
	ch <- prometheus.MustNewConstMetric(descAuditing, prometheus.GaugeValue, auditing)
}
