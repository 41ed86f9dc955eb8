package sandbox

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/onecode/onecode/gateway/aggregator"
)

var payPage = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sandbox payment {{.OutTradeNo}}</title></head>
<body style="font-family:sans-serif;max-width:28em;margin:2em auto">
<h1>聚合支付 sandbox</h1>
<p>Order <code>{{.OutTradeNo}}</code>: <b>¥{{.Yuan}}</b> — {{.State}}</p>
{{if .Payable}}<form method="post" action="/sandbox/pay/{{.OutTradeNo}}"><button type="submit">Pay ¥{{.Yuan}}</button></form>
{{else if .TransactionID}}<p>Transaction <code>{{.TransactionID}}</code></p>{{end}}
</body></html>
`))

type payView struct {
	aggregator.Order
	Yuan    string
	Payable bool
}

// payPage shows the order and a "Pay" button that posts to /sandbox/pay/{no}.
func (s *Server) payPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o := s.lookup(r.PathValue("no"), s.cfg.Now())
	var v aggregator.Order
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

func (s *Server) renderPay(w http.ResponseWriter, status int, v aggregator.Order) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = payPage.Execute(w, payView{Order: v, Yuan: yuan(v.AmountFen), Payable: v.State == aggregator.StateNotPay})
}

// pay plays the parent who pays: a NOTPAY order becomes SUCCESS and its notification
// is scheduled; paying a paid order again changes nothing and sends nothing.
func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	s.mu.Lock()
	o := s.lookup(r.PathValue("no"), now)
	var v aggregator.Order
	var notifyURL string
	paid := false
	if o != nil {
		if o.state == aggregator.StateNotPay {
			o.state = aggregator.StateSuccess
			o.transactionID = "42" + s.randomHex(13)
			o.successTime = now.UTC().Truncate(1e9)
			paid = true
		}
		v, notifyURL = o.view(), o.req.NotifyURL
	}
	s.mu.Unlock()
	html := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	switch {
	case o == nil:
		writePlainJSON(w, http.StatusNotFound, aggregator.ErrorBody{Code: aggregator.CodeNotFound, Message: "no such order"})
		return
	case v.State == aggregator.StateClosed:
		if html {
			s.renderPay(w, http.StatusBadRequest, v)
			return
		}
		writePlainJSON(w, http.StatusBadRequest, aggregator.ErrorBody{Code: aggregator.CodeOrderClosed, Message: "order closed"})
		return
	}
	if paid {
		s.log.Info("sandbox order paid", "out_trade_no", v.OutTradeNo, "amount_fen", v.AmountFen)
		s.notify(aggregator.Transaction{OutTradeNo: v.OutTradeNo, TransactionID: v.TransactionID,
			AmountFen: v.AmountFen, TradeState: v.State, SuccessTime: *v.SuccessTime}, notifyURL)
	}
	if html {
		s.renderPay(w, http.StatusOK, v)
		return
	}
	writePlainJSON(w, http.StatusOK, v)
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
