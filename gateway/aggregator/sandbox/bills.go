package sandbox

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // WeChat Pay's documented hash of a bill
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// billHeader is the trade bill's (bill_type ALL) header row.
const billHeader = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类," +
	"应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率," +
	"订单金额,申请退款金额,费率备注\n"

// tradeBill answers GET /v3/bill/tradebill?bill_date=…: the bill's SHA1 and where
// to download it (this sandbox's /v3/billdownload/file).
func (s *Server) tradeBill(w http.ResponseWriter, r *http.Request, _ []byte) {
	day := r.URL.Query().Get("bill_date")
	body, ok := s.bill(day)
	if !ok {
		s.fail(w, http.StatusBadRequest, aggregator.CodeParamError, "bill_date must be YYYY-MM-DD")
		return
	}
	sum := sha1.Sum(body) //nolint:gosec
	s.writeSigned(w, http.StatusOK, map[string]string{"hash_type": "SHA1", "hash_value": hex.EncodeToString(sum[:]),
		"download_url": "http://" + r.Host + "/v3/billdownload/file?token=" + day})
}

// billFile answers GET /v3/billdownload/file?token=…: the bill itself (unsigned, as
// documented: its hash is checked instead).
func (s *Server) billFile(w http.ResponseWriter, r *http.Request, _ []byte) {
	body, ok := s.bill(r.URL.Query().Get("token"))
	if !ok {
		s.fail(w, http.StatusNotFound, aggregator.CodeParamError, "no such bill")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	_, _ = w.Write(body)
}

// bill renders the day's (China time) payments and refunds.
func (s *Server) bill(day string) ([]byte, bool) {
	from, err := time.ParseInLocation("2006-01-02", day, aggregator.Beijing)
	if err != nil {
		return nil, false
	}
	to := from.AddDate(0, 0, 1)
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	var rows []string
	s.mu.Lock()
	for no, o := range s.orders {
		if (o.state == aggregator.StateSuccess || o.state == aggregator.StateRefund) && in(o.successTime) {
			rows = append(rows, fmt.Sprintf("`%s,`%s,`%s,`%s,`,`%s,`%s,`,`%s,`SUCCESS,`OTHERS,`CNY,`%s,`0.00,`0,`0,`0.00,`0.00,`,`,`,`,`0.00000,`0.60%%,`%s,`0.00,`\n",
				aggregator.FormatTime(o.successTime), o.merchant.AppID, o.merchant.MchID, o.merchant.SubMchID, o.transactionID, no,
				o.tradeType, yuan(o.req.Amount.Total), yuan(o.req.Amount.Total)))
		}
	}
	for _, rf := range s.refunds {
		at, err := aggregator.ParseTime(rf.resp.SuccessTime)
		if rf.resp.Status != aggregator.RefundSuccess || err != nil || !in(at) {
			continue
		}
		rows = append(rows, fmt.Sprintf("`%s,`,`,`,`,`%s,`%s,`,`,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`%s,`%s,`%s,`0.00,`ORIGINAL,`SUCCESS,`,`,`0.00000,`0.60%%,`0.00,`%s,`\n",
			rf.resp.SuccessTime, rf.resp.TransactionID, rf.orderNo, rf.resp.RefundID, rf.resp.OutRefundNo,
			yuan(rf.resp.Amount.Refund), yuan(rf.resp.Amount.Refund)))
	}
	s.mu.Unlock()
	sort.Strings(rows)
	var b bytes.Buffer
	b.WriteString(billHeader)
	for _, r := range rows {
		b.WriteString(r)
	}
	fmt.Fprintf(&b, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\n`%d,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\n", len(rows))
	return b.Bytes(), true
}
