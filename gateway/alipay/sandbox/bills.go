package sandbox

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/onecode/onecode/gateway/alipay"
)

// billURL answers alipay.data.dataservice.bill.downloadurl.query (bill_type trade):
// where this sandbox serves the day's bill of the merchant.
func (s *Server) billURL(req request) (obj, *failure) {
	if _, err := time.ParseInLocation("2006-01-02", req.biz.BillDate, alipay.Shanghai); err != nil || req.biz.BillType != "trade" {
		return nil, business("isp.bill_not_exist", "账单不存在")
	}
	return success(field{"bill_download_url", req.base + "/sandbox/bill/" + req.merchant + "/" + req.biz.BillDate}), nil
}

// billFile serves GET /sandbox/bill/{merchant}/{day}: a zip of the 业务明细 CSV in GBK.
func (s *Server) billFile(w http.ResponseWriter, r *http.Request) {
	day, merchant := r.PathValue("day"), r.PathValue("merchant")
	from, err := time.ParseInLocation("2006-01-02", day, alipay.Shanghai)
	if err != nil {
		http.Error(w, "no such bill", http.StatusNotFound)
		return
	}
	to := from.AddDate(0, 0, 1)
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	var rows []string
	s.mu.Lock()
	for _, t := range s.trades {
		if t.merchant != merchant {
			continue
		}
		if !t.paidAt.IsZero() && in(t.paidAt) {
			rows = append(rows, fmt.Sprintf("%s\t,%s\t,交易\t,\t,%s\t,%s\t,\t,\t,\t,\t,%s\t,%s\t,%s\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,\n",
				t.tradeNo, t.outTradeNo, t.created.In(alipay.Shanghai).Format(time.DateTime), t.paidAt.In(alipay.Shanghai).Format(time.DateTime),
				t.buyerID, alipay.Yuan(t.totalFen), alipay.Yuan(t.totalFen)))
		}
		for _, rf := range t.refunds {
			if in(rf.at) {
				rows = append(rows, fmt.Sprintf("%s\t,%s\t,退款\t,\t,%s\t,%s\t,\t,\t,\t,\t,%s\t,-%s\t,-%s\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,\t,0.00\t,0.00\t,%s\t,0.00\t,0.00\t,\n",
					t.tradeNo, t.outTradeNo, rf.at.In(alipay.Shanghai).Format(time.DateTime), rf.at.In(alipay.Shanghai).Format(time.DateTime),
					t.buyerID, alipay.Yuan(rf.fen), alipay.Yuan(rf.fen), rf.outRequestNo))
			}
		}
	}
	s.mu.Unlock()
	sort.Strings(rows)
	var csv bytes.Buffer
	csv.WriteString("#支付宝业务明细查询\n#-----------------------------------------业务明细列表----------------------------------------\n")
	csv.WriteString("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）," +
		"支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注\n")
	for _, r := range rows {
		csv.WriteString(r)
	}
	csv.WriteString("#-----------------------------------------业务明细列表结束------------------------------------\n")
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(csv.Bytes())
	if err != nil {
		http.Error(w, "encode", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create(merchant + "_" + day + "_detail.csv")
	if err == nil {
		_, err = f.Write(gbk)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		http.Error(w, "zip", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	_, _ = w.Write(buf.Bytes())
}
