package aggregator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Notification is a verified, decrypted notification: a payment (Transaction, for
// original_type "transaction") or a refund (Refund, for "refund").
type Notification struct {
	ID         string
	EventType  string
	CreateTime string
	Summary    string
	// Nonce, Timestamp and Serial are the signed headers. The nonce is exposed, not
	// deduplicated here: a per-process set is no fence across cluster members; the
	// caller dedupes by out_trade_no / out_refund_no (credits are idempotent).
	Nonce       string
	Timestamp   time.Time
	Serial      string
	Transaction *Transaction
	Refund      *Refund
}

// Verifier checks what WeChat Pay signs: notifications and API answers. Build it
// with NewVerifier (keys known at start) or take Client.Verifier (which also
// downloads platform certificates).
type Verifier struct {
	platform *platform
	apiV3Key []byte
}

// NewVerifier builds a Verifier from the merchant's keys: its public key (public-key
// mode) and the platform certificates in keys.Certificates; it downloads nothing.
func NewVerifier(keys Keys) (*Verifier, error) {
	if len(keys.APIv3Key) != 32 || (keys.PublicKey == nil && len(keys.Certificates) == 0) {
		return nil, errors.New("wechatpay: verifier needs a 32-byte APIv3 key and a platform public key or certificate")
	}
	return &Verifier{platform: newPlatform(keys), apiV3Key: keys.APIv3Key}, nil
}

// VerifyNotification reads (at most MaxBody bytes of) a notification request and
// verifies it at time now (see Verify).
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

// Verify checks a notification's headers and body at time now: ErrStale for a
// timestamp more than 5 minutes off, ErrBadSignature for a forged or tampered one (or
// an unknown serial), ErrBadResource when the resource does not decrypt (wrong APIv3
// key) or is malformed.
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
	n := Notification{ID: nb.ID, EventType: nb.EventType, CreateTime: nb.CreateTime, Summary: nb.Summary,
		Nonce: sh.nonce, Timestamp: sh.timestamp, Serial: sh.serial}
	switch nb.Resource.OriginalType {
	case ResourceTransaction:
		n.Transaction, err = parseTransaction(pt)
	case ResourceRefund:
		n.Refund, err = parseRefund(pt)
	default:
		err = fmt.Errorf("%w: original_type %q", ErrBadResource, nb.Resource.OriginalType)
	}
	if err != nil {
		return Notification{}, err
	}
	return n, nil
}

func parseTransaction(pt []byte) (*Transaction, error) {
	var tx Transaction
	if err := json.Unmarshal(pt, &tx); err != nil {
		return nil, fmt.Errorf("%w: resource is not JSON: %v", ErrBadResource, err)
	}
	if err := CheckTradeNo(tx.OutTradeNo); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadResource, err)
	}
	if tx.Amount.Total <= 0 || tx.TransactionID == "" || !tx.TradeState.Known() {
		return nil, fmt.Errorf("%w: amount.total %d, transaction_id %q, trade_state %q", ErrBadResource, tx.Amount.Total, tx.TransactionID, tx.TradeState)
	}
	return &tx, nil
}

func parseRefund(pt []byte) (*Refund, error) {
	var rf Refund
	if err := json.Unmarshal(pt, &rf); err != nil {
		return nil, fmt.Errorf("%w: resource is not JSON: %v", ErrBadResource, err)
	}
	if CheckTradeNo(rf.OutTradeNo) != nil || CheckTradeNo(rf.OutRefundNo) != nil || rf.RefundID == "" || rf.Amount.Refund <= 0 {
		return nil, fmt.Errorf("%w: refund %q of %q", ErrBadResource, rf.OutRefundNo, rf.OutTradeNo)
	}
	switch rf.State() {
	case RefundSuccess, RefundClosed, RefundAbnormal, RefundProcessing:
	default:
		return nil, fmt.Errorf("%w: refund_status %q", ErrBadResource, rf.State())
	}
	return &rf, nil
}

type signedHeaders struct {
	timestamp time.Time
	nonce     string
	serial    string
}

// verifySigned checks the Wechatpay-* headers over body.
func (v *Verifier) verifySigned(h http.Header, body []byte, now time.Time) (signedHeaders, error) {
	ts, nonce, serial, sig := h.Get(HeaderTimestamp), h.Get(HeaderNonce), h.Get(HeaderSerial), h.Get(HeaderSignature)
	if ts == "" || nonce == "" || sig == "" || serial == "" || len(nonce) > 64 {
		return signedHeaders{}, fmt.Errorf("%w: signature headers missing", ErrBadSignature)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return signedHeaders{}, fmt.Errorf("%w: timestamp %q", ErrBadSignature, ts)
	}
	at := time.Unix(sec, 0)
	if err := checkSkew(at, now); err != nil {
		return signedHeaders{}, err
	}
	key, err := v.platform.key(serial, now)
	if err != nil {
		return signedHeaders{}, err
	}
	if err := VerifySignature(key, ResponseMessage(ts, nonce, body), sig); err != nil {
		return signedHeaders{}, err
	}
	return signedHeaders{timestamp: at, nonce: nonce, serial: serial}, nil
}

// WriteAck answers a notification: 200 with no body when err is nil (call it only
// once the notification is durably processed; WeChat Pay takes 200/204 as received),
// else 500 {"code":"FAIL","message":"失败"} so that WeChat Pay notifies again. A bad
// notification gets 400 with the same body.
func WriteAck(w http.ResponseWriter, err error) {
	if err == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	status := http.StatusInternalServerError
	if errors.Is(err, ErrBadSignature) || errors.Is(err, ErrStale) || errors.Is(err, ErrBadResource) {
		status = http.StatusBadRequest // retried by WeChat Pay too; nothing was recorded
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Code: "FAIL", Message: "失败"})
}
