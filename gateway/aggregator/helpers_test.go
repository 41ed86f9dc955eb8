package aggregator_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// fixtures are the fixed test keys in testdata/keyset (test keys only, never used
// outside tests): files, not generated, because RSA generation under the fuzzer's
// coverage instrumentation takes seconds in every fuzz worker.
type fixtures struct {
	set          aggregator.KeySet
	rotatedKey   *rsa.PrivateKey   // a second platform certificate's key (rotation)
	rotatedCert  *x509.Certificate // …and certificate
	otherKey     *rsa.PrivateKey   // a key that is nobody's
	merchant     aggregator.Merchant
	partner      aggregator.Merchant
	merchantKeys aggregator.Keys
}

var (
	fixOnce sync.Once
	fix     fixtures
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func keys(t testing.TB) *fixtures {
	t.Helper()
	fixOnce.Do(func() {
		dir := filepath.Join("testdata", "keyset")
		s := &fix.set
		s.MchID = must(aggregator.ReadID(dir, aggregator.MchIDFile))
		s.AppID = must(aggregator.ReadID(dir, aggregator.AppIDFile))
		s.MerchantKey = must(aggregator.ReadPrivateKey(filepath.Join(dir, aggregator.MerchantKeyFile)))
		s.MerchantCert = must(aggregator.ReadCertificate(filepath.Join(dir, aggregator.MerchantCertFile)))
		s.PlatformKey = must(aggregator.ReadPrivateKey(filepath.Join(dir, aggregator.PlatformKeyFile)))
		s.PlatformCert = must(aggregator.ReadCertificate(filepath.Join(dir, aggregator.PlatformCertFile)))
		s.PublicKeyID = must(aggregator.ReadID(dir, aggregator.PublicKeyIDFile))
		s.PublicKeyPrivate = must(aggregator.ReadPrivateKey(filepath.Join(dir, aggregator.PublicKeyPrivateFile)))
		s.APIv3Key = must(aggregator.ReadAPIv3Key(dir))
		fix.rotatedKey = must(aggregator.ReadPrivateKey(filepath.Join(dir, "rotated", aggregator.PlatformKeyFile)))
		fix.rotatedCert = must(aggregator.ReadCertificate(filepath.Join(dir, "rotated", aggregator.PlatformCertFile)))
		fix.otherKey = must(aggregator.ReadPrivateKey(filepath.Join("testdata", "other_key.pem")))
		fix.merchant = aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: s.AppID, MchID: s.MchID}
		fix.partner = aggregator.Merchant{Mode: aggregator.ModePartner, AppID: s.AppID, MchID: s.MchID, SubMchID: "1900000109"}
		fix.merchantKeys = s.Merchant()
		fix.merchantKeys.Certificates = []*x509.Certificate{s.PlatformCert}
	})
	return &fix
}

// platformSerial is the serial of the fixture platform certificate.
func platformSerial(t testing.TB) string { return aggregator.CertSerial(keys(t).set.PlatformCert) }

// signedHeaders signs body the way WeChat Pay does, with key at time at.
func signedHeaders(t testing.TB, key *rsa.PrivateKey, serial string, at time.Time, body []byte) http.Header {
	t.Helper()
	nonce, err := aggregator.NewNonce(rand.Reader, 32)
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	sig, err := aggregator.Sign(key, aggregator.ResponseMessage(ts, nonce, body))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(aggregator.HeaderTimestamp, ts)
	h.Set(aggregator.HeaderNonce, nonce)
	h.Set(aggregator.HeaderSignature, sig)
	h.Set(aggregator.HeaderSerial, serial)
	return h
}

// writeSigned answers like WeChat Pay's 2xx: a JSON body signed by key under the
// fixture platform certificate's serial.
func writeSigned(t *testing.T, w http.ResponseWriter, key *rsa.PrivateKey, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		t.Error(err)
		return
	}
	for k, vs := range signedHeaders(t, key, platformSerial(t), time.Now(), b) {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers like WeChat Pay's error answers: unsigned {"code","message"}.
func writeError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(aggregator.ErrorBody{Code: code, Message: "test"})
}
