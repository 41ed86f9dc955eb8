package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"strings"

	"github.com/sony/gobreaker/v2"

	"github.com/onecode/onecode/app/notify"
	"github.com/onecode/onecode/app/ops"
	"github.com/onecode/onecode/gateway/push/email"
)

// OpsSMTP is the SMTP submission server alarm e-mails go through (STARTTLS
// always; PLAIN authentication after it when Username is set).
type OpsSMTP struct {
	Addr string `yaml:"addr"` // host:port (submission, 587)
	From string `yaml:"from"` // the sender address
	// Username and PasswordFile (the password alone, trailing space trimmed): the
	// password is read at start and never logged nor kept in the configuration.
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"`
	// CAFile (optional) holds the PEM roots the server's certificate must chain
	// to (a private CA); empty: the system roots.
	CAFile string `yaml:"ca_file"`
	// ServerName (optional) is the name the certificate must carry; empty: the
	// host of Addr.
	ServerName string `yaml:"server_name"`
}

// alarmEmailSubject is the subject (the template id) of an alarm e-mail.
const alarmEmailSubject = "一码通运维告警"

// maxAlarmEmails bounds ops.alarm_email.
const maxAlarmEmails = 16

func (c OpsConfig) validateEmail() error {
	if len(c.AlarmEmail) > maxAlarmEmails {
		return fmt.Errorf("ops: at most %d alarm_email recipients", maxAlarmEmails)
	}
	for _, to := range c.AlarmEmail {
		if _, err := mail.ParseAddress(to); err != nil {
			return errors.New("ops: an alarm_email recipient is not an e-mail address")
		}
	}
	if len(c.AlarmEmail) == 0 {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.SMTP.Addr); err != nil {
		return fmt.Errorf("ops: alarm_email needs smtp.addr as host:port: %w", err)
	}
	if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
		return fmt.Errorf("ops: smtp.from: %w", err)
	}
	if (c.SMTP.Username == "") != (c.SMTP.PasswordFile == "") {
		return errors.New("ops: smtp.username and smtp.password_file go together")
	}
	return nil
}

// alarmEmailTargets returns one target per ops.alarm_email recipient, through one
// guarded e-mail channel (its own breaker, rate limit and retries); none when no
// recipient is configured. The breaker's transitions are logged (never the
// password nor the addresses).
func alarmEmailTargets(c OpsConfig, logger *slog.Logger) ([]ops.Target, *notify.Guarded, error) {
	if len(c.AlarmEmail) == 0 {
		return nil, nil, nil
	}
	if err := c.validateEmail(); err != nil {
		return nil, nil, err
	}
	ec := email.Config{Addr: c.SMTP.Addr, From: c.SMTP.From, Username: c.SMTP.Username}
	if c.SMTP.PasswordFile != "" {
		pw, err := os.ReadFile(c.SMTP.PasswordFile)
		if err != nil {
			return nil, nil, fmt.Errorf("ops: smtp password file: %w", err)
		}
		ec.Password = strings.TrimSpace(string(pw))
	}
	host, _, _ := net.SplitHostPort(c.SMTP.Addr)
	if c.SMTP.ServerName != "" {
		host = c.SMTP.ServerName
	}
	ec.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if c.SMTP.CAFile != "" {
		pem, err := os.ReadFile(c.SMTP.CAFile)
		if err != nil {
			return nil, nil, fmt.Errorf("ops: smtp ca file: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("ops: smtp ca file %s holds no PEM certificate", c.SMTP.CAFile)
		}
		ec.TLS.RootCAs = roots
	}
	client, err := email.NewClient(ec)
	if err != nil {
		return nil, nil, fmt.Errorf("ops: %w", err)
	}
	guarded, err := notify.Guard(client, notify.DefaultLimits(), nil, func(ch notify.ChannelName, from, to gobreaker.State) {
		logger.Warn("alarm e-mail breaker", slog.String("channel", string(ch)), slog.String("from", from.String()), slog.String("to", to.String()))
	})
	if err != nil {
		return nil, nil, err
	}
	targets := make([]ops.Target, 0, len(c.AlarmEmail))
	for _, to := range c.AlarmEmail {
		targets = append(targets, ops.Target{Channel: guarded, To: to,
			Template: notify.Template{ID: alarmEmailSubject, Text: ops.TextAlarm}})
	}
	return targets, guarded, nil
}
