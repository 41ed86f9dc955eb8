package email

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/onecode/onecode/app/notify"
)

// mailServer is a real SMTP server in this process (go-smtp): STARTTLS with a
// fresh self-signed certificate, PLAIN auth only after TLS, messages kept.
type mailServer struct {
	addr  string
	roots *x509.CertPool
	mu    sync.Mutex
	got   []received
}

type received struct {
	from, to string
	tls      bool
	data     []byte
}

type session struct {
	s    *mailServer
	c    *smtp.Conn
	cur  received
	user string
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "ops" || pass != "s3cret" {
			return errors.New("bad credentials")
		}
		ss.user = user
		return nil
	}), nil
}
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.cur.from = from
	return nil
}
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	ss.cur.to = to
	return nil
}
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.c.TLSConnectionState()
	ss.cur.data, ss.cur.tls = b, isTLS
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, ss.cur)
	ss.s.mu.Unlock()
	return nil
}
func (ss *session) Reset()        { ss.cur = received{} }
func (ss *session) Logout() error { return nil }

func startMailServer(t *testing.T) *mailServer {
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
	cert, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	ms := &mailServer{roots: roots}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: ms, c: c}, nil }))
	srv.Domain = "mail.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	srv.AllowInsecureAuth = false
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(func() { srv.Close() })
	ms.addr = lis.Addr().String()
	return ms
}

func TestEmailOverSTARTTLS(t *testing.T) {
	ms := startMailServer(t)
	c, err := NewClient(Config{Addr: ms.addr, From: "OneCode <noreply@onecode.test>", Username: "ops", Password: "s3cret",
		TLS: &tls.Config{ServerName: "mail.test", RootCAs: ms.roots, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	d := notify.Delivery{MessageID: 42, Topic: "reminder", To: "finance@school.test",
		Template: notify.Template{ID: "对账提醒", Text: notify.TextNotice}, Params: map[string]string{"text": "今日对账已完成"}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.Send(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms.got) != 1 {
		t.Fatalf("%d messages received, want 1", len(ms.got))
	}
	got := ms.got[0]
	if !got.tls || got.from != "noreply@onecode.test" || got.to != "finance@school.test" {
		t.Errorf("received %+v, want over TLS from noreply to finance", got)
	}
	m, err := mail.ReadMessage(strings.NewReader(string(got.data)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if string(body) != "【一码通】今日对账已完成" || subject != "对账提醒" || m.Header.Get("Message-ID") != r.ProviderID {
		t.Errorf("subject %q body %q id %q (receipt %q)", subject, body, m.Header.Get("Message-ID"), r.ProviderID)
	}

	// A mailbox the server refuses: permanent. Wrong credentials: transient (configuration).
	d.To = "nobody@school.test"
	if _, err := c.Send(ctx, d); !notify.IsPermanent(err) || notify.FailureCode(err) != "send_550" {
		t.Errorf("refused mailbox: %v (%q), want permanent send_550", err, notify.FailureCode(err))
	}
	bad, _ := NewClient(Config{Addr: ms.addr, From: "noreply@onecode.test", Username: "ops", Password: "wrong",
		TLS: &tls.Config{ServerName: "mail.test", RootCAs: ms.roots, MinVersion: tls.VersionTLS12}})
	d.To = "finance@school.test"
	if _, err := bad.Send(ctx, d); err == nil || notify.IsPermanent(err) {
		t.Errorf("wrong password: %v, want a transient failure", err)
	}
	// A server certificate the client does not trust: no message goes.
	untrusted, _ := NewClient(Config{Addr: ms.addr, From: "noreply@onecode.test", TLS: &tls.Config{ServerName: "mail.test", MinVersion: tls.VersionTLS12}})
	if _, err := untrusted.Send(ctx, d); err == nil {
		t.Error("sent to a server with an untrusted certificate")
	}
	if len(ms.got) != 1 {
		t.Errorf("%d messages received, want still 1", len(ms.got))
	}
}
