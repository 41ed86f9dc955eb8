package aggregator_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

var (
	setOnce  sync.Once
	set      aggregator.KeySet
	otherKey *rsa.PrivateKey
)

// keySet returns the fixed test key set in testdata/keyset (test keys only, never used
// outside tests). They are files, not generated, because RSA generation under the fuzzer's
// coverage instrumentation takes seconds in every fuzz worker.
func keySet(t testing.TB) aggregator.KeySet {
	t.Helper()
	setOnce.Do(func() {
		dir := filepath.Join("testdata", "keyset")
		var err error
		if set.MchID, err = aggregator.ReadMchID(dir); err != nil {
			panic(err)
		}
		if set.MerchantKey, err = aggregator.ReadPrivateKey(filepath.Join(dir, aggregator.MerchantKeyFile)); err != nil {
			panic(err)
		}
		if set.PlatformKey, err = aggregator.ReadPrivateKey(filepath.Join(dir, aggregator.PlatformKeyFile)); err != nil {
			panic(err)
		}
		if set.APIv3Key, err = aggregator.ReadAPIv3Key(dir); err != nil {
			panic(err)
		}
		if otherKey, err = aggregator.ReadPrivateKey(filepath.Join("testdata", "other_key.pem")); err != nil {
			panic(err)
		}
	})
	return set
}

// signedHeaders signs body the way the platform does, with key at time at.
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

// writeSigned answers like the platform: a signed JSON body.
func writeSigned(t *testing.T, w http.ResponseWriter, key *rsa.PrivateKey, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		t.Error(err)
		return
	}
	s := keySet(t)
	for k, vs := range signedHeaders(t, key, aggregator.Serial(&s.PlatformKey.PublicKey), time.Now(), b) {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
