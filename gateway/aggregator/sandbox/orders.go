package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

type order struct {
	merchant      aggregator.Merchant
	tradeType     string
	req           aggregator.PrepayRequest
	canonical     []byte // the request as parsed, to tell a repeat from a conflict
	expireAt      time.Time
	prepayID      string
	state         aggregator.TradeState
	transactionID string
	successTime   time.Time
	payer         aggregator.Payer
	refundedFen   int64
	refunds       []string // out_refund_no
}

var tradeTypes = map[string]string{"jsapi": aggregator.TradeJSAPI, "h5": aggregator.TradeH5, "native": aggregator.TradeNative}

// defaultExpiry is WeChat Pay's order lifetime when time_expire is absent.
const defaultExpiry = 2 * time.Hour

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request, body []byte) {
	tradeType, ok := tradeTypes[r.PathValue("kind")]
	if !ok {
		s.fail(w, http.StatusNotFound, aggregator.CodeParamError, "no such trade type")
		return
	}
	var req aggregator.PrepayRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, "body is not a prepay request")
		return
	}
	now := s.cfg.Now()
	m, expireAt, msg := s.checkPrepay(r, tradeType, req, now)
	if msg != "" {
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, msg)
		return
	}
	canonical, _ := json.Marshal(req)
	s.mu.Lock()
	o := s.lookup(req.OutTradeNo, now)
	if o == nil {
		if !expireAt.After(now) || expireAt.After(now.Add(maxExpiry)) {
			s.mu.Unlock()
			s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, "time_expire must be in the next 30 days")
			return
		}
		o = &order{merchant: m, tradeType: tradeType, req: req, canonical: canonical, expireAt: expireAt,
			prepayID: "wx" + s.randomHex(16), state: aggregator.StateNotPay}
		if req.Payer != nil {
			o.payer = *req.Payer
		}
		s.insert(req.OutTradeNo, o)
	}
	status, code, msg := existingOrder(o, m, tradeType, canonical)
	prepay := o.prepayID
	s.mu.Unlock()
	if status != http.StatusOK {
		s.fail(w, status, code, msg)
		return
	}
	resp := aggregator.PrepayResponse{}
	switch tradeType {
	case aggregator.TradeJSAPI:
		resp.PrepayID = prepay
	case aggregator.TradeH5:
		resp.H5URL = s.payURL(r, req.OutTradeNo) + "?prepay_id=" + prepay
	case aggregator.TradeNative:
		resp.CodeURL = codeURL(prepay)
	}
	s.writeSigned(w, http.StatusOK, resp)
}

// checkPrepay validates a prepay for the path's mode and trade type.
func (s *Server) checkPrepay(r *http.Request, tradeType string, req aggregator.PrepayRequest, now time.Time) (aggregator.Merchant, time.Time, string) {
	m, msg := s.prepayMerchant(r, req)
	if msg != "" {
		return m, time.Time{}, msg
	}
	if err := aggregator.CheckTradeNo(req.OutTradeNo); err != nil {
		return m, time.Time{}, "out_trade_no: " + err.Error()
	}
	switch {
	case req.Amount.Total <= 0 || req.Amount.Total > maxAmountFen:
		return m, time.Time{}, fmt.Sprintf("amount.total must be within 1…%d", maxAmountFen)
	case req.Amount.Currency != "" && req.Amount.Currency != aggregator.CurrencyCNY:
		return m, time.Time{}, "amount.currency must be CNY"
	case req.Description == "" || len(req.Description) > maxDescription:
		return m, time.Time{}, "description must be 1–127 bytes"
	}
	if u, err := url.Parse(req.NotifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return m, time.Time{}, "notify_url must be an absolute http(s) URL"
	}
	if msg := checkScene(m, tradeType, req); msg != "" {
		return m, time.Time{}, msg
	}
	expireAt := now.Add(defaultExpiry)
	if req.TimeExpire != "" {
		t, err := time.Parse(time.RFC3339, req.TimeExpire)
		if err != nil {
			return m, time.Time{}, "time_expire must be RFC 3339 (yyyy-MM-DDTHH:mm:ss+TIMEZONE)"
		}
		expireAt = t
	}
	return m, expireAt, ""
}

// prepayMerchant reads the merchant fields of the path's mode; the signing merchant
// must be mchid (sp_mchid) and the appid (sp_appid) its own.
func (s *Server) prepayMerchant(r *http.Request, req aggregator.PrepayRequest) (aggregator.Merchant, string) {
	k := s.cfg.Keys
	if partnerPath(r) {
		m := aggregator.Merchant{Mode: aggregator.ModePartner, AppID: req.SpAppID, MchID: req.SpMchID, SubMchID: req.SubMchID, SubAppID: req.SubAppID}
		switch {
		case req.AppID != "" || req.MchID != "":
			return m, "partner prepay takes sp_appid and sp_mchid, not appid and mchid"
		case req.SpMchID != k.MchID || req.SpAppID != k.AppID:
			return m, "sp_mchid and sp_appid must be the signing service provider's"
		case req.SubMchID == "":
			return m, "sub_mchid missing"
		}
		return m, ""
	}
	m := aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: req.AppID, MchID: req.MchID}
	switch {
	case req.SpAppID != "" || req.SpMchID != "" || req.SubMchID != "" || req.SubAppID != "":
		return m, "direct prepay takes appid and mchid only"
	case req.MchID != k.MchID || req.AppID != k.AppID:
		return m, "mchid and appid must be the signing merchant's"
	}
	return m, ""
}

func partnerPath(r *http.Request) bool {
	const p = "/v3/pay/partner/"
	return len(r.URL.Path) > len(p) && r.URL.Path[:len(p)] == p
}

// checkScene: JSAPI needs the payer (openid; sp_openid or sub_openid, the latter with
// sub_appid), H5 the payer's IP and h5_info.
func checkScene(m aggregator.Merchant, tradeType string, req aggregator.PrepayRequest) string {
	switch tradeType {
	case aggregator.TradeJSAPI:
		p := req.Payer
		switch {
		case p == nil:
			return "payer missing"
		case m.Mode == aggregator.ModeDirect && (p.OpenID == "" || p.SpOpenID != "" || p.SubOpenID != ""):
			return "payer.openid missing"
		case m.Mode == aggregator.ModePartner && (p.OpenID != "" || (p.SpOpenID == "") == (p.SubOpenID == "")):
			return "payer needs exactly one of sp_openid and sub_openid"
		case p.SubOpenID != "" && m.SubAppID == "":
			return "payer.sub_openid needs sub_appid"
		}
	case aggregator.TradeH5:
		if req.SceneInfo == nil || req.SceneInfo.PayerClientIP == "" || req.SceneInfo.H5Info == nil || req.SceneInfo.H5Info.Type == "" {
			return "scene_info.payer_client_ip and scene_info.h5_info.type required"
		}
	}
	return ""
}

// existingOrder answers a prepay for an out_trade_no already known. Runs under s.mu.
func existingOrder(o *order, m aggregator.Merchant, tradeType string, canonical []byte) (int, string, string) {
	switch o.state {
	case aggregator.StateSuccess, aggregator.StateRefund:
		return http.StatusBadRequest, aggregator.CodeOrderPaid, "该订单已支付"
	case aggregator.StateClosed:
		return http.StatusBadRequest, aggregator.CodeOrderClosed, "订单已关闭"
	}
	if o.merchant != m || o.tradeType != tradeType || string(o.canonical) != string(canonical) {
		return http.StatusForbidden, aggregator.CodeOutTradeNoUsed, "商户订单号重复"
	}
	return http.StatusOK, "", ""
}

func (s *Server) payURL(r *http.Request, no string) string {
	base := s.cfg.PublicURL
	if base == "" {
		base = "http://" + r.Host
	}
	return base + "/sandbox/pay/" + url.PathEscape(no)
}

// queryMerchant is the merchant a query or close names (query string or body).
func queryMerchant(r *http.Request, mchID, spMchID, subMchID string) aggregator.Merchant {
	if partnerPath(r) {
		return aggregator.Merchant{Mode: aggregator.ModePartner, MchID: spMchID, SubMchID: subMchID}
	}
	return aggregator.Merchant{Mode: aggregator.ModeDirect, MchID: mchID}
}

// find is the order no of merchant m (nil when unknown or another merchant's). Runs under s.mu.
func (s *Server) find(no string, m aggregator.Merchant) *order {
	o := s.lookup(no, s.cfg.Now())
	if o == nil || m.MchID != s.cfg.Keys.MchID || o.merchant.Mode != m.Mode || o.merchant.MchID != m.MchID || o.merchant.SubMchID != m.SubMchID {
		return nil
	}
	return o
}

func (s *Server) queryOrder(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	m := queryMerchant(r, q.Get("mchid"), q.Get("sp_mchid"), q.Get("sub_mchid"))
	s.mu.Lock()
	o := s.find(r.PathValue("no"), m)
	var view aggregator.Transaction
	if o != nil {
		view = o.view()
	}
	s.mu.Unlock()
	if o == nil {
		s.fail(w, http.StatusNotFound, aggregator.CodeOrderNotExist, "订单不存在")
		return
	}
	s.writeSigned(w, http.StatusOK, view)
}

func (s *Server) closeOrder(w http.ResponseWriter, r *http.Request, body []byte) {
	var req aggregator.CloseRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, "body is not a close request")
		return
	}
	m := queryMerchant(r, req.MchID, req.SpMchID, req.SubMchID)
	s.mu.Lock()
	o := s.find(r.PathValue("no"), m)
	status, code, msg := http.StatusNoContent, "", ""
	switch {
	case o == nil:
		status, code, msg = http.StatusNotFound, aggregator.CodeOrderNotExist, "订单不存在"
	case o.state == aggregator.StateSuccess || o.state == aggregator.StateRefund:
		status, code, msg = http.StatusBadRequest, aggregator.CodeOrderPaid, "该订单已支付"
	default:
		o.state = aggregator.StateClosed
	}
	s.mu.Unlock()
	if status != http.StatusNoContent {
		s.fail(w, status, code, msg)
		return
	}
	s.writeSignedBytes(w, http.StatusNoContent, nil)
}

// lookup finds an order and closes it if it expired unpaid. Runs under s.mu.
func (s *Server) lookup(no string, now time.Time) *order {
	o := s.orders[no]
	if o != nil && o.state == aggregator.StateNotPay && now.After(o.expireAt) {
		o.state = aggregator.StateClosed
	}
	return o
}

// insert adds an order, forgetting the oldest (and its refunds) beyond MaxOrders.
// Runs under s.mu.
func (s *Server) insert(no string, o *order) {
	for len(s.orders) >= s.cfg.MaxOrders && len(s.fifo) > 0 {
		if old := s.orders[s.fifo[0]]; old != nil {
			for _, rn := range old.refunds {
				delete(s.refunds, rn)
			}
		}
		delete(s.orders, s.fifo[0])
		s.fifo = s.fifo[1:]
	}
	s.orders[no] = o
	s.fifo = append(s.fifo, no)
}

var stateDesc = map[aggregator.TradeState]string{
	aggregator.StateSuccess: "支付成功", aggregator.StateRefund: "转入退款", aggregator.StateNotPay: "未支付",
	aggregator.StateClosed: "已关闭", aggregator.StatePayError: "支付失败",
}

// view is the transaction as a query answers it and a notification carries it.
func (o *order) view() aggregator.Transaction {
	m := o.merchant
	tx := aggregator.Transaction{OutTradeNo: o.req.OutTradeNo, TradeType: o.tradeType, TradeState: o.state,
		TradeStateDesc: stateDesc[o.state], Attach: o.req.Attach,
		Amount: aggregator.TransactionAmount{Total: o.req.Amount.Total, Currency: aggregator.CurrencyCNY, PayerCurrency: aggregator.CurrencyCNY}}
	if m.Mode == aggregator.ModePartner {
		tx.SpAppID, tx.SpMchID, tx.SubAppID, tx.SubMchID = m.AppID, m.MchID, m.SubAppID, m.SubMchID
	} else {
		tx.AppID, tx.MchID = m.AppID, m.MchID
	}
	if o.transactionID != "" {
		p := o.payer
		tx.TransactionID, tx.BankType, tx.Payer = o.transactionID, "OTHERS", &p
		tx.SuccessTime = aggregator.FormatTime(o.successTime)
		tx.Amount.PayerTotal = o.req.Amount.Total
	}
	return tx
}
