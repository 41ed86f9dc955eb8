package aggregator

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// KeySet is both sides' keys, as the demo and `onecode aggregator-sandbox --init-keys`
// make them: the merchant's API key and certificate, a platform certificate and key
// (the sandbox signs with it), a platform public key with its PUB_KEY_ID
// (public-key mode) and the APIv3 key.
type KeySet struct {
	MchID, AppID     string
	MerchantKey      *rsa.PrivateKey
	MerchantCert     *x509.Certificate
	PlatformKey      *rsa.PrivateKey
	PlatformCert     *x509.Certificate
	PublicKeyID      string
	PublicKeyPrivate *rsa.PrivateKey
	APIv3Key         []byte
}

// CertValidity is how long generated certificates are valid.
const CertValidity = 5 * 365 * 24 * time.Hour

// GenerateKeySet makes a fresh matching set (three RSA-2048 keys, two certificates).
func GenerateKeySet(random io.Reader, mchID, appID string) (KeySet, error) {
	s := KeySet{MchID: mchID, AppID: appID}
	var err error
	if s.MerchantKey, s.MerchantCert, err = NewCertificate(random, mchID, time.Now()); err != nil {
		return KeySet{}, fmt.Errorf("wechatpay: merchant certificate: %w", err)
	}
	if s.PlatformKey, s.PlatformCert, err = NewCertificate(random, "Tenpay.com", time.Now()); err != nil {
		return KeySet{}, fmt.Errorf("wechatpay: platform certificate: %w", err)
	}
	if s.PublicKeyPrivate, err = rsa.GenerateKey(random, 2048); err != nil {
		return KeySet{}, fmt.Errorf("wechatpay: platform public key: %w", err)
	}
	id, err := NewNonce(random, 24)
	if err != nil {
		return KeySet{}, err
	}
	s.PublicKeyID = PublicKeyIDPrefix + id
	apiV3, err := NewNonce(random, 32)
	if err != nil {
		return KeySet{}, err
	}
	s.APIv3Key = []byte(apiV3)
	return s, nil
}

// NewCertificate makes an RSA-2048 key and a self-signed certificate for it, valid
// from an hour before now for CertValidity, with a random 20-byte serial.
func NewCertificate(random io.Reader, commonName string, now time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	return NewCertificateBits(random, commonName, now, 2048)
}

// NewCertificateBits is NewCertificate with an RSA key of bits (a load run's
// sandbox platform key may be shorter; a merchant key never is: Keys.Validate).
func NewCertificateBits(random io.Reader, commonName string, now time.Time, bits int) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(random, bits)
	if err != nil {
		return nil, nil, err
	}
	sn := make([]byte, 20)
	if _, err := io.ReadFull(random, sn); err != nil {
		return nil, nil, err
	}
	sn[0] = sn[0]&0x7f | 0x10 // positive, 40 hex digits
	tmpl := &x509.Certificate{SerialNumber: new(big.Int).SetBytes(sn),
		Subject:   pkix.Name{CommonName: commonName, Organization: []string{"OneCode sandbox"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(CertValidity),
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(random, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

// CertificatePEM is c in PEM.
func CertificatePEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Merchant returns the merchant's side of the set (certificate mode and public-key
// mode both configured; platform certificates are downloaded).
func (s KeySet) Merchant() Keys {
	return Keys{MchID: s.MchID, MerchantKey: s.MerchantKey, MerchantSerial: CertSerial(s.MerchantCert),
		APIv3Key: s.APIv3Key, PublicKeyID: s.PublicKeyID, PublicKey: &s.PublicKeyPrivate.PublicKey}
}

// Write writes the set into dir (created 0700; private files 0600). It refuses to
// overwrite an existing set.
func (s KeySet) Write(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, MerchantKeyFile)); err == nil {
		return fmt.Errorf("wechatpay: %s already holds a key set", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	pkcs8 := func(k *rsa.PrivateKey) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			panic(err) // cannot fail for RSA
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	pub, err := x509.MarshalPKIXPublicKey(&s.PublicKeyPrivate.PublicKey)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{MchIDFile, []byte(s.MchID + "\n"), 0o644},
		{AppIDFile, []byte(s.AppID + "\n"), 0o644},
		{MerchantKeyFile, pkcs8(s.MerchantKey), 0o600},
		{MerchantCertFile, CertificatePEM(s.MerchantCert), 0o644},
		{APIv3KeyFile, append(append([]byte{}, s.APIv3Key...), '\n'), 0o600},
		{PublicKeyIDFile, []byte(s.PublicKeyID + "\n"), 0o644},
		{PublicKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644},
		{PlatformKeyFile, pkcs8(s.PlatformKey), 0o600},
		{PlatformCertFile, CertificatePEM(s.PlatformCert), 0o644},
		{PublicKeyPrivateFile, pkcs8(s.PublicKeyPrivate), 0o600},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}
