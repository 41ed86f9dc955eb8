package sms

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/onecode/onecode/app/notify"
)

// ReceiptRecorder records a batch of delivery receipts on their outbox
// messages (notify.Receipts); notify.ErrReceiptEarly when some message is not
// marked sent yet.
type ReceiptRecorder interface {
	RecordAll(ctx context.Context, rs []notify.DeliveryReceipt) error
}

// maxReceiptBody bounds a receipt batch's body.
const maxReceiptBody = 256 << 10

// ReceiptHandler serves POST ReceiptPath: it verifies the gateway's signature,
// records the receipts at once and answers {"code":"OK"}; a bad signature is 401 and
// records nothing; a failure to record is 503 (the gateway posts again: a
// receipt recorded twice changes nothing).
func ReceiptHandler(creds Credentials, rec ReceiptRecorder, now func() time.Time, logger *slog.Logger) http.Handler {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReceiptBody))
		if err != nil {
			answer(w, http.StatusRequestEntityTooLarge, "BodyTooLarge")
			return
		}
		if err := creds.Verify(r, body, now()); err != nil {
			logger.Warn("SMS receipt refused", slog.Any("error", err))
			answer(w, http.StatusUnauthorized, CodeSignature)
			return
		}
		var b ReceiptBatch
		if err := json.Unmarshal(body, &b); err != nil || len(b.Receipts) > MaxReceipts {
			answer(w, http.StatusBadRequest, "BadReceipts")
			return
		}
		rs := make([]notify.DeliveryReceipt, 0, len(b.Receipts))
		for _, rc := range b.Receipts {
			id, ok := MessageIDOf(rc.OutID)
			if !ok || (rc.Status != StatusDelivered && rc.Status != StatusUndelivered) {
				logger.Warn("SMS receipt skipped: no outbox id or status", slog.String("message_id", rc.MessageID))
				continue
			}
			detail := rc.Status
			if rc.ErrorCode != "" {
				detail += ": " + rc.ErrorCode
			}
			rs = append(rs, notify.DeliveryReceipt{MessageID: id, Delivered: rc.Status == StatusDelivered, Detail: detail})
		}
		if len(rs) > 0 {
			if err := rec.RecordAll(r.Context(), rs); err != nil {
				if !errors.Is(err, context.Canceled) && !errors.Is(err, notify.ErrReceiptEarly) {
					logger.Warn("SMS receipts not recorded", slog.Int("receipts", len(rs)), slog.Any("error", err))
				}
				answer(w, http.StatusServiceUnavailable, CodeBusy)
				return
			}
		}
		answer(w, http.StatusOK, CodeOK)
	})
}

func answer(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(SendResponse{Code: code})
}
