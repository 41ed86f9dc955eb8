package recharge

import (
	"errors"
	"testing"
)

func TestStatementColumns(t *testing.T) {
	col, err := StatementColumns([]string{" 交易时间", "商户订单号 ", "总金额"}, "商户订单号", "总金额")
	if err != nil || col["商户订单号"] != 1 || col["总金额"] != 2 {
		t.Fatalf("columns %v, %v", col, err)
	}
	_, err = StatementColumns([]string{"交易时间"}, "交易时间", "退款金额")
	var missing MissingColumnError
	if !errors.As(err, &missing) || missing.Column != "退款金额" {
		t.Fatalf("err %v, want the missing 退款金额", err)
	}
}
