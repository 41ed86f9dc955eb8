package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	appnotify "github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/gateway/push/sandbox"
	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
)

// pushSetup is how the outbox is delivered: the mailbox file alone (no provider),
// or the SMS channel (a configured gateway, or the demo's in-process push sandbox)
// with the mailbox for notices no channel reaches.
type pushSetup struct {
	send      appnotify.Sender
	prefetch  func(ctx context.Context, ms []appnotify.Message) context.Context // reads ahead for a claimed batch (nil: none)
	stats     *appnotify.Stats
	receipts  http.Handler // the SMS gateway's receipts; nil without SMS
	sandbox   *http.Server
	sb        *sandbox.Sandbox
	sandboxAt string // the push sandbox's base URL; empty when none runs
	// sms is the guarded SMS channel (nil without one): operators' alarms go
	// through it (cmd/onecode/ops.go).
	sms *appnotify.Guarded
	// wechat is the official account (nil without one): template messages to
	// guardians who linked WeChat, and the link service (cmd/onecode/wechat.go).
	wechat *wechatSetup
}

func (p *pushSetup) Close() {
	if p.sandbox != nil {
		p.sandbox.Close()
	}
	if p.sb != nil {
		p.sb.Close()
	}
}

// setupPush wires the outbox's delivery; phoneKey is the phone seal key (one-time
// code messages and parents' records). The SMS secret is read from its file;
// the demo's sandbox gets a fresh random one at each start.
func setupPush(cfg Config, demo bool, dir directory.Store, box outbox.Store, phoneKey []byte, logger *slog.Logger) (*pushSetup, error) {
	p := &pushSetup{stats: &appnotify.Stats{}}
	mailbox := p.mailbox(filepath.Join(cfg.Server.DataDir, "outbox.jsonl"), logger)
	pc := cfg.Push
	// Staff notices (a failed refund to finance staff) are e-mailed through the
	// operators' SMTP server (ops.smtp), when one is configured.
	staffMail, err := staffEmailChannel(cfg.Ops.SMTP, p.stats, logger)
	if err != nil {
		return nil, err
	}
	if pc.SMSURL == "" && !demo && staffMail == nil && !pc.WeChat.enabled() {
		// No SMS provider: messages (arrears notices, one-time codes) go to the mailbox
		// file <data-dir>/outbox.jsonl; the log says only that a message went.
		p.send = mailbox
		return p, nil
	}
	var channels []appnotify.Channel
	templates := map[appnotify.ChannelName]map[string]appnotify.Template{}
	if pc.SMSURL != "" || demo {
		if err := p.setupSMS(cfg, pc, box, logger); err != nil {
			p.Close()
			return nil, err
		}
		channels, templates[appnotify.SMS] = append(channels, p.sms), smsTemplates(pc)
	}
	if staffMail != nil {
		channels, templates[appnotify.Email] = append(channels, staffMail), staffEmailTemplates()
	}
	if err := p.setupWeChat(cfg, demo, logger); err != nil {
		p.Close()
		return nil, err
	}
	book := appnotify.GuardianBook{Directory: dir, SealKey: phoneKey, Prefs: preferencesOf(box)}
	if p.wechat != nil {
		channels, templates[appnotify.WeChat] = append(channels, p.wechat.guarded), p.wechat.templates
		if links, ok := dir.(directory.WeChatLinks); ok {
			book.WeChat = links
		}
	}
	// The outbox store records each accepted delivery (the channel that carried
	// it, for the staff's notices page) and is read when a notice goes again.
	// So does the mark of a WeChat address that cannot be reached (43004, 40003).
	deliveries, _ := box.(outbox.DeliveryLog)
	unreachables, _ := box.(outbox.Unreachables)
	if p.wechat != nil && unreachables != nil {
		p.wechat.linked = appnotify.ClearUnreachable(unreachables, phoneKey)
	}
	router, err := appnotify.NewRouter(appnotify.RouterConfig{
		Deliveries:   deliveries,
		Unreachables: unreachables,
		Channels:     channels,
		Templates:    templates,
		// issue 12: guardians by WeChat template message when they linked WeChat,
		// else by the phone sealed in their record; a notice none of whose guardians
		// is reachable (not logged in since phones were kept) goes to the mailbox.
		// Staff by the e-mail in theirs.
		Contacts: appnotify.Books{Guardians: book, Staff: appnotify.StaffBook{Directory: dir}},
		Fallback: mailbox,
		PhoneKey: phoneKey,
		Logger:   logger,
	})
	if err != nil {
		p.Close()
		return nil, err
	}
	p.send, p.prefetch = router.Send, router.Prefetch
	return p, nil
}

// mailbox sends to the mailbox file at path, counted in p.stats.
func (p *pushSetup) mailbox(path string, logger *slog.Logger) func(context.Context, appnotify.Message) error {
	fileSend := appnotify.FileSender(path, time.Now, logger)
	return func(ctx context.Context, m appnotify.Message) error {
		err := fileSend(ctx, m)
		outcome := appnotify.OutcomeSent
		if err != nil {
			outcome = appnotify.OutcomeFailed
		}
		p.stats.Add(appnotify.Mailbox, outcome)
		return err
	}
}

// setupSMS builds the guarded SMS channel (p.sms) and its receipts' handler: a
// configured gateway, or the demo's in-process push sandbox.
func (p *pushSetup) setupSMS(cfg Config, pc PushConfig, box outbox.Store, logger *slog.Logger) error {
	var creds sms.Credentials
	if pc.SMSURL == "" {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		creds = sms.Credentials{KeyID: "demo", Secret: secret}
		if err := p.startSandbox(cfg, creds, logger); err != nil {
			return err
		}
		pc.SMSURL = p.sandboxAt
	} else {
		secret, err := os.ReadFile(pc.SMSSecretFile)
		if err != nil {
			return fmt.Errorf("push: SMS secret: %w", err)
		}
		creds = sms.Credentials{KeyID: pc.SMSKeyID, Secret: []byte(strings.TrimSpace(string(secret)))}
	}
	client, err := sms.NewClient(sms.Config{BaseURL: pc.SMSURL, Credentials: creds, SignName: pc.SMSSignName})
	if err != nil {
		return err
	}
	limits := appnotify.DefaultLimits()
	limits.CallTimeout, limits.Rate = pc.CallTimeout, pc.Rate
	guarded, err := appnotify.Guard(client, limits, p.stats, func(ch appnotify.ChannelName, from, to gobreaker.State) {
		logger.Warn("push breaker", slog.String("channel", string(ch)), slog.String("from", from.String()), slog.String("to", to.String()))
	})
	if err != nil {
		return err
	}
	p.sms = guarded
	p.receipts = sms.ReceiptHandler(creds, appnotify.Receipts{Store: box, Logger: logger}, nil, logger)
	return nil
}

// smsTemplates are the SMS templates of the login code and of every notice
// kind: the configured ids of the login code, arrears and binding notices,
// SMS_<KIND> for the other kinds (register the same copy with the provider).
func smsTemplates(pc PushConfig) map[string]appnotify.Template {
	ids := map[appnotify.Kind]string{}
	for _, k := range appnotify.AllKinds() {
		ids[k] = "SMS_" + strings.ToUpper(string(k))
	}
	ids[appnotify.KindArrears], ids[appnotify.KindGuardianBound] = pc.SMSTemplateArrears, pc.SMSTemplateBinding
	out := appnotify.KindTemplates(ids)
	out[string(appnotify.KindLoginCode)] = appnotify.Template{ID: pc.SMSTemplateOTP, Text: appnotify.TextOTP}
	return out
}

// runNotices drains the notices' outbox through the push setup until ctx ends.
func runNotices(ctx context.Context, cfg Config, box outbox.Store, p *pushSetup, logger *slog.Logger) {
	appnotify.RunNotices(ctx, box, p.send, appnotify.RunOptions{Lease: cfg.Push.NoticeLease,
		Workers: cfg.Push.SendWorkers, Batch: cfg.Push.NoticeBatch, Prefetch: p.prefetch}, logger)
}

// startSandbox serves the push sandbox on push.sandbox_addr; its SMS receipts
// go to this switch's HTTP address.
func (p *pushSetup) startSandbox(cfg Config, creds sms.Credentials, logger *slog.Logger) error {
	lis, err := net.Listen("tcp", cfg.Push.SandboxAddr)
	if err != nil {
		return fmt.Errorf("push sandbox listen: %w", err)
	}
	public := publicBase(cfg)
	p.sb, err = sandbox.New(sandbox.Config{SMS: creds, WeChatAppID: demoWeChatAppID, WeChatSecret: demoWeChatSecret,
		ReceiptURL: public + sms.ReceiptPath, Logger: logger.With(slog.String("component", "push-sandbox"))})
	if err != nil {
		lis.Close()
		return err
	}
	p.sandbox = &http.Server{Handler: p.sb.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go p.sandbox.Serve(lis)
	p.sandboxAt = "http://" + lis.Addr().String()
	logger.Info("demo: push sandbox (SMS and WeChat APIs)", slog.String("url", p.sandboxAt))
	return nil
}

// notifyCollector exports the notices' counters by channel and outcome.
type notifyCollector struct {
	stats *appnotify.Stats
	desc  *prometheus.Desc
}

func (c notifyCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c notifyCollector) Collect(ch chan<- prometheus.Metric) {
	for _, n := range c.stats.Counts() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(n.N), n.Channel, n.Outcome)
	}
}

func registerNotifyMetrics(reg *prometheus.Registry, stats *appnotify.Stats) {
	reg.MustRegister(notifyCollector{stats: stats, desc: prometheus.NewDesc("onecode_notices_total",
		"Notices by channel (sms, wechat, email, mailbox) and outcome (sent, failed, retried).", []string{"channel", "outcome"}, nil)})
}

// preferencesOf answers the guardians' notice preferences kept beside the outbox
// (nil without one: every channel and kind on).
func preferencesOf(box outbox.Store) outbox.PreferenceStore {
	if ps, ok := box.(outbox.PreferenceStore); ok {
		return ps
	}
	return nil
}
