package sandbox

import (
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/onecode/onecode/gateway/aggregator"
)

// The WeChat app of the parent who pays a JSAPI or Native order.
//
// POST /sandbox/jsapi takes the parameters the page hands to
// WeixinJSBridge.invoke('getBrandWCPayRequest', …) ({appId, timeStamp, nonceStr,
// package, signType, paySign}) and checks them as WeChat does: package names a
// JSAPI order's prepay_id, appId is the appid of its payer's openid (sub_appid, else
// appid or sp_appid), signType is RSA and paySign verifies with the merchant's API
// certificate over "appId\ntimeStamp\nnonceStr\npackage\n". Then it pays the order.
//
// POST /sandbox/scan {"code_url": …} plays a phone scanning a Native order's QR
// code and paying it.
//
// Both answer the transaction (as POST /sandbox/pay/{no}); 400 PARAM_ERROR (or
// SIGN_ERROR) for a request WeChat would refuse, 404 ORDER_NOT_EXIST when no order
// has that prepay_id or code_url.

// jsapiRequest is the getBrandWCPayRequest object.
type jsapiRequest struct {
	AppID     string `json:"appId"`
	TimeStamp string `json:"timeStamp"`
	NonceStr  string `json:"nonceStr"`
	Package   string `json:"package"`
	SignType  string `json:"signType"`
	PaySign   string `json:"paySign"`
}

func (s *Server) postJSAPI(w http.ResponseWriter, r *http.Request) {
	var req jsapiRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, aggregator.MaxBody)).Decode(&req); err != nil {
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, "body is not a getBrandWCPayRequest object")
		return
	}
	prepayID, ok := strings.CutPrefix(req.Package, "prepay_id=")
	if !ok || req.SignType != "RSA" || req.TimeStamp == "" || req.NonceStr == "" {
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, "package must be prepay_id=…, signType RSA, timeStamp and nonceStr set")
		return
	}
	pub, _ := s.cfg.Keys.MerchantCert.PublicKey.(*rsa.PublicKey)
	if pub == nil || aggregator.VerifySignature(pub, aggregator.JSAPIMessage(req.AppID, req.TimeStamp, req.NonceStr, req.Package), req.PaySign) != nil {
		s.fail(w, http.StatusBadRequest, aggregator.CodeSignError, "paySign does not verify")
		return
	}
	s.mu.Lock()
	var no, appID string
	for k, o := range s.orders {
		if o.tradeType == aggregator.TradeJSAPI && o.prepayID == prepayID {
			no, appID = k, jsapiAppID(o.merchant)
			break
		}
	}
	s.mu.Unlock()
	switch {
	case no == "":
		writePlainJSON(w, http.StatusNotFound, aggregator.ErrorBody{Code: aggregator.CodeOrderNotExist, Message: "no JSAPI order has that prepay_id"})
		return
	case req.AppID != appID:
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, "appId is not the appid of the order's payer")
		return
	}
	s.payOrder(w, no, false)
}

// jsapiAppID is the appid a JSAPI order's payer belongs to.
func jsapiAppID(m aggregator.Merchant) string {
	if m.SubAppID != "" {
		return m.SubAppID
	}
	return m.AppID
}

func (s *Server) postScan(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CodeURL string `json:"code_url"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, aggregator.MaxBody)).Decode(&req); err != nil || req.CodeURL == "" {
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, `body must be {"code_url": …}`)
		return
	}
	s.mu.Lock()
	var no string
	for k, o := range s.orders {
		if o.tradeType == aggregator.TradeNative && codeURL(o.prepayID) == req.CodeURL {
			no = k
			break
		}
	}
	s.mu.Unlock()
	if no == "" {
		writePlainJSON(w, http.StatusNotFound, aggregator.ErrorBody{Code: aggregator.CodeOrderNotExist, Message: "no Native order has that code_url"})
		return
	}
	s.payOrder(w, no, false)
}

// codeURL is the code_url of the Native order of prepayID.
func codeURL(prepayID string) string { return "weixin://wxpay/bizpayurl?pr=" + prepayID[2:12] }
