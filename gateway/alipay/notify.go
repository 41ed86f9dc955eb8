package alipay

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/onecode/onecode/app/recharge"
)

// maxNotification bounds a notification body; maxSkew is how far in the future a
// notify_time may be.
const (
	maxNotification = 16 << 10
	maxSkew         = 5 * time.Minute
)

// VerifyNotification implements recharge.Provider for Alipay's asynchronous
// notifications (form-encoded POST bodies): the RSA2 signature over the sorted
// fields without sign and sign_type, app_id (and auth_app_id in service-provider
// mode), notify_time within MaxNotifyAge, then trade_status mapped. A refund shows
// as out_biz_no (our out_request_no) with refund_fee and gmt_refund; its AmountFen
// is refund_fee, the total refunded on the trade so far. WAIT_BUYER_PAY and
// TRADE_CLOSED carry neither a payment nor a refund: nothing to do.
func (c *Client) VerifyNotification(_ http.Header, body []byte, now time.Time) (recharge.Notice, error) {
	v, err := c.verifyForm(body)
	if err != nil {
		return recharge.Notice{}, fmt.Errorf("%w: %w", recharge.ErrBadNotification, err)
	}
	n, err := c.parseNotice(v, now)
	if err != nil {
		return recharge.Notice{}, fmt.Errorf("%w: %w", recharge.ErrBadNotification, err)
	}
	return n, nil
}

// verifyForm parses the body and verifies its signature; each field must appear
// once. Alipay documents the signed string without sign and sign_type; some
// certificate-mode senders leave alipay_cert_sn out of it too, which is accepted.
func (c *Client) verifyForm(body []byte) (url.Values, error) {
	if len(body) > maxNotification {
		return nil, errors.New("alipay: notification too large")
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("alipay: notification is not a form: %w", err)
	}
	for k, vs := range v {
		if len(vs) != 1 {
			return nil, fmt.Errorf("alipay: notification field %q appears %d times", k, len(vs))
		}
	}
	if v.Get("sign_type") != "RSA2" {
		return nil, fmt.Errorf("alipay: notification sign_type %q, want RSA2", v.Get("sign_type"))
	}
	sn := v.Get("alipay_cert_sn")
	if sn != "" {
		pub, err := c.keys.verifier(sn)
		if err != nil {
			return nil, err
		}
		err = Verify(pub, []byte(SigningString(v, "sign", "sign_type")), v.Get("sign"))
		if err != nil {
			err = Verify(pub, []byte(SigningString(v, "sign", "sign_type", "alipay_cert_sn")), v.Get("sign"))
		}
		return v, err
	}
	content := []byte(SigningString(v, "sign", "sign_type"))
	for _, pub := range c.keys.verifiers() {
		if Verify(pub, content, v.Get("sign")) == nil {
			return v, nil
		}
	}
	return nil, ErrSignature
}

func (c *Client) parseNotice(v url.Values, now time.Time) (recharge.Notice, error) {
	switch {
	case v.Get("app_id") != c.keys.AppID:
		return recharge.Notice{}, fmt.Errorf("alipay: notification for app_id %q", v.Get("app_id"))
	case c.authApp != "" && v.Get("auth_app_id") != c.authApp:
		return recharge.Notice{}, fmt.Errorf("alipay: notification for auth_app_id %q", v.Get("auth_app_id"))
	case v.Get("notify_type") != "trade_status_sync":
		return recharge.Notice{}, fmt.Errorf("alipay: notify_type %q", v.Get("notify_type"))
	}
	at, err := time.ParseInLocation(TimeLayout, v.Get("notify_time"), Shanghai)
	if err != nil {
		return recharge.Notice{}, fmt.Errorf("alipay: notify_time %q", v.Get("notify_time"))
	}
	if now.Sub(at) > c.maxAge || at.Sub(now) > maxSkew {
		return recharge.Notice{}, fmt.Errorf("alipay: stale notification (notify_time %s)", v.Get("notify_time"))
	}
	orderID, tradeNo := v.Get("out_trade_no"), v.Get("trade_no")
	if CheckNo(orderID) != nil || tradeNo == "" {
		return recharge.Notice{}, errors.New("alipay: notification without out_trade_no or trade_no")
	}
	total, err := ParseYuan(v.Get("total_amount"))
	if err != nil {
		return recharge.Notice{}, err
	}
	n := recharge.Notice{ID: v.Get("notify_id")}
	if refundID := v.Get("out_biz_no"); refundID != "" && v.Get("refund_fee") != "" {
		fee, err := ParseYuan(v.Get("refund_fee"))
		if err != nil || CheckNo(refundID) != nil || fee <= 0 || fee > total {
			return recharge.Notice{}, fmt.Errorf("alipay: refund notification: out_biz_no %q, refund_fee %q", refundID, v.Get("refund_fee"))
		}
		n.Refund = &recharge.RemoteRefund{OrderID: orderID, RefundID: refundID, ProviderRefundID: tradeNo,
			AmountFen: fee, State: recharge.RefundSucceeded, SuccessTime: parseTime(v.Get("gmt_refund"))}
		return n, nil
	}
	switch v.Get("trade_status") {
	case "TRADE_SUCCESS", "TRADE_FINISHED":
		n.Payment = &recharge.Payment{OrderID: orderID, TransactionID: tradeNo, AmountFen: total, NotificationID: n.ID}
	case "WAIT_BUYER_PAY", "TRADE_CLOSED":
	default:
		return recharge.Notice{}, fmt.Errorf("alipay: unknown trade_status %q", v.Get("trade_status"))
	}
	return n, nil
}

// Ack implements recharge.Provider: Alipay stops notifying when the body is exactly
// "success"; anything else ("fail") is notified again.
func (c *Client) Ack(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err == nil {
		_, _ = w.Write([]byte("success"))
		return
	}
	status := http.StatusInternalServerError
	if errors.Is(err, recharge.ErrBadNotification) {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte("fail"))
}
