package gateway

import (
	"fmt"
	"io"
	"net/http"

	"github.com/onecode/onecode/app/recharge"
)

// MaxNotifyBody bounds a provider notification's body (WeChat Pay and Alipay send a
// few kilobytes).
const MaxNotifyBody = 64 << 10

// PayNotifyPath is the per-merchant notification route: POST /pay/notify/{merchant}.
const PayNotifyPath = "/pay/notify/"

// PayNotifyHandler serves the providers' notifications at POST
// /pay/notify/{merchant}: the merchant key in the path chooses the Provider that
// verifies the notification (signature, freshness, decryption) and writes the answer
// (Ack). A verified payment is settled by its order's purpose (a recharge credits
// the wallet, a fee order pays its bill); it is acknowledged only once settled, so a
// failure, an unknown order or an amount that is not the order's is notified again
// (and logged) while nothing changes. An unknown merchant key is 404.
func (r *Recharges) PayNotifyHandler() http.Handler { return http.HandlerFunc(r.servePayNotify) }

func (r *Recharges) servePayNotify(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeNotifyFail(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	key := req.PathValue("merchant")
	p, err := r.app.Providers().ByKey(key)
	if err != nil || key == "" {
		r.log.Warn("notification for an unknown merchant", "merchant", key, "remote", req.RemoteAddr)
		writeNotifyFail(w, http.StatusNotFound, "unknown merchant")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxNotifyBody))
	if err != nil {
		p.Ack(w, fmt.Errorf("%w: body: %v", recharge.ErrBadNotification, err))
		return
	}
	n, err := p.VerifyNotification(req.Header, body, r.now())
	if err != nil {
		r.log.Warn("notification rejected", "merchant", key, "remote", req.RemoteAddr, "err", err)
		p.Ack(w, err)
		return
	}
	switch {
	case n.Payment != nil:
		pay := *n.Payment
		pay.NotificationID = n.ID
		p.Ack(w, r.app.Paid(req.Context(), pay))
	case n.Refund != nil:
		p.Ack(w, r.app.RefundNotified(req.Context(), *n.Refund))
	default:
		r.log.Info("notification with nothing of ours to do", "merchant", key, "id", n.ID)
		p.Ack(w, nil)
	}
}
