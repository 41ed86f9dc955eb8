package sandbox

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/onecode/onecode/gateway/alipay"
)

var payPage = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sandbox Alipay {{.OutTradeNo}}</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:2em auto">
<h1>支付宝 sandbox</h1>
{{if .Error}}<p role="alert">{{.Error}}</p>{{else}}
<p>{{.Subject}}</p>
<p>Order <code>{{.OutTradeNo}}</code>: <b>¥{{.Yuan}}</b> — {{.Status}}</p>
{{if .Payable}}<form method="post" action="/sandbox/pay"><input type="hidden" name="merchant" value="{{.Merchant}}">
<input type="hidden" name="out_trade_no" value="{{.OutTradeNo}}"><button type="submit">Pay ¥{{.Yuan}}</button></form>
{{else if .TradeNo}}<p>Trade <code>{{.TradeNo}}</code></p>{{end}}{{end}}
</body></html>
`))

type payView struct {
	Merchant, OutTradeNo, Subject, Yuan, Status, TradeNo, Error string
	Payable                                                     bool
}

func (s *Server) renderPay(w http.ResponseWriter, status int, v payView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = payPage.Execute(w, v)
}

// view is the page of t (s.mu held).
func view(t *trade) payView {
	return payView{Merchant: t.merchant, OutTradeNo: t.outTradeNo, Subject: t.subject, Yuan: alipay.Yuan(t.totalFen),
		Status: t.status, TradeNo: t.tradeNo, Payable: t.status == WaitBuyerPay}
}

// payLink is the page of a trade (the precreate qr_code).
func payLink(base, merchant, outTradeNo string) string {
	return strings.TrimSuffix(base, "/") + "/sandbox/pay?" +
		url.Values{"merchant": {merchant}, "out_trade_no": {outTradeNo}}.Encode()
}

// wap is the payer's browser opening the signed alipay.trade.wap.pay URL: the trade
// is created (as Alipay creates it when the payer arrives) and its page shown.
func (s *Server) wap(w http.ResponseWriter, r *http.Request) {
	req, fail := s.authenticate(r.Form)
	var t *trade
	if fail == nil {
		if req.biz.ProductCode != "QUICK_WAP_WAY" {
			fail = business("ACQ.INVALID_PARAMETER", "product_code must be QUICK_WAP_WAY")
		} else {
			t, fail = s.openTrade(req, s.cfg.Now())
		}
	}
	if fail != nil {
		s.renderPay(w, http.StatusBadRequest, payView{Error: fail.subCode + ": " + fail.subMsg})
		return
	}
	s.mu.Lock()
	v := view(t)
	s.mu.Unlock()
	s.renderPay(w, http.StatusOK, v)
}

// payPage shows a trade by merchant and out_trade_no (the qr_code's target).
func (s *Server) payPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	t := s.lookupLocked(q.Get("merchant"), q.Get("out_trade_no"), s.cfg.Now())
	var v payView
	if t != nil {
		v = view(t)
	}
	s.mu.Unlock()
	if t == nil {
		s.renderPay(w, http.StatusNotFound, payView{Error: "ACQ.TRADE_NOT_EXIST: 交易不存在"})
		return
	}
	s.renderPay(w, http.StatusOK, v)
}

// pay plays the payer: a WAIT_BUYER_PAY trade becomes TRADE_SUCCESS and its
// notification is sent; paying again changes nothing and sends nothing.
func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	now := s.cfg.Now()
	s.mu.Lock()
	t := s.lookupLocked(r.PostForm.Get("merchant"), r.PostForm.Get("out_trade_no"), now)
	var n *notice
	var v payView
	if t != nil {
		if t.status == WaitBuyerPay {
			t.status, t.paidAt = TradeSuccess, now.Truncate(1e9)
			t.tradeNo = now.In(alipay.Shanghai).Format("20060102") + "22001" + s.digitsLocked(15)
			t.buyerID = "2088" + s.digitsLocked(12)
			n = s.noticeLocked(t, now)
		}
		v = view(t)
	}
	s.mu.Unlock()
	switch {
	case t == nil:
		s.renderPay(w, http.StatusNotFound, payView{Error: "ACQ.TRADE_NOT_EXIST: 交易不存在"})
		return
	case v.Status == TradeClosed && n == nil && v.TradeNo == "":
		s.renderPay(w, http.StatusBadRequest, v)
		return
	}
	if n != nil {
		s.log.Info("sandbox trade paid", "out_trade_no", v.OutTradeNo)
		s.notify(n)
	}
	s.renderPay(w, http.StatusOK, v)
}
