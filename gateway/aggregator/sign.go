package aggregator

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// nonceAlphabet is the alphabet of request nonces and GCM nonce strings.
const nonceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NewNonce returns n random characters of [A-Za-z0-9] read from random.
func NewNonce(random io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("wechatpay: nonce: %w", err)
	}
	for i := range b {
		// 256 = 4·62 + 8: the bias towards the first 8 characters is harmless for a nonce.
		b[i] = nonceAlphabet[int(b[i])%len(nonceAlphabet)]
	}
	return string(b), nil
}

// CertSerial is a certificate's serial as WeChat Pay writes it (serial_no,
// Wechatpay-Serial): the upper-case hex of the X.509 serial number.
func CertSerial(c *x509.Certificate) string { return fmt.Sprintf("%X", c.SerialNumber) }

// JSAPIMessage is what a merchant signs for WeixinJSBridge's getBrandWCPayRequest:
// "appId\ntimeStamp\nnonceStr\npackage\n".
func JSAPIMessage(appID, timeStamp, nonceStr, pkg string) []byte {
	return []byte(appID + "\n" + timeStamp + "\n" + nonceStr + "\n" + pkg + "\n")
}

// RequestMessage is what a merchant signs: "METHOD\nURL\ntimestamp\nnonce\nbody\n".
func RequestMessage(method, uri string, timestamp int64, nonce string, body []byte) []byte {
	var b strings.Builder
	b.Grow(len(method) + len(uri) + len(nonce) + len(body) + 32)
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(timestamp, 10))
	b.WriteByte('\n')
	b.WriteString(nonce)
	b.WriteByte('\n')
	b.Write(body)
	b.WriteByte('\n')
	return []byte(b.String())
}

// ResponseMessage is what the platform signs: "timestamp\nnonce\nbody\n".
func ResponseMessage(timestamp, nonce string, body []byte) []byte {
	msg := make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3)
	msg = append(msg, timestamp...)
	msg = append(msg, '\n')
	msg = append(msg, nonce...)
	msg = append(msg, '\n')
	msg = append(msg, body...)
	return append(msg, '\n')
}

// Sign returns base64(RSASSA-PKCS1-v1_5(SHA-256, msg)).
func Sign(key *rsa.PrivateKey, msg []byte) (string, error) {
	sum := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("wechatpay: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifySignature checks a base64 signature of msg; a failure is ErrBadSignature.
func VerifySignature(pub *rsa.PublicKey, msg []byte, signature string) error {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return fmt.Errorf("%w: signature is not base64", ErrBadSignature)
	}
	sum := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

// Authorization is the parsed Authorization header of a merchant request.
type Authorization struct {
	MchID     string
	Nonce     string
	Timestamp int64
	SerialNo  string
	Signature string
}

// String renders the header value in the documented field order.
func (a Authorization) String() string {
	return fmt.Sprintf(`%s mchid="%s",nonce_str="%s",signature="%s",timestamp="%d",serial_no="%s"`,
		AuthScheme, a.MchID, a.Nonce, a.Signature, a.Timestamp, a.SerialNo)
}

// SignRequest builds the Authorization of a merchant request.
func SignRequest(key *rsa.PrivateKey, mchID, serial, method, uri string, now time.Time, nonce string, body []byte) (Authorization, error) {
	a := Authorization{MchID: mchID, Nonce: nonce, Timestamp: now.Unix(), SerialNo: serial}
	sig, err := Sign(key, RequestMessage(method, uri, a.Timestamp, nonce, body))
	if err != nil {
		return Authorization{}, err
	}
	a.Signature = sig
	return a, nil
}

// ParseAuthorization parses an Authorization header value; a malformed one is
// ErrBadSignature.
func ParseAuthorization(h string) (Authorization, error) {
	rest, ok := strings.CutPrefix(h, AuthScheme+" ")
	if !ok || len(h) > 2048 {
		return Authorization{}, fmt.Errorf("%w: authorization scheme", ErrBadSignature)
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return Authorization{}, fmt.Errorf("%w: authorization field %q", ErrBadSignature, part)
		}
		fields[k] = v[1 : len(v)-1]
	}
	ts, err := strconv.ParseInt(fields["timestamp"], 10, 64)
	if err != nil {
		return Authorization{}, fmt.Errorf("%w: authorization timestamp", ErrBadSignature)
	}
	a := Authorization{MchID: fields["mchid"], Nonce: fields["nonce_str"], Timestamp: ts,
		SerialNo: fields["serial_no"], Signature: fields["signature"]}
	if a.MchID == "" || a.Nonce == "" || a.SerialNo == "" || a.Signature == "" {
		return Authorization{}, fmt.Errorf("%w: authorization field missing", ErrBadSignature)
	}
	return a, nil
}

// VerifyRequest checks a merchant request's Authorization against the merchant's
// public key and the receiver's clock: a stale timestamp is ErrStale, anything else
// ErrBadSignature.
func VerifyRequest(pub *rsa.PublicKey, a Authorization, method, uri string, body []byte, now time.Time) error {
	if err := checkSkew(time.Unix(a.Timestamp, 0), now); err != nil {
		return err
	}
	return VerifySignature(pub, RequestMessage(method, uri, a.Timestamp, a.Nonce, body), a.Signature)
}

// checkSkew returns ErrStale when ts is more than MaxSkew from now either way.
func checkSkew(ts, now time.Time) error {
	if d := now.Sub(ts); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: timestamp %s is %s from now", ErrStale, ts.UTC().Format(time.RFC3339), d.Round(time.Second))
	}
	return nil
}

// SealResource encrypts plaintext into a notification resource with AES-256-GCM under
// the APIv3 key; the 12-character nonce string is read from random.
// originalType is the resource's original_type (empty for encrypt_certificate).
func SealResource(apiV3Key []byte, originalType, associatedData string, plaintext []byte, random io.Reader) (Resource, error) {
	aead, err := newGCM(apiV3Key)
	if err != nil {
		return Resource{}, err
	}
	nonce, err := NewNonce(random, aead.NonceSize())
	if err != nil {
		return Resource{}, err
	}
	ct := aead.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))
	return Resource{
		Algorithm:      AlgorithmAES256GCM,
		Ciphertext:     base64.StdEncoding.EncodeToString(ct),
		Nonce:          nonce,
		AssociatedData: associatedData,
		OriginalType:   originalType,
	}, nil
}

// OpenResource decrypts a notification resource; any failure is ErrBadResource.
func OpenResource(apiV3Key []byte, r Resource) ([]byte, error) {
	if r.Algorithm != AlgorithmAES256GCM {
		return nil, fmt.Errorf("%w: algorithm %q", ErrBadResource, r.Algorithm)
	}
	aead, err := newGCM(apiV3Key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadResource, err)
	}
	if len(r.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("%w: nonce is %d bytes", ErrBadResource, len(r.Nonce))
	}
	ct, err := base64.StdEncoding.DecodeString(r.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: ciphertext is not base64", ErrBadResource)
	}
	pt, err := aead.Open(nil, []byte(r.Nonce), ct, []byte(r.AssociatedData))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadResource, err)
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, errors.New("wechatpay: APIv3 key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %w", err)
	}
	return cipher.NewGCM(block)
}
