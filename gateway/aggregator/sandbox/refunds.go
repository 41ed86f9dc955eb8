package sandbox

import (
	"encoding/json"
	"net/http"

	"github.com/onecode/onecode/gateway/aggregator"
)

type refund struct {
	orderNo   string
	canonical []byte
	notifyURL string
	resp      aggregator.Refund
}

// refund answers POST /v3/refund/domestic/refunds: PROCESSING at once, then (right
// after, as the sandbox pays back at once) SUCCESS with a REFUND.SUCCESS notification
// to notify_url.
func (s *Server) refund(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req aggregator.RefundRequest
	if err := json.Unmarshal(body, &req); err != nil || aggregator.CheckTradeNo(req.OutTradeNo) != nil ||
		aggregator.CheckTradeNo(req.OutRefundNo) != nil || req.Amount.Refund <= 0 || req.Amount.Total <= 0 ||
		(req.Amount.Currency != "" && req.Amount.Currency != aggregator.CurrencyCNY) || len(req.Reason) > 80 {
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, "bad refund request")
		return
	}
	m := aggregator.Merchant{Mode: aggregator.ModeDirect, MchID: s.cfg.Keys.MchID}
	if req.SubMchID != "" {
		m = aggregator.Merchant{Mode: aggregator.ModePartner, MchID: s.cfg.Keys.MchID, SubMchID: req.SubMchID}
	}
	canonical, _ := json.Marshal(req)
	s.mu.Lock()
	resp, status, code, msg, fresh := s.applyRefund(m, req, canonical)
	s.mu.Unlock()
	if status != http.StatusOK {
		s.fail(w, status, code, msg)
		return
	}
	s.writeSigned(w, http.StatusOK, resp)
	if fresh {
		s.completeRefund(req.OutRefundNo)
	}
}

// applyRefund runs under s.mu; fresh reports a new refund.
func (s *Server) applyRefund(m aggregator.Merchant, req aggregator.RefundRequest, canonical []byte) (aggregator.Refund, int, string, string, bool) {
	if prev, ok := s.refunds[req.OutRefundNo]; ok {
		if string(prev.canonical) != string(canonical) {
			return aggregator.Refund{}, http.StatusBadRequest, aggregator.CodeInvalidRequest, "退款单号已被其他退款使用", false
		}
		return prev.resp, http.StatusOK, "", "", false
	}
	o := s.find(req.OutTradeNo, m)
	switch {
	case o == nil:
		return aggregator.Refund{}, http.StatusNotFound, aggregator.CodeResourceNotExists, "订单不存在", false
	case o.state != aggregator.StateSuccess && o.state != aggregator.StateRefund:
		return aggregator.Refund{}, http.StatusBadRequest, aggregator.CodeInvalidRequest, "订单未支付", false
	case req.Amount.Total != o.req.Amount.Total:
		return aggregator.Refund{}, http.StatusBadRequest, aggregator.CodeParamError, "订单金额与原订单金额不一致", false
	case req.Amount.Refund > o.req.Amount.Total-o.refundedFen || len(o.refunds) >= maxRefundsPerOrder:
		return aggregator.Refund{}, http.StatusBadRequest, aggregator.CodeInvalidRequest, "申请退款金额超过订单可退金额", false
	}
	rf := &refund{orderNo: req.OutTradeNo, canonical: canonical, notifyURL: req.NotifyURL, resp: aggregator.Refund{
		RefundID: "50" + s.randomHex(14), OutRefundNo: req.OutRefundNo, TransactionID: o.transactionID, OutTradeNo: req.OutTradeNo,
		Channel: "ORIGINAL", UserReceivedAccount: "支付用户零钱", CreateTime: aggregator.FormatTime(s.cfg.Now()),
		Status: aggregator.RefundProcessing, Amount: aggregator.RefundAmount{Refund: req.Amount.Refund, Total: o.req.Amount.Total,
			Currency: aggregator.CurrencyCNY, PayerTotal: o.req.Amount.Total, PayerRefund: req.Amount.Refund}}}
	if m.Mode == aggregator.ModePartner {
		rf.resp.SubMchID = m.SubMchID
	}
	s.refunds[req.OutRefundNo] = rf
	o.refunds = append(o.refunds, req.OutRefundNo)
	o.refundedFen += req.Amount.Refund
	o.state = aggregator.StateRefund
	return rf.resp, http.StatusOK, "", "", true
}

// completeRefund pays the refund back and notifies REFUND.SUCCESS.
func (s *Server) completeRefund(outRefundNo string) {
	s.mu.Lock()
	rf := s.refunds[outRefundNo]
	if rf == nil || rf.resp.Status != aggregator.RefundProcessing {
		s.mu.Unlock()
		return
	}
	rf.resp.Status = aggregator.RefundSuccess
	rf.resp.SuccessTime = aggregator.FormatTime(s.cfg.Now())
	o := s.orders[rf.orderNo]
	plain := rf.resp
	plain.Status, plain.RefundStatus = "", aggregator.RefundSuccess
	if o != nil && o.merchant.Mode == aggregator.ModePartner {
		plain.SpMchID, plain.SubMchID = o.merchant.MchID, o.merchant.SubMchID
	} else {
		plain.MchID = s.cfg.Keys.MchID
	}
	notifyURL := rf.notifyURL
	s.mu.Unlock()
	if notifyURL != "" {
		s.notify(aggregator.EventRefundSuccess, "退款成功", aggregator.ResourceRefund, plain, notifyURL)
	}
}

// queryRefund answers GET /v3/refund/domestic/refunds/{out_refund_no}.
func (s *Server) queryRefund(w http.ResponseWriter, r *http.Request, _ []byte) {
	sub := r.URL.Query().Get("sub_mchid")
	s.mu.Lock()
	rf := s.refunds[r.PathValue("no")]
	var resp aggregator.Refund
	if rf != nil {
		resp = rf.resp
	}
	s.mu.Unlock()
	if rf == nil || resp.SubMchID != sub {
		s.fail(w, http.StatusNotFound, aggregator.CodeResourceNotExists, "退款单不存在")
		return
	}
	s.writeSigned(w, http.StatusOK, resp)
}
