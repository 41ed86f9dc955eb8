package sandbox

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/onecode/onecode/gateway/aggregator"
)

var payPage = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>WeChat Pay sandbox {{.OutTradeNo}}</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:2em auto">
<h1>微信支付 sandbox</h1>
<p>Order <code>{{.OutTradeNo}}</code>: <b>¥{{.Yuan}}</b> — {{.TradeState}}</p>
{{if .Payable}}<form method="post" action="/sandbox/pay/{{.OutTradeNo}}"><button type="submit">Pay ¥{{.Yuan}}</button></form>
{{else if .TransactionID}}<p>Transaction <code>{{.TransactionID}}</code></p>{{end}}
</body></html>
`))

type payView struct {
	aggregator.Transaction
	Yuan    string
	Payable bool
}

// payPage shows the order and a "Pay" button that posts to /sandbox/pay/{no} (the
// h5_url of an H5 order points here).
func (s *Server) payPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o := s.lookup(r.PathValue("no"), s.cfg.Now())
	var v aggregator.Transaction
	if o != nil {
		v = o.view()
	}
	s.mu.Unlock()
	if o == nil {
		http.Error(w, "no such order", http.StatusNotFound)
		return
	}
	s.renderPay(w, http.StatusOK, v)
}

func (s *Server) renderPay(w http.ResponseWriter, status int, v aggregator.Transaction) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = payPage.Execute(w, payView{Transaction: v, Yuan: yuan(v.Amount.Total), Payable: v.TradeState == aggregator.StateNotPay})
}

// pay plays the parent who pays: a NOTPAY order becomes SUCCESS and its
// TRANSACTION.SUCCESS notification is scheduled; paying a paid order again changes
// nothing and sends nothing.
func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	html := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	s.payOrder(w, r.PathValue("no"), html)
}

// payOrder pays the order no (see pay) and answers its transaction (the pay page
// when html).
func (s *Server) payOrder(w http.ResponseWriter, no string, html bool) {
	now := s.cfg.Now()
	s.mu.Lock()
	o := s.lookup(no, now)
	var v aggregator.Transaction
	var notifyURL string
	paid := false
	if o != nil {
		if o.state == aggregator.StateNotPay {
			o.state = aggregator.StateSuccess
			o.transactionID = "42" + s.randomHex(13)
			o.successTime = now
			o.payer = sandboxPayer(o, "o"+s.randomHex(13))
			paid = true
		}
		v, notifyURL = o.view(), o.req.NotifyURL
	}
	s.mu.Unlock()
	switch {
	case o == nil:
		writePlainJSON(w, http.StatusNotFound, aggregator.ErrorBody{Code: aggregator.CodeOrderNotExist, Message: "no such order"})
		return
	case v.TradeState == aggregator.StateClosed:
		if html {
			s.renderPay(w, http.StatusBadRequest, v)
			return
		}
		writePlainJSON(w, http.StatusBadRequest, aggregator.ErrorBody{Code: aggregator.CodeOrderClosed, Message: "order closed"})
		return
	}
	if paid {
		s.log.Info("sandbox order paid", "out_trade_no", v.OutTradeNo, "amount_fen", v.Amount.Total)
		s.notify(aggregator.EventTransactionSuccess, "支付成功", aggregator.ResourceTransaction, v, notifyURL)
	}
	if html {
		s.renderPay(w, http.StatusOK, v)
		return
	}
	writePlainJSON(w, http.StatusOK, v)
}

// sandboxPayer is the payer of a paid order: the JSAPI payer as given, else a
// made-up openid in the field of the merchant's mode.
func sandboxPayer(o *order, openID string) aggregator.Payer {
	switch {
	case o.payer != (aggregator.Payer{}):
		return o.payer
	case o.merchant.Mode == aggregator.ModeDirect:
		return aggregator.Payer{OpenID: openID}
	case o.merchant.SubAppID != "":
		return aggregator.Payer{SubOpenID: openID}
	}
	return aggregator.Payer{SpOpenID: openID}
}

// yuan renders fen as yuan with integer arithmetic.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return sign + itoa(fen/100) + "." + string(rune('0'+fen%100/10)) + string(rune('0'+fen%10))
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
