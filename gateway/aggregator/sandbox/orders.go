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
	req           aggregator.CreateOrderRequest
	prepayID      string
	state         aggregator.TradeState
	transactionID string
	successTime   time.Time
	refundedFen   int64
	refunds       map[string]aggregator.RefundResponse // by out_refund_no
	refundReqs    map[string]aggregator.RefundRequest
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request, body []byte) {
	var req aggregator.CreateOrderRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.fail(w, http.StatusBadRequest, aggregator.CodeInvalidRequest, "body is not a create-order request")
		return
	}
	now := s.cfg.Now()
	if msg := checkCreate(req, now); msg != "" {
		s.fail(w, http.StatusBadRequest, aggregator.CodeInvalidRequest, msg)
		return
	}
	payURL := s.payURL(r, req.OutTradeNo)
	s.mu.Lock()
	o := s.lookup(req.OutTradeNo, now)
	if o != nil {
		status, code, msg := existingOrder(o, req)
		prepay := o.prepayID
		s.mu.Unlock()
		if status != http.StatusOK {
			s.fail(w, status, code, msg)
			return
		}
		s.writeSigned(w, http.StatusOK, aggregator.CreateOrderResponse{PrepayID: prepay, PayURL: payURL})
		return
	}
	if msg := checkExpiry(req, now); msg != "" {
		s.mu.Unlock()
		s.fail(w, http.StatusBadRequest, aggregator.CodeInvalidRequest, msg)
		return
	}
	o = &order{req: req, prepayID: "wx" + s.randomHex(14), state: aggregator.StateNotPay}
	s.insert(req.OutTradeNo, o)
	s.mu.Unlock()
	s.writeSigned(w, http.StatusOK, aggregator.CreateOrderResponse{PrepayID: o.prepayID, PayURL: payURL})
}

func checkCreate(req aggregator.CreateOrderRequest, now time.Time) string {
	if err := aggregator.CheckTradeNo(req.OutTradeNo); err != nil {
		return err.Error()
	}
	if req.AmountFen <= 0 || req.AmountFen > maxAmountFen {
		return fmt.Sprintf("amount_fen must be within 1…%d", maxAmountFen)
	}
	if len(req.Description) > maxDescription {
		return "description longer than 127 bytes"
	}
	if u, err := url.Parse(req.NotifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "notify_url must be an absolute http(s) URL"
	}
	if req.ExpireAt.IsZero() {
		return "expire_at missing"
	}
	return ""
}

// checkExpiry applies to new orders only: an existing one is answered by its state.
func checkExpiry(req aggregator.CreateOrderRequest, now time.Time) string {
	if !req.ExpireAt.After(now) || req.ExpireAt.After(now.Add(maxExpiry)) {
		return "expire_at must be in the next 30 days"
	}
	return ""
}

// existingOrder answers a create for an out_trade_no already known.
func existingOrder(o *order, req aggregator.CreateOrderRequest) (int, string, string) {
	switch o.state {
	case aggregator.StateSuccess, aggregator.StateRefund:
		return http.StatusBadRequest, aggregator.CodeOrderPaid, "order already paid"
	case aggregator.StateClosed:
		return http.StatusBadRequest, aggregator.CodeOrderClosed, "order closed"
	}
	same := o.req.AmountFen == req.AmountFen && o.req.Description == req.Description &&
		o.req.NotifyURL == req.NotifyURL && o.req.ExpireAt.Equal(req.ExpireAt)
	if !same {
		return http.StatusBadRequest, aggregator.CodeConflict, "out_trade_no used with other fields"
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

func (s *Server) queryOrder(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	o := s.lookup(r.PathValue("no"), s.cfg.Now())
	if o == nil {
		s.mu.Unlock()
		s.fail(w, http.StatusNotFound, aggregator.CodeNotFound, "no such order")
		return
	}
	view := o.view()
	s.mu.Unlock()
	s.writeSigned(w, http.StatusOK, view)
}

func (s *Server) closeOrder(w http.ResponseWriter, r *http.Request, _ []byte) {
	s.mu.Lock()
	o := s.lookup(r.PathValue("no"), s.cfg.Now())
	var status int
	var code string
	switch {
	case o == nil:
		status, code = http.StatusNotFound, aggregator.CodeNotFound
	case o.state == aggregator.StateSuccess || o.state == aggregator.StateRefund:
		status, code = http.StatusBadRequest, aggregator.CodeOrderPaid
	default:
		o.state = aggregator.StateClosed
		status = http.StatusNoContent
	}
	s.mu.Unlock()
	if status != http.StatusNoContent {
		s.fail(w, status, code, "cannot close")
		return
	}
	s.writeSignedBytes(w, http.StatusNoContent, nil)
}

func (s *Server) refund(w http.ResponseWriter, r *http.Request, body []byte) {
	var req aggregator.RefundRequest
	if err := json.Unmarshal(body, &req); err != nil || aggregator.CheckTradeNo(req.OutTradeNo) != nil ||
		aggregator.CheckTradeNo(req.OutRefundNo) != nil || req.AmountFen <= 0 {
		s.fail(w, http.StatusBadRequest, aggregator.CodeInvalidRequest, "bad refund request")
		return
	}
	s.mu.Lock()
	resp, status, code := s.applyRefund(req)
	s.mu.Unlock()
	if status != http.StatusOK {
		s.fail(w, status, code, "refund declined")
		return
	}
	s.writeSigned(w, http.StatusOK, resp)
}

// applyRefund runs under s.mu.
func (s *Server) applyRefund(req aggregator.RefundRequest) (aggregator.RefundResponse, int, string) {
	o := s.lookup(req.OutTradeNo, s.cfg.Now())
	if o == nil {
		return aggregator.RefundResponse{}, http.StatusNotFound, aggregator.CodeNotFound
	}
	if prev, ok := o.refunds[req.OutRefundNo]; ok {
		if o.refundReqs[req.OutRefundNo] != req {
			return aggregator.RefundResponse{}, http.StatusBadRequest, aggregator.CodeConflict
		}
		return prev, http.StatusOK, ""
	}
	switch {
	case o.state != aggregator.StateSuccess && o.state != aggregator.StateRefund:
		return aggregator.RefundResponse{}, http.StatusBadRequest, aggregator.CodeNotPaid
	case req.AmountFen > o.req.AmountFen-o.refundedFen || len(o.refunds) >= maxRefundsPerOrder:
		return aggregator.RefundResponse{}, http.StatusBadRequest, aggregator.CodeRefundExceeded
	}
	resp := aggregator.RefundResponse{RefundID: "50" + s.randomHex(14), OutRefundNo: req.OutRefundNo,
		OutTradeNo: req.OutTradeNo, AmountFen: req.AmountFen, Status: "SUCCESS"}
	if o.refunds == nil {
		o.refunds = make(map[string]aggregator.RefundResponse)
		o.refundReqs = make(map[string]aggregator.RefundRequest)
	}
	o.refunds[req.OutRefundNo] = resp
	o.refundReqs[req.OutRefundNo] = req
	o.refundedFen += req.AmountFen
	o.state = aggregator.StateRefund
	return resp, http.StatusOK, ""
}

// lookup finds an order and closes it if it expired unpaid. Runs under s.mu.
func (s *Server) lookup(no string, now time.Time) *order {
	o := s.orders[no]
	if o != nil && o.state == aggregator.StateNotPay && now.After(o.req.ExpireAt) {
		o.state = aggregator.StateClosed
	}
	return o
}

// insert adds an order, forgetting the oldest beyond MaxOrders. Runs under s.mu.
func (s *Server) insert(no string, o *order) {
	for len(s.orders) >= s.cfg.MaxOrders && len(s.fifo) > 0 {
		delete(s.orders, s.fifo[0])
		s.fifo = s.fifo[1:]
	}
	s.orders[no] = o
	s.fifo = append(s.fifo, no)
}

func (o *order) view() aggregator.Order {
	v := aggregator.Order{OutTradeNo: o.req.OutTradeNo, State: o.state, AmountFen: o.req.AmountFen,
		RefundedFen: o.refundedFen, TransactionID: o.transactionID}
	if !o.successTime.IsZero() {
		t := o.successTime
		v.SuccessTime = &t
	}
	return v
}
