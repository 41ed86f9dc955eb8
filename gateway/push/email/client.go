package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/onecode/onecode/app/notify"
)

// Config configures a Client.
type Config struct {
	Addr     string // SMTP server host:port (submission, 587)
	From     string // the sender address
	Username string // PLAIN authentication after STARTTLS; empty: none
	Password string
	// TLS verifies the server; nil: the system roots and the host of Addr.
	TLS *tls.Config
	Now func() time.Time // default time.Now
}

// Client is the e-mail Channel: one SMTP session per message. It is safe for
// concurrent use.
type Client struct {
	cfg  Config
	from *mail.Address
	tls  *tls.Config
}

var _ notify.Channel = (*Client)(nil)

// NewClient validates cfg.
func NewClient(cfg Config) (*Client, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("email: SMTP address %q: %w", cfg.Addr, err)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("email: sender %q: %w", cfg.From, err)
	}
	t := cfg.TLS
	if t == nil {
		t = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, from: from, tls: t}, nil
}

// Name implements notify.Channel.
func (c *Client) Name() notify.ChannelName { return notify.Email }

// Send implements notify.Channel: subject the template id, body its text.
func (c *Client) Send(ctx context.Context, d notify.Delivery) (notify.Receipt, error) {
	to, err := mail.ParseAddress(d.To)
	if err != nil {
		return notify.Receipt{}, notify.Permanent("invalid_address", nil)
	}
	id, msg, err := c.compose(to, d)
	if err != nil {
		return notify.Receipt{}, notify.Permanent("compose", err)
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", c.cfg.Addr)
	if err != nil {
		return notify.Receipt{}, notify.Transient("network", errors.New("the SMTP server did not answer"))
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	sc, err := smtp.NewClientStartTLS(conn, c.tls)
	if err != nil {
		conn.Close()
		return notify.Receipt{}, classify("starttls", err)
	}
	defer sc.Close()
	if c.cfg.Username != "" {
		if err := sc.Auth(sasl.NewPlainClient("", c.cfg.Username, c.cfg.Password)); err != nil {
			return notify.Receipt{}, classify("auth", err)
		}
	}
	if err := sc.SendMail(c.from.Address, []string{to.Address}, bytes.NewReader(msg)); err != nil {
		return notify.Receipt{}, classify("send", err)
	}
	_ = sc.Quit()
	return notify.Receipt{ProviderID: id}, nil
}

// compose builds the message (RFC 5322, UTF-8 body in base64) and its Message-ID.
func (c *Client) compose(to *mail.Address, d notify.Delivery) (string, []byte, error) {
	var r [12]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", nil, err
	}
	domain := c.from.Address[strings.LastIndex(c.from.Address, "@")+1:]
	id := "<" + strconv.FormatInt(d.MessageID, 10) + "." + hex.EncodeToString(r[:]) + "@" + domain + ">"
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", c.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", d.Template.ID))
	header("Date", c.cfg.Now().Format(time.RFC1123Z))
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	body := base64.StdEncoding.EncodeToString([]byte(d.Text()))
	for len(body) > 76 {
		b.WriteString(body[:76] + "\r\n")
		body = body[76:]
	}
	b.WriteString(body + "\r\n")
	return id, b.Bytes(), nil
}

// classify makes an SMTP answer a failure: 5xx permanent, else transient.
func classify(step string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		code := step + "_" + strconv.Itoa(se.Code)
		if se.Code >= 500 && step == "send" {
			return notify.Permanent(code, nil)
		}
		return notify.Transient(code, nil)
	}
	return notify.Transient(step, errors.New("SMTP session failed"))
}
