package sandbox

import (
	"slices"
	"time"

	"github.com/onecode/onecode/gateway/alipay"
)

// Trade states, as Alipay names them.
const (
	WaitBuyerPay  = "WAIT_BUYER_PAY"
	TradeSuccess  = "TRADE_SUCCESS"
	TradeClosed   = "TRADE_CLOSED"
	TradeFinished = "TRADE_FINISHED"
)

type trade struct {
	merchant, authApp, outTradeNo, tradeNo, subject, notifyURL, buyerID string
	totalFen, refundedFen                                               int64
	expire, created, paidAt                                             time.Time
	status                                                              string
	refunds                                                             map[string]*refund
}

type refund struct {
	outRequestNo string
	fen          int64
	at           time.Time
}

func key(merchant, outTradeNo string) string { return merchant + "/" + outTradeNo }

// lookupLocked finds a trade and closes it if it expired unpaid.
func (s *Server) lookupLocked(merchant, outTradeNo string, now time.Time) *trade {
	t := s.trades[key(merchant, outTradeNo)]
	if t != nil && t.status == WaitBuyerPay && !t.expire.IsZero() && now.After(t.expire) {
		t.status = TradeClosed
	}
	return t
}

// openTrade finds or creates the trade of a wap.pay or precreate call: the same
// out_trade_no with another amount or subject is ACQ.CONTEXT_INCONSISTENT.
func (s *Server) openTrade(req request, now time.Time) (*trade, *failure) {
	b := req.biz
	fen, err := alipay.ParseYuan(b.TotalAmount)
	if err != nil || fen <= 0 || alipay.CheckNo(b.OutTradeNo) != nil || b.Subject == "" {
		return nil, business("ACQ.INVALID_PARAMETER", "out_trade_no, total_amount or subject")
	}
	var expire time.Time
	if b.TimeExpire != "" {
		// "yyyy-MM-dd HH:mm:ss"; older wap.pay pages documented "yyyy-MM-dd HH:mm".
		if expire, err = time.ParseInLocation(alipay.TimeLayout, b.TimeExpire, alipay.Shanghai); err != nil {
			expire, err = time.ParseInLocation("2006-01-02 15:04", b.TimeExpire, alipay.Shanghai)
		}
		if err != nil {
			return nil, business("ACQ.INVALID_PARAMETER", "time_expire")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.lookupLocked(req.merchant, b.OutTradeNo, now); t != nil {
		if t.totalFen != fen || t.subject != b.Subject {
			return nil, business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
		}
		return t, nil
	}
	if !expire.IsZero() && now.After(expire) {
		return nil, business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
	}
	t := &trade{merchant: req.merchant, authApp: req.authApp, outTradeNo: b.OutTradeNo, subject: b.Subject,
		notifyURL: req.notifyURL, totalFen: fen, expire: expire, created: now, status: WaitBuyerPay,
		refunds: map[string]*refund{}}
	k := key(req.merchant, b.OutTradeNo)
	s.trades[k] = t
	s.fifo = append(s.fifo, k)
	for len(s.fifo) > s.cfg.MaxTrades {
		delete(s.trades, s.fifo[0])
		s.fifo = s.fifo[1:]
	}
	return t, nil
}

func (s *Server) precreate(req request, now time.Time) (obj, *failure) {
	t, fail := s.openTrade(req, now)
	if fail != nil {
		return nil, fail
	}
	s.mu.Lock()
	status := t.status
	s.mu.Unlock()
	switch status {
	case TradeSuccess, TradeFinished:
		return nil, business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
	case TradeClosed:
		return nil, business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
	}
	return success(field{"out_trade_no", t.outTradeNo}, field{"qr_code", payLink(req.base, t.merchant, t.outTradeNo)}), nil
}

func (s *Server) query(req request, now time.Time) (obj, *failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(req.merchant, req.biz.OutTradeNo, now)
	if t == nil {
		return nil, business("ACQ.TRADE_NOT_EXIST", "交易不存在")
	}
	o := success(field{"trade_no", t.tradeNo}, field{"out_trade_no", t.outTradeNo}, field{"trade_status", t.status},
		field{"total_amount", alipay.Yuan(t.totalFen)})
	if !t.paidAt.IsZero() {
		o = append(o, field{"buyer_logon_id", "san***@example.com"}, field{"buyer_user_id", t.buyerID},
			field{"receipt_amount", alipay.Yuan(t.totalFen)}, field{"buyer_pay_amount", alipay.Yuan(t.totalFen)},
			field{"send_pay_date", t.paidAt.In(alipay.Shanghai).Format(alipay.TimeLayout)})
	}
	return o, nil
}

// closeTrade closes a WAIT_BUYER_PAY trade; any other state is ACQ.TRADE_STATUS_ERROR.
func (s *Server) closeTrade(req request, now time.Time) (obj, *failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(req.merchant, req.biz.OutTradeNo, now)
	switch {
	case t == nil:
		return nil, business("ACQ.TRADE_NOT_EXIST", "交易不存在")
	case t.status != WaitBuyerPay:
		return nil, business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
	}
	t.status = TradeClosed
	return success(field{"trade_no", t.tradeNo}, field{"out_trade_no", t.outTradeNo}), nil
}

// refund refunds a TRADE_SUCCESS trade, idempotent by out_request_no: a repeat
// answers fund_change "N", a repeat with another amount is
// ACQ.DISCORDANT_REPEAT_REQUEST; more than was paid is ACQ.REFUND_AMT_NOT_EQUAL_TOTAL.
// A full refund closes the trade. A notification follows a new refund.
func (s *Server) refund(req request, now time.Time) (obj, *failure) {
	fen, err := alipay.ParseYuan(req.biz.RefundAmount)
	if err != nil || fen <= 0 || alipay.CheckNo(req.biz.OutRequestNo) != nil {
		return nil, business("ACQ.INVALID_PARAMETER", "refund_amount or out_request_no")
	}
	s.mu.Lock()
	t := s.lookupLocked(req.merchant, req.biz.OutTradeNo, now)
	o, note, fail := s.refundLocked(t, req.biz.OutRequestNo, fen, now)
	s.mu.Unlock()
	if note != nil {
		s.notify(note)
	}
	return o, fail
}

func (s *Server) refundLocked(t *trade, no string, fen int64, now time.Time) (obj, *notice, *failure) {
	if t == nil {
		return nil, nil, business("ACQ.TRADE_NOT_EXIST", "交易不存在")
	}
	answer := func(change string) obj {
		return success(field{"trade_no", t.tradeNo}, field{"out_trade_no", t.outTradeNo},
			field{"buyer_logon_id", "san***@example.com"}, field{"fund_change", change},
			field{"refund_fee", alipay.Yuan(t.refundedFen)},
			field{"gmt_refund_pay", t.refunds[no].at.In(alipay.Shanghai).Format(alipay.TimeLayout)})
	}
	if r, ok := t.refunds[no]; ok {
		if r.fen != fen {
			return nil, nil, business("ACQ.DISCORDANT_REPEAT_REQUEST", "不一致的请求")
		}
		return answer("N"), nil, nil
	}
	switch {
	case t.status == TradeFinished:
		return nil, nil, business("ACQ.TRADE_HAS_FINISHED", "交易已完结")
	case t.status != TradeSuccess:
		return nil, nil, business("ACQ.TRADE_STATUS_ERROR", "交易状态非法")
	case len(t.refunds) >= 50:
		return nil, nil, business("ACQ.TRADE_NOT_ALLOW_REFUND", "退款次数超限")
	case t.refundedFen+fen > t.totalFen:
		return nil, nil, business("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
	}
	t.refunds[no] = &refund{outRequestNo: no, fen: fen, at: now.Truncate(time.Second)}
	t.refundedFen += fen
	if t.refundedFen == t.totalFen {
		t.status = TradeClosed
	}
	n := s.noticeLocked(t, now)
	n.set("out_biz_no", no)
	n.set("refund_fee", alipay.Yuan(t.refundedFen))
	n.set("gmt_refund", now.In(alipay.Shanghai).Format(alipay.TimeLayout)+".000")
	if t.status == TradeClosed {
		n.set("gmt_close", now.In(alipay.Shanghai).Format(alipay.TimeLayout))
	}
	return answer("Y"), n, nil
}

// refundQuery answers a refund; an unknown out_request_no is a success with no
// refund in it, as Alipay answers.
func (s *Server) refundQuery(req request, now time.Time) (obj, *failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(req.merchant, req.biz.OutTradeNo, now)
	if t == nil {
		return nil, business("ACQ.TRADE_NOT_EXIST", "交易不存在")
	}
	r, ok := t.refunds[req.biz.OutRequestNo]
	if !ok {
		return success(), nil
	}
	o := success(field{"trade_no", t.tradeNo}, field{"out_trade_no", t.outTradeNo},
		field{"out_request_no", r.outRequestNo}, field{"total_amount", alipay.Yuan(t.totalFen)},
		field{"refund_amount", alipay.Yuan(r.fen)}, field{"refund_status", "REFUND_SUCCESS"})
	if slices.Contains(req.biz.QueryOptions, "gmt_refund_pay") {
		o = append(o, field{"gmt_refund_pay", r.at.In(alipay.Shanghai).Format(alipay.TimeLayout)})
	}
	return o, nil
}
