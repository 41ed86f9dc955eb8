package sandbox

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onecode/onecode/gateway/alipay"
)

// notice is a trade_status_sync notification before signing.
type notice struct {
	url    string
	fields url.Values
}

func (n *notice) set(k, v string) { n.fields.Set(k, v) }

// noticeLocked is the notification of t's present state (s.mu held).
func (s *Server) noticeLocked(t *trade, now time.Time) *notice {
	at := func(x time.Time) string { return x.In(alipay.Shanghai).Format(alipay.TimeLayout) }
	amount := alipay.Yuan(t.totalFen)
	v := url.Values{
		"notify_time": {at(now)}, "notify_type": {"trade_status_sync"}, "notify_id": {"2026" + s.digitsLocked(30)},
		"app_id": {s.cfg.AppID}, "charset": {"utf-8"}, "version": {"1.0"}, "sign_type": {"RSA2"},
		"trade_no": {t.tradeNo}, "out_trade_no": {t.outTradeNo}, "buyer_id": {t.buyerID},
		"buyer_logon_id": {"san***@example.com"}, "seller_id": {"2088000000000001"}, "trade_status": {t.status},
		"total_amount": {amount}, "receipt_amount": {amount}, "invoice_amount": {amount}, "buyer_pay_amount": {amount},
		"point_amount": {"0.00"}, "subject": {t.subject}, "gmt_create": {at(t.created)}, "gmt_payment": {at(t.paidAt)},
		"fund_bill_list": {`[{"amount":"` + amount + `","fundChannel":"ALIPAYACCOUNT"}]`},
	}
	v.Set("auth_app_id", s.cfg.AppID)
	if t.authApp != "" {
		v.Set("auth_app_id", t.authApp)
	}
	return &notice{url: t.notifyURL, fields: v}
}

// notify signs n and schedules its delivery: dropped, duplicated and retried as the
// faults say.
func (s *Server) notify(n *notice) {
	if n.url == "" {
		return
	}
	sign, err := alipay.Sign(s.cfg.AlipayKey, []byte(alipay.SigningString(n.fields, "sign", "sign_type")))
	if err != nil {
		s.log.Error("sandbox: sign notification", "err", err)
		return
	}
	n.fields.Set("sign", sign)
	body := n.fields.Encode()
	f := s.Faults()
	if s.roll(f.DropNotify) {
		s.stats.dropped.Add(1)
		return
	}
	for range f.DupNotify {
		if s.npend.Add(1) > int64(s.cfg.MaxPending) {
			s.npend.Add(-1)
			s.stats.overflow.Add(1)
			continue
		}
		s.stats.scheduled.Add(1)
		s.pending.Add(1)
		go s.deliver(n.url, body, f.RetryLadder)
	}
}

// deliver posts one copy along the ladder until the merchant answers "success".
func (s *Server) deliver(to, body string, ladder []Duration) {
	defer s.pending.Done()
	defer s.npend.Add(-1)
	for _, d := range ladder {
		if d > 0 {
			t := time.NewTimer(time.Duration(d))
			select {
			case <-t.C:
			case <-s.ctx.Done():
				t.Stop()
				return
			}
		}
		if s.ctx.Err() != nil {
			return
		}
		s.stats.attempts.Add(1)
		if s.post(to, body) {
			s.stats.delivered.Add(1)
			return
		}
	}
	s.stats.gaveUp.Add(1)
}

func (s *Server) post(to, body string) bool {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.NotifyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, to, strings.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	return resp.StatusCode == http.StatusOK && strings.TrimSpace(string(b)) == "success"
}
