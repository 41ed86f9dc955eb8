package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/persistence/alarms/sqlitealarms"
	"github.com/onecode/onecode/terminalclient"
)

// opsMailServer is a real SMTP server in this process (go-smtp), as in
// gateway/push/email's test: STARTTLS with a fresh self-signed certificate
// (written to caFile), PLAIN auth only after TLS, messages kept.
type opsMailServer struct {
	addr, caFile string
	mu           sync.Mutex
	got          []opsMail
	refuse       int // the next messages refused (451, try later)
	refused      int
}

type opsMail struct {
	to   string
	tls  bool
	data []byte
}

type opsMailSession struct {
	s    *opsMailServer
	c    *smtp.Conn
	to   string
	user string
}

func (ss *opsMailSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ss *opsMailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "alarms" || pass != "pw-Zq81" {
			return errors.New("bad credentials")
		}
		ss.user = user
		return nil
	}), nil
}
func (ss *opsMailSession) Mail(string, *smtp.MailOptions) error {
	if ss.user == "" {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (ss *opsMailSession) Rcpt(to string, _ *smtp.RcptOptions) error { ss.to = to; return nil }
func (ss *opsMailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.c.TLSConnectionState()
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.refuse > 0 {
		ss.s.refuse--
		ss.s.refused++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	ss.s.got = append(ss.s.got, opsMail{to: ss.to, tls: isTLS, data: b})
	return nil
}
func (ss *opsMailSession) Reset()        { ss.to = "" }
func (ss *opsMailSession) Logout() error { return nil }

func (ms *opsMailServer) mails() []opsMail {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]opsMail(nil), ms.got...)
}

func startOpsMailServer(t *testing.T) *opsMailServer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		DNSNames: []string{"mail.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ms := &opsMailServer{caFile: filepath.Join(t.TempDir(), "ca.pem")}
	if err := os.WriteFile(ms.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &opsMailSession{s: ms, c: c}, nil }))
	srv.Domain = "mail.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(func() { srv.Close() })
	ms.addr = lis.Addr().String()
	return ms
}

// TestAlarmEmail: an alarm raised (by the Alarms use case, on a real alarm store)
// is mailed once to each ops.alarm_email recipient over STARTTLS with the
// password read from its file; raised again while open it is not mailed again;
// cleared and raised again (re-armed) it is. The password is never logged.
func TestAlarmEmail(t *testing.T) {
	ms := startOpsMailServer(t)
	pwFile := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(pwFile, []byte("pw-Zq81\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := defaultOpsConfig()
	cfg.AlarmEmail = []string{"ops-a@school.test", "Duty <ops-b@school.test>"}
	cfg.SMTP = OpsSMTP{Addr: ms.addr, From: "OneCode <alarms@onecode.test>", Username: "alarms", PasswordFile: pwFile,
		CAFile: ms.caFile, ServerName: "mail.test"}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	targets, ch, err := alarmEmailTargets(cfg, logger)
	if err != nil || ch == nil || len(targets) != 2 {
		t.Fatalf("targets %d, channel %v: %v", len(targets), ch, err)
	}
	store, err := sqlitealarms.Open(context.Background(), filepath.Join(t.TempDir(), "alarms.db"), sqlitealarms.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	al := ops.NewAlarms(store, ops.ChannelNotifier{Targets: targets}, time.Now, logger)
	ctx := context.Background()
	a := ops.Alarm{Key: ops.Key(ops.KindTerminalOffline, "", "T-9"), Kind: ops.KindTerminalOffline, Level: ops.Warning,
		SchoolID: "35001", Subject: "T-9", Message: "terminal T-9: disconnected for 95 s during service hours"}
	for range 3 {
		if _, _, err := al.Raise(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got := ms.mails()
	if len(got) != 2 {
		t.Fatalf("%d mails after raising one alarm three times, want 2 (one per recipient)", len(got))
	}
	tos := map[string]bool{}
	for _, m := range got {
		tos[m.to] = true
		if !m.tls {
			t.Error("mail not over TLS")
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.data))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
		if !strings.Contains(string(body), "terminal_offline") || !strings.Contains(string(body), "T-9") ||
			!strings.Contains(string(body), "warning") {
			t.Errorf("body %q does not say the alarm", body)
		}
	}
	if !tos["ops-a@school.test"] || !tos["ops-b@school.test"] {
		t.Errorf("mailed to %v", tos)
	}
	if ok, err := al.Clear(ctx, a.Key); !ok || err != nil {
		t.Fatalf("clear: %v %v", ok, err)
	}
	if _, created, err := al.Raise(ctx, a); !created || err != nil {
		t.Fatalf("re-armed raise: created %v, %v", created, err)
	}
	if n := len(ms.mails()); n != 4 {
		t.Errorf("%d mails after the re-armed alarm, want 4", n)
	}
	if strings.Contains(logs.String(), "pw-Zq81") || strings.Contains(logs.String(), "ops-a@") {
		t.Errorf("the log shows the password or an address:\n%s", logs.String())
	}
}

func TestAlarmEmailConfig(t *testing.T) {
	for name, mod := range map[string]func(c *OpsConfig){
		"no smtp addr":         func(c *OpsConfig) { c.SMTP.Addr = "" },
		"bad recipient":        func(c *OpsConfig) { c.AlarmEmail = []string{"not an address"} },
		"user without pw file": func(c *OpsConfig) { c.SMTP.PasswordFile = "" },
		"bad sender":           func(c *OpsConfig) { c.SMTP.From = "nobody" },
	} {
		c := defaultOpsConfig()
		c.AlarmEmail = []string{"ops@school.test"}
		c.SMTP = OpsSMTP{Addr: "smtp.school.test:587", From: "alarms@onecode.test", Username: "u", PasswordFile: "/run/pw"}
		if err := c.validate(); err != nil {
			t.Fatalf("valid config refused: %v", err)
		}
		mod(&c)
		if err := c.validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := defaultOpsConfig()
	c.AlarmEmail = []string{"ops@school.test"}
	c.SMTP = OpsSMTP{Addr: "127.0.0.1:1", From: "alarms@onecode.test", Username: "u", PasswordFile: filepath.Join(t.TempDir(), "missing")}
	if _, _, err := alarmEmailTargets(c, slog.Default()); err == nil {
		t.Error("a missing password file was accepted")
	}
}

// TestServeMailsAlarm: "onecode serve --demo" with ops.alarm_email set mails the
// operators an alarm provoked from outside: handshakes of an unknown terminal,
// k in a minute (the watcher's first checks come within its 5 s period).
func TestServeMailsAlarm(t *testing.T) {
	ms := startOpsMailServer(t)
	pwFile := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(pwFile, []byte("pw-Zq81"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Server.DataDir = t.TempDir()
	cfg.Server.GRPCAddr, cfg.Server.HTTPAddr = freeAddr(t), freeAddr(t)
	cfg.Aggregator.SandboxAddr, cfg.Push.SandboxAddr, cfg.Aggregator.AlipaySandboxAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.Ops.IllegalPerMinute = 3
	cfg.Ops.AlarmEmail = []string{"duty@school.test"}
	cfg.Ops.SMTP = OpsSMTP{Addr: ms.addr, From: "alarms@onecode.test", Username: "alarms", PasswordFile: pwFile,
		CAFile: ms.caFile, ServerName: "mail.test"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	go func() { done <- serve(ctx, cfg, serveFlags{demo: true}, logger, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
		if strings.Contains(logs.String(), "pw-Zq81") || strings.Contains(logs.String(), "duty@school.test") {
			t.Error("the log shows the SMTP password or the operator's address")
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	attempts := 0
	for attempts < 4 { // until the switch answers, then 4 refused handshakes
		dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := terminalclient.Dial(dctx, cfg.Server.GRPCAddr, "T-NOT-REGISTERED", []byte("made-up-secret-0123456789"))
		dcancel()
		switch {
		case err == nil:
			s.Close()
			t.Fatal("an unknown terminal was accepted")
		case !strings.Contains(err.Error(), "connection refused"):
			attempts++
		default:
			time.Sleep(50 * time.Millisecond) // the switch is still starting
		}
		if time.Now().After(deadline) {
			t.Fatalf("the switch did not answer: %v", err)
		}
	}
	for len(ms.mails()) == 0 {
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no alarm mail within the deadline")
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := ms.mails()[0]
	msg, err := mail.ReadMessage(bytes.NewReader(m.data))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if m.to != "duty@school.test" || !m.tls || !strings.Contains(string(body), ops.KindIllegalAccess) {
		t.Errorf("mail to %s (tls %v): %q", m.to, m.tls, body)
	}
}

// syncBuffer is a bytes.Buffer safe for the switch's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
