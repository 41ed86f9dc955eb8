package access

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/cache"
	"github.com/onecode/onecode/persistence/directory"
)

// otpRecord is a one-time code as the cache keeps it: hashed with a salt, never
// in clear.
type otpRecord struct {
	ID   string `json:"id"`
	Salt []byte `json:"salt"`
	Hash []byte `json:"hash"`
}

func codeHash(salt []byte, code string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(code))
	return h.Sum(nil)
}

// otpPayload is the outbox message that delivers a code. PhoneSealed is the number
// the SMS goes to (issue 12), sealed under the phone seal key (policy.SealPhone):
// the directory keeps only its hash and the outbox never holds it in clear.
type otpPayload struct {
	Code        string `json:"code"`
	PhoneSealed string `json:"phone_sealed"`
	MaskedPhone string `json:"masked_phone"`
	ExpiresUnix int64  `json:"expires_unix"`
}

// RequestParentCode sends a one-time login code to phone, asked from client
// address addr, and answers how long to wait before asking again: a 6-digit
// code, stored hashed for CodeTTL and delivered through the directory outbox
// (topic "otp", recipient the hex phone hash, payload {"code", "phone_sealed",
// "masked_phone", "expires_unix"}).
func (a *Auth) RequestParentCode(ctx context.Context, rawPhone, addr string) (time.Duration, error) {
	phone, ok := policy.NormalizePhone(rawPhone)
	if !ok {
		return 0, errInvalidPhone
	}
	if err := CheckRate(ctx, a.d.Cache, "rl:otp:addr:"+addr, a.opts.CodePerAddr); err != nil {
		return 0, err
	}
	ph := hex.EncodeToString(PhoneHash(a.d.PhoneHashKey, phone))
	if err := CheckRate(ctx, a.d.Cache, "rl:otp:phone:"+ph, a.opts.CodePerPhone); err != nil {
		return 0, err
	}
	if err := CheckRate(ctx, a.d.Cache, "rl:otp:phone-day:"+ph, a.opts.CodePerPhoneDaily); err != nil {
		return 0, err
	}
	code, rec, err := a.newCode()
	if err != nil {
		return 0, err
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	if err := a.d.Cache.Set(ctx, "otp:code:"+ph, v, a.opts.CodeTTL); err != nil {
		return 0, err
	}
	sealed, err := policy.SealPhone(a.d.PhoneSealKey, phone, a.d.Rand)
	if err != nil {
		_, _ = a.d.Cache.Delete(ctx, "otp:code:"+ph)
		return 0, err
	}
	payload, err := json.Marshal(otpPayload{Code: code, PhoneSealed: sealed, MaskedPhone: policy.MaskPhone(phone), ExpiresUnix: a.d.Now().Add(a.opts.CodeTTL).Unix()})
	if err != nil {
		return 0, err
	}
	if err := a.queueCode(ctx, ph, rec.ID, payload); err != nil {
		_, _ = a.d.Cache.Delete(ctx, "otp:code:"+ph)
		return 0, err
	}
	if a.opts.OnCodeIssued != nil {
		a.opts.OnCodeIssued(phone, code)
	}
	return a.opts.CodePerPhone.Period / time.Duration(a.opts.CodePerPhone.Rate), nil
}

// queueCode queues the code message in the notices' outbox, once per code.
func (a *Auth) queueCode(ctx context.Context, ph, codeID string, payload []byte) error {
	if a.d.LoginCodes != nil {
		return a.d.LoginCodes.EnqueueLoginCode(ctx, ph, codeID, payload)
	}
	_, err := a.d.Directory.Enqueue(ctx, directory.Message{Topic: directory.TopicOTP, Recipient: ph, Payload: payload})
	return err
}

// newCode draws a uniform 6-digit code and its record.
func (a *Auth) newCode() (string, otpRecord, error) {
	var b [4 + 8 + 16]byte
	for range 100 { // rejection sampling: P(reject) < 0.03%, so 100 rounds never run out
		if _, err := io.ReadFull(a.d.Rand, b[:]); err != nil {
			return "", otpRecord{}, fmt.Errorf("access: code: %w", err)
		}
		n := binary.BigEndian.Uint32(b[:4])
		const limit = (1 << 32) / 1_000_000 * 1_000_000
		if n >= limit {
			continue
		}
		code := fmt.Sprintf("%06d", n%1_000_000)
		salt := append([]byte(nil), b[12:]...)
		return code, otpRecord{ID: hex.EncodeToString(b[4:12]), Salt: salt, Hash: codeHash(salt, code)}, nil
	}
	return "", otpRecord{}, errors.New("access: code: random source is biased")
}

// ParentLogin opens a parent session for a one-time code of phone, tried from
// client address addr. Every try of a code is counted before it is checked, so
// at most MaxCodeTries checks are made of one code whatever the concurrency; the
// code dies after the last wrong one (its try counter, keyed by the code's id, is
// spent), and a right one is consumed (one login per code). The parent is created
// on the first login.
func (a *Auth) ParentLogin(ctx context.Context, rawPhone, code, addr string) (Login, error) {
	phone, ok := policy.NormalizePhone(rawPhone)
	if !ok {
		return Login{}, errInvalidPhone
	}
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return Login{}, reason.New(reason.KindInvalid, reason.InvalidCodeFormat, "want a code of 6 digits")
	}
	if err := CheckRate(ctx, a.d.Cache, "rl:parent-login:addr:"+addr, a.opts.ParentLoginPerAddr); err != nil {
		return Login{}, err
	}
	hash := PhoneHash(a.d.PhoneHashKey, phone)
	if err := a.consumeCode(ctx, hex.EncodeToString(hash), code); err != nil {
		return Login{}, err
	}
	id, err := a.newParentID()
	if err != nil {
		return Login{}, err
	}
	sealed, err := policy.SealPhone(a.d.PhoneSealKey, phone, a.d.Rand)
	if err != nil {
		return Login{}, err
	}
	parent, err := a.d.Directory.PutParent(ctx, directory.Parent{ID: id, PhoneHash: hash, PhoneMasked: policy.MaskPhone(phone), PhoneSealed: sealed})
	if err != nil {
		return Login{}, err
	}
	return a.open(ctx, Principal{Kind: KindParent, SubjectID: parent.ID, MaskedPhone: parent.PhoneMasked})
}

// consumeCode checks code against the live code of phone hash ph and consumes it.
func (a *Auth) consumeCode(ctx context.Context, ph, code string) error {
	codeKey := "otp:code:" + ph
	v, err := a.d.Cache.Get(ctx, codeKey)
	if errors.Is(err, cache.ErrNotFound) {
		return errInvalidCode
	}
	if err != nil {
		return err
	}
	var rec otpRecord
	if err := json.Unmarshal(v, &rec); err != nil || rec.ID == "" {
		return fmt.Errorf("access: stored code: %v", err)
	}
	tries, err := a.d.Cache.Incr(ctx, "otp:tries:"+ph+":"+rec.ID, a.opts.CodeTTL)
	if err != nil {
		return err
	}
	// A code is dead once its tries are spent: the counter is keyed by the
	// code's id, so nothing needs deleting. (Deleting here let a burst of
	// surplus tries remove a right code that a counted try was about to
	// consume, or a newer code the parent had just asked for.)
	if tries > int64(a.opts.MaxCodeTries) {
		return errInvalidCode
	}
	if subtle.ConstantTimeCompare(codeHash(rec.Salt, code), rec.Hash) != 1 {
		return errInvalidCode
	}
	consumed, err := a.d.Cache.Delete(ctx, codeKey)
	if err != nil {
		return err
	}
	if !consumed {
		return errInvalidCode // a concurrent login used it
	}
	return nil
}

func (a *Auth) newParentID() (string, error) {
	b := make([]byte, 12)
	if _, err := io.ReadFull(a.d.Rand, b); err != nil {
		return "", fmt.Errorf("access: parent id: %w", err)
	}
	return "par_" + hex.EncodeToString(b), nil
}
