package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onecode/onecode/gateway/alipay"
)

// field is one member of an answer object; obj keeps members in order (code and
// msg first, as Alipay writes them) so that the signed bytes are the sent bytes.
type field struct {
	k string
	v any
}

type obj []field

// MarshalJSON writes the members in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.k)
		v, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// failure is an error answer; signed says whether Alipay signs it (business
// errors, 40004) or not (gateway errors: isv.*, aop.*).
type failure struct {
	code, msg, subCode, subMsg string
	signed                     bool
}

var msgs = map[string]string{"10000": "Success", "20000": "Service Currently Unavailable",
	"20001": "Insufficient Token Permissions", "40002": "Invalid Arguments", "40004": "Business Failed"}

func invalid(sub, subMsg string) *failure {
	return &failure{code: "40002", msg: msgs["40002"], subCode: sub, subMsg: subMsg}
}

func business(sub, subMsg string) *failure {
	return &failure{code: "40004", msg: msgs["40004"], subCode: sub, subMsg: subMsg, signed: true}
}

func (f *failure) obj() obj {
	return obj{{"code", f.code}, {"msg", f.msg}, {"sub_code", f.subCode}, {"sub_msg", f.subMsg}}
}

func success(fields ...field) obj {
	return append(obj{{"code", "10000"}, {"msg", "Success"}}, fields...)
}

// request is an authenticated call.
type request struct {
	method    string
	merchant  string // the app_id the trade belongs to (auth_app_id in service-provider mode)
	authApp   string // auth_app_id, "" when the app acts for itself
	notifyURL string
	base      string // the sandbox's public base URL
	biz       bizContent
}

type bizContent struct {
	OutTradeNo   string   `json:"out_trade_no"`
	TotalAmount  string   `json:"total_amount"`
	Subject      string   `json:"subject"`
	ProductCode  string   `json:"product_code"`
	TimeExpire   string   `json:"time_expire"`
	OutRequestNo string   `json:"out_request_no"`
	RefundAmount string   `json:"refund_amount"`
	RefundReason string   `json:"refund_reason"`
	QueryOptions []string `json:"query_options"`
	BillType     string   `json:"bill_type"`
	BillDate     string   `json:"bill_date"`
}

// authenticate checks a call's common parameters and signature as Alipay does.
func (s *Server) authenticate(p url.Values) (request, *failure) {
	for k, vs := range p {
		if len(vs) != 1 {
			return request{}, invalid("isv.invalid-parameter", "duplicate parameter "+k)
		}
	}
	req := request{method: p.Get("method"), merchant: s.cfg.AppID, notifyURL: p.Get("notify_url")}
	switch {
	case p.Get("app_id") != s.cfg.AppID:
		return req, invalid("isv.invalid-app-id", "无效的AppID参数")
	case p.Get("sign_type") != "RSA2":
		return req, invalid("isv.invalid-signature-type", "无效的签名类型")
	case !strings.EqualFold(p.Get("charset"), "utf-8") || p.Get("version") != "1.0" ||
		(p.Get("format") != "" && !strings.EqualFold(p.Get("format"), "JSON")):
		return req, invalid("isv.invalid-parameter", "charset, version or format")
	case s.cfg.AppCertSN != "" && p.Get("app_cert_sn") != s.cfg.AppCertSN:
		return req, invalid("isv.app-cert-sn-not-match", "应用公钥证书SN不匹配")
	case s.cfg.AppCertSN != "" && p.Get("alipay_root_cert_sn") != s.cfg.RootCertSN:
		return req, invalid("isv.alipay-root-cert-sn-not-match", "支付宝根证书SN不匹配")
	}
	if _, err := time.ParseInLocation(alipay.TimeLayout, p.Get("timestamp"), alipay.Shanghai); err != nil {
		return req, invalid("isv.invalid-timestamp", "非法的时间戳参数")
	}
	if alipay.Verify(s.cfg.AppKey, []byte(alipay.SigningString(p, "sign")), p.Get("sign")) != nil {
		return req, invalid("isv.invalid-signature", "验签出错")
	}
	if tok := p.Get("app_auth_token"); tok != "" {
		app, ok := s.cfg.AppAuthTokens[tok]
		if !ok {
			return req, &failure{code: "20001", msg: msgs["20001"], subCode: "aop.invalid-app-auth-token", subMsg: "无效的应用授权令牌"}
		}
		req.merchant, req.authApp = app, app
	}
	dec := json.NewDecoder(strings.NewReader(p.Get("biz_content")))
	if err := dec.Decode(&req.biz); err != nil {
		return req, business("ACQ.INVALID_PARAMETER", "biz_content is not JSON")
	}
	return req, nil
}

// gateway serves /gateway.do: the wap.pay URL (a browser: the pay page) and the
// API methods (faults apply to these).
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if r.Form.Get("method") == alipay.MethodWapPay {
		s.wap(w, r)
		return
	}
	f := s.Faults()
	if !s.sleep(r, time.Duration(f.Latency)) {
		return
	}
	if s.roll(f.FailRate) {
		http.Error(w, "sandbox: injected failure", http.StatusServiceUnavailable)
		return
	}
	method := r.Form.Get("method")
	req, fail := s.authenticate(r.Form)
	if fail == nil && s.roll(f.SystemErrorRate) {
		fail = business("ACQ.SYSTEM_ERROR", "系统错误")
	}
	var answer obj
	if req.base = s.cfg.PublicURL; req.base == "" {
		req.base = "http://" + r.Host
	}
	if fail == nil {
		answer, fail = s.dispatch(req, s.cfg.Now())
	}
	if s.roll(f.LoseRate) {
		http.Error(w, "sandbox: injected failure after processing", http.StatusBadGateway)
		return
	}
	if fail != nil {
		if fail.subCode == "isv.invalid-method" {
			method = ""
		}
		s.writeAnswer(w, method, fail.obj(), fail.signed)
		return
	}
	s.writeAnswer(w, method, answer, true)
}

func (s *Server) dispatch(req request, now time.Time) (obj, *failure) {
	switch req.method {
	case alipay.MethodPrecreate:
		return s.precreate(req, now)
	case alipay.MethodQuery:
		return s.query(req, now)
	case alipay.MethodClose:
		return s.closeTrade(req, now)
	case alipay.MethodRefund:
		return s.refund(req, now)
	case alipay.MethodRefundQuery:
		return s.refundQuery(req, now)
	case alipay.MethodBillURL:
		return s.billURL(req)
	}
	return nil, invalid("isv.invalid-method", "不存在的方法名")
}

// sleep waits d unless the caller leaves or the server closes (false then).
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.ctx.Done():
	}
	return false
}

// writeAnswer writes {"<method>_response":{…},"sign":"…"[,"alipay_cert_sn":"…"]}
// with the signature over the exact bytes written; unsigned for gateway errors
// (error_response for an unknown method).
func (s *Server) writeAnswer(w http.ResponseWriter, method string, o obj, signed bool) {
	key := "error_response"
	if method != "" && strings.HasPrefix(method, "alipay.") && method != alipay.MethodWapPay {
		key = alipay.ResponseKey(method)
	}
	raw, err := o.MarshalJSON()
	if err != nil {
		http.Error(w, "sandbox: encode", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	k, _ := json.Marshal(key)
	b.WriteByte('{')
	b.Write(k)
	b.WriteByte(':')
	b.Write(raw)
	if signed {
		sig, err := alipay.Sign(s.cfg.AlipayKey, raw)
		if err != nil {
			http.Error(w, "sandbox: sign", http.StatusInternalServerError)
			return
		}
		if s.cfg.AlipayCertSN != "" {
			b.WriteString(`,"alipay_cert_sn":"` + s.cfg.AlipayCertSN + `"`)
		}
		b.WriteString(`,"sign":"` + sig + `"`)
	}
	b.WriteByte('}')
	w.Header().Set("Content-Type", "text/html;charset=utf-8") // as Alipay's gateway labels it
	_, _ = w.Write(b.Bytes())
}
