package sandbox

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/onecode/onecode/gateway/aggregator"
)

// signer is the key answers and notifications are signed with now, and its serial:
// the newest platform certificate, or the public key in public-key mode.
func (s *Server) signer() (*rsa.PrivateKey, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pubKeyMode {
		return s.cfg.Keys.PublicKeyPrivate, s.cfg.Keys.PublicKeyID
	}
	p := s.platform[len(s.platform)-1]
	return p.Key, aggregator.CertSerial(p.Cert)
}

// Rotate adds a new platform certificate and signs with it from now on; the old
// ones stay valid and listed at /v3/certificates (a rotation: two valid at once).
func (s *Server) Rotate() (string, error) {
	key, cert, err := aggregator.NewCertificate(s.cfg.Random, "Tenpay.com", s.cfg.Now())
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.platform = append(s.platform, PlatformCert{Key: key, Cert: cert})
	s.mu.Unlock()
	return aggregator.CertSerial(cert), nil
}

// SignWithPublicKey switches between public-key mode (Wechatpay-Serial PUB_KEY_ID_…)
// and certificate mode; it fails when the keys have no public key.
func (s *Server) SignWithPublicKey(on bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on && s.cfg.Keys.PublicKeyPrivate == nil {
		return false
	}
	s.pubKeyMode = on
	return true
}

// certificates answers GET /v3/certificates: every platform certificate valid now,
// sealed under the APIv3 key.
func (s *Server) certificates(w http.ResponseWriter, _ *http.Request, _ []byte) {
	now := s.cfg.Now()
	s.mu.Lock()
	certs := append([]PlatformCert(nil), s.platform...)
	s.mu.Unlock()
	var list aggregator.CertificateList
	for _, p := range certs {
		if now.Before(p.Cert.NotBefore) || now.After(p.Cert.NotAfter) {
			continue
		}
		res, err := aggregator.SealResource(s.cfg.Keys.APIv3Key, "", aggregator.ResourceCertificate, aggregator.CertificatePEM(p.Cert), s.cfg.Random)
		if err != nil {
			s.fail(w, http.StatusInternalServerError, aggregator.CodeSystemError, "seal")
			return
		}
		list.Data = append(list.Data, aggregator.CertificateEntry{SerialNo: aggregator.CertSerial(p.Cert),
			EffectiveTime: aggregator.FormatTime(p.Cert.NotBefore), ExpireTime: aggregator.FormatTime(p.Cert.NotAfter),
			EncryptCertificate: res})
	}
	// Signed with the oldest valid certificate, one every merchant already holds: a
	// merchant (the official SDK's downloader does this) verifies a new list with the
	// certificates it has, so the one announcing a rotation must not need the new one.
	b, _ := json.Marshal(list)
	oldest := certs[0]
	for _, p := range certs {
		if !now.Before(p.Cert.NotBefore) && !now.After(p.Cert.NotAfter) {
			oldest = p
			break
		}
	}
	key, serial := oldest.Key, aggregator.CertSerial(oldest.Cert)
	if s.usingPublicKey() {
		key, serial = s.signer()
	}
	s.writeSignedWith(w, http.StatusOK, b, key, serial)
}

func (s *Server) usingPublicKey() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pubKeyMode
}

func (s *Server) postRotate(w http.ResponseWriter, _ *http.Request) {
	serial, err := s.Rotate()
	if err != nil {
		writePlainJSON(w, http.StatusInternalServerError, aggregator.ErrorBody{Code: aggregator.CodeSystemError, Message: err.Error()})
		return
	}
	s.log.Info("sandbox platform certificate rotated", "serial_no", serial)
	writePlainJSON(w, http.StatusOK, map[string]string{"serial_no": serial})
}

func (s *Server) postSigning(w http.ResponseWriter, r *http.Request) {
	on, err := strconv.ParseBool(r.URL.Query().Get("public_key"))
	if err != nil || !s.SignWithPublicKey(on) {
		writePlainJSON(w, http.StatusBadRequest, aggregator.ErrorBody{Code: aggregator.CodeParamError, Message: "public_key=true|false (true needs a public key)"})
		return
	}
	_, serial := s.signer()
	writePlainJSON(w, http.StatusOK, map[string]string{"serial": serial})
}

// signHeaders signs body as WeChat Pay does (fresh timestamp and nonce).
func (s *Server) signHeaders(body []byte) (http.Header, error) {
	key, serial := s.signer()
	return s.signHeadersWith(body, key, serial)
}

func (s *Server) signHeadersWith(body []byte, key *rsa.PrivateKey, serial string) (http.Header, error) {
	nonce, err := aggregator.NewNonce(s.cfg.Random, 32)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(s.cfg.Now().Unix(), 10)
	sig, err := aggregator.Sign(key, aggregator.ResponseMessage(ts, nonce, body))
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(aggregator.HeaderTimestamp, ts)
	h.Set(aggregator.HeaderNonce, nonce)
	h.Set(aggregator.HeaderSignature, sig)
	h.Set(aggregator.HeaderSerial, serial)
	return h, nil
}
