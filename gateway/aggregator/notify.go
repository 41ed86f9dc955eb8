package aggregator

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Notification is a verified, decrypted payment notification.
type Notification struct {
	ID         string
	EventType  string
	CreateTime time.Time
	// Nonce, Timestamp and Serial are the signed headers. The nonce is exposed, not
	// deduplicated here: a per-process set is no fence across cluster members; the
	// caller dedupes by OutTradeNo (credits are idempotent by order id).
	Nonce     string
	Timestamp time.Time
	Serial    string
	Transaction
}

// Verifier checks what the aggregator signs: notifications and API answers.
type Verifier struct {
	platformKey    *rsa.PublicKey
	platformSerial string
	apiV3Key       []byte
}

// NewVerifier builds a Verifier from the merchant's keys.
func NewVerifier(keys Keys) (*Verifier, error) {
	if keys.PlatformKey == nil || keys.PlatformSerial == "" || len(keys.APIv3Key) != 32 {
		return nil, errors.New("aggregator: verifier needs the platform key, its serial and a 32-byte APIv3 key")
	}
	return &Verifier{platformKey: keys.PlatformKey, platformSerial: keys.PlatformSerial, apiV3Key: keys.APIv3Key}, nil
}

// VerifyNotification reads (at most MaxBody bytes of) a notification request and
// verifies it at time now: ErrStale for a timestamp more than 5 minutes off,
// ErrBadSignature for a forged or tampered one, ErrBadResource when the resource does
// not decrypt (wrong APIv3 key) or is malformed.
func (v *Verifier) VerifyNotification(r *http.Request, now time.Time) (Notification, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return Notification{}, fmt.Errorf("%w: read body: %v", ErrBadResource, err)
	}
	if len(body) > MaxBody {
		return Notification{}, fmt.Errorf("%w: body larger than %d bytes", ErrBadResource, MaxBody)
	}
	return v.Verify(r.Header, body, now)
}

// Verify is VerifyNotification over headers and a body already read.
func (v *Verifier) Verify(h http.Header, body []byte, now time.Time) (Notification, error) {
	sh, err := v.verifySigned(h, body, now)
	if err != nil {
		return Notification{}, err
	}
	var nb NotificationBody
	if err := json.Unmarshal(body, &nb); err != nil {
		return Notification{}, fmt.Errorf("%w: body is not JSON: %v", ErrBadResource, err)
	}
	if nb.ID == "" || nb.EventType == "" {
		return Notification{}, fmt.Errorf("%w: id or event_type missing", ErrBadResource)
	}
	pt, err := OpenResource(v.apiV3Key, nb.Resource)
	if err != nil {
		return Notification{}, err
	}
	var tx Transaction
	if err := json.Unmarshal(pt, &tx); err != nil {
		return Notification{}, fmt.Errorf("%w: resource is not JSON: %v", ErrBadResource, err)
	}
	if err := CheckTradeNo(tx.OutTradeNo); err != nil {
		return Notification{}, fmt.Errorf("%w: %v", ErrBadResource, err)
	}
	if tx.AmountFen <= 0 || tx.TransactionID == "" || !tx.TradeState.Known() {
		return Notification{}, fmt.Errorf("%w: amount_fen %d, transaction_id %q, trade_state %q", ErrBadResource, tx.AmountFen, tx.TransactionID, tx.TradeState)
	}
	return Notification{ID: nb.ID, EventType: nb.EventType, CreateTime: nb.CreateTime,
		Nonce: sh.nonce, Timestamp: sh.timestamp, Serial: sh.serial, Transaction: tx}, nil
}

type signedHeaders struct {
	timestamp time.Time
	nonce     string
	serial    string
}

// verifySigned checks the Wechatpay-* headers over body.
func (v *Verifier) verifySigned(h http.Header, body []byte, now time.Time) (signedHeaders, error) {
	ts, nonce, serial, sig := h.Get(HeaderTimestamp), h.Get(HeaderNonce), h.Get(HeaderSerial), h.Get(HeaderSignature)
	if ts == "" || nonce == "" || sig == "" || len(nonce) > 64 {
		return signedHeaders{}, fmt.Errorf("%w: signature headers missing", ErrBadSignature)
	}
	if serial != v.platformSerial {
		return signedHeaders{}, fmt.Errorf("%w: unknown platform serial %q", ErrBadSignature, serial)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return signedHeaders{}, fmt.Errorf("%w: timestamp %q", ErrBadSignature, ts)
	}
	at := time.Unix(sec, 0)
	if err := checkSkew(at, now); err != nil {
		return signedHeaders{}, err
	}
	if err := VerifySignature(v.platformKey, ResponseMessage(ts, nonce, body), sig); err != nil {
		return signedHeaders{}, err
	}
	return signedHeaders{timestamp: at, nonce: nonce, serial: serial}, nil
}

// WriteAck answers a notification: 200 {"code":"SUCCESS"} when err is nil (call it
// only once the notification is durably processed), 500 {"code":"FAIL"} otherwise so
// that the aggregator retries. A bad notification should also get a non-2xx answer.
func WriteAck(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err == nil {
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(ErrorBody{Code: "SUCCESS"})
		return
	}
	status := http.StatusInternalServerError
	if errors.Is(err, ErrBadSignature) || errors.Is(err, ErrStale) || errors.Is(err, ErrBadResource) {
		status = http.StatusBadRequest // the aggregator retries these too; nothing was recorded
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Code: "FAIL", Message: "not processed"})
}
