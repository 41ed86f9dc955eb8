package alipay

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// KeySet is a generated pair of sides for the sandbox and the demo: the app's keys
// and certificate, and a made-up "Alipay" key, certificate and root. Never a real
// merchant's: real keys come from the Alipay open platform console.
type KeySet struct {
	AppID      string
	AppKey     *rsa.PrivateKey
	AlipayKey  *rsa.PrivateKey
	RootKey    *rsa.PrivateKey
	AppCert    *x509.Certificate
	AlipayCert *x509.Certificate
	RootCert   *x509.Certificate
}

// GenerateKeySet makes a KeySet with fresh 2048-bit keys and a small certificate
// chain valid for ten years (random defaults to crypto/rand).
func GenerateKeySet(random io.Reader, appID string) (KeySet, error) {
	if random == nil {
		random = rand.Reader
	}
	if appID == "" {
		return KeySet{}, errors.New("alipay: GenerateKeySet: empty app_id")
	}
	s := KeySet{AppID: appID}
	for _, k := range []**rsa.PrivateKey{&s.AppKey, &s.AlipayKey, &s.RootKey} {
		var err error
		if *k, err = rsa.GenerateKey(random, 2048); err != nil {
			return KeySet{}, fmt.Errorf("alipay: generate key: %w", err)
		}
	}
	now := time.Now().Add(-time.Hour)
	root := &x509.Certificate{Subject: pkix.Name{Country: []string{"CN"}, Organization: []string{"OneCode Sandbox"},
		OrganizationalUnit: []string{"Certification Authority"}, CommonName: "OneCode Sandbox Alipay Root CA"},
		NotBefore: now, NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SignatureAlgorithm: x509.SHA256WithRSA}
	var err error
	if s.RootCert, err = issue(random, root, root, &s.RootKey.PublicKey, s.RootKey); err != nil {
		return KeySet{}, err
	}
	leaf := func(cn string, pub *rsa.PublicKey) (*x509.Certificate, error) {
		t := &x509.Certificate{Subject: pkix.Name{Country: []string{"CN"}, Organization: []string{"OneCode Sandbox"}, CommonName: cn},
			NotBefore: now, NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
			SignatureAlgorithm: x509.SHA256WithRSA}
		return issue(random, t, s.RootCert, pub, s.RootKey)
	}
	if s.AppCert, err = leaf(appID, &s.AppKey.PublicKey); err != nil {
		return KeySet{}, err
	}
	if s.AlipayCert, err = leaf("支付宝(中国)网络技术有限公司 sandbox", &s.AlipayKey.PublicKey); err != nil {
		return KeySet{}, err
	}
	return s, nil
}

func issue(random io.Reader, t, parent *x509.Certificate, pub *rsa.PublicKey, key *rsa.PrivateKey) (*x509.Certificate, error) {
	serial, err := rand.Int(random, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, fmt.Errorf("alipay: certificate serial: %w", err)
	}
	t.SerialNumber = serial.Add(serial, big.NewInt(1))
	der, err := x509.CreateCertificate(random, t, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("alipay: issue certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// Merchant is the app's side: certificate mode or public-key mode.
func (s KeySet) Merchant(certMode bool) Keys {
	k := Keys{AppID: s.AppID, AppKey: s.AppKey}
	if !certMode {
		k.AlipayKey = &s.AlipayKey.PublicKey
		return k
	}
	k.AppCertSN = CertSN(s.AppCert)
	k.RootCertSN = CertSN(s.RootCert)
	k.AlipayCertSN = CertSN(s.AlipayCert)
	k.AlipayCerts = map[string]*rsa.PublicKey{k.AlipayCertSN: &s.AlipayKey.PublicKey}
	return k
}

// Write writes both sides into dir (created 0700, files 0600): the merchant's
// files for certMode (LoadKeys reads them back) and the sandbox's. Existing files
// are not overwritten.
func (s KeySet) Write(dir string, certMode bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("alipay: keys dir: %w", err)
	}
	files := map[string][]byte{
		AppIDFile:            []byte(s.AppID + "\n"),
		AppPrivateKeyFile:    pemPrivate(s.AppKey),
		AppPublicKeyFile:     pemPublic(&s.AppKey.PublicKey),
		AlipayPrivateKeyFile: pemPrivate(s.AlipayKey),
	}
	if certMode {
		files[AppCertFile] = pemCert(s.AppCert)
		files[AlipayCertFile] = pemCert(s.AlipayCert)
		files[AlipayRootCertFile] = pemCert(s.RootCert)
	} else {
		files[AlipayPublicKeyFile] = pemPublic(&s.AlipayKey.PublicKey)
	}
	for name, b := range files {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("alipay: write keys: %w", err)
		}
		_, err = f.Write(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("alipay: write %s: %w", name, err)
		}
	}
	return nil
}

func pemPrivate(k *rsa.PrivateKey) []byte {
	der, _ := x509.MarshalPKCS8PrivateKey(k) // an RSA key always marshals
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func pemPublic(k *rsa.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(k)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// EnsureKeySet writes a generated key set for appID into dir unless dir already
// exists (the demo's first start); either way LoadKeys and sandbox.LoadConfig can
// then read dir.
func EnsureKeySet(dir, appID string, certMode bool) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("alipay: keys dir: %w", err)
	}
	s, err := GenerateKeySet(rand.Reader, appID)
	if err != nil {
		return err
	}
	return s.Write(dir, certMode)
}
