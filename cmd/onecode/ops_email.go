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
	client, err := smtpClient(c.SMTP)
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

// smtpClient is the SMTP client of a submission server: operators' alarm
// e-mail and staff notices share it (the password read from its file, the
// server's certificate checked against CAFile or the system roots).
func smtpClient(s OpsSMTP) (*email.Client, error) {
	ec := email.Config{Addr: s.Addr, From: s.From, Username: s.Username}
	if s.PasswordFile != "" {
		pw, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("smtp password file: %w", err)
		}
		ec.Password = strings.TrimSpace(string(pw))
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	if s.ServerName != "" {
		host = s.ServerName
	}
	ec.TLS = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("smtp ca file: %w", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("smtp ca file %s holds no PEM certificate", s.CAFile)
		}
		ec.TLS.RootCAs = roots
	}
	return email.NewClient(ec)
}

// staffEmailSubject is the subject (the template id) of staff notices' e-mail.
const staffEmailSubject = "一码通财务提醒"

// staffEmailChannel is the guarded e-mail channel of staff notices over the
// operators' SMTP server; nil when ops.smtp.addr is not set.
func staffEmailChannel(s OpsSMTP, stats *notify.Stats, logger *slog.Logger) (*notify.Guarded, error) {
	if s.Addr == "" {
		return nil, nil
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return nil, fmt.Errorf("ops: smtp.from: %w", err)
	}
	client, err := smtpClient(s)
	if err != nil {
		return nil, fmt.Errorf("ops: %w", err)
	}
	return notify.Guard(client, notify.DefaultLimits(), stats, func(ch notify.ChannelName, from, to gobreaker.State) {
		logger.Warn("staff e-mail breaker", slog.String("channel", string(ch)), slog.String("from", from.String()), slog.String("to", to.String()))
	})
}

// staffEmailTemplates are the e-mail templates of the staff notice kinds.
func staffEmailTemplates() map[string]notify.Template {
	return notify.KindTemplates(map[notify.Kind]string{notify.KindStaffRefundFailed: staffEmailSubject})
}
