package alipay

import (
	"bytes"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Files of a keys directory. A merchant (this adapter) reads AppIDFile,
// AppPrivateKeyFile and either AlipayPublicKeyFile (public-key mode) or AppCertFile,
// AlipayCertFile and AlipayRootCertFile (certificate mode: chosen when AppCertFile
// exists); AppAuthTokenFile is optional (service-provider mode). The sandbox reads
// AlipayPrivateKeyFile and the app's public key or certificate.
const (
	AppIDFile            = "app_id"
	AppPrivateKeyFile    = "app_private_key.pem"    // RSA, PKCS #8 or PKCS #1, PEM or bare base64
	AppPublicKeyFile     = "app_public_key.pem"     // for the sandbox (public-key mode)
	AlipayPublicKeyFile  = "alipay_public_key.pem"  // PEM or the bare base64 the console shows
	AlipayPrivateKeyFile = "alipay_private_key.pem" // the sandbox's (never a real merchant's)
	AppCertFile          = "app_cert.crt"           // appCertPublicKey_<app_id>.crt
	AlipayCertFile       = "alipay_cert.crt"        // alipayCertPublicKey_RSA2.crt (the present one; alipay_cert_*.crt: others)
	AlipayRootCertFile   = "alipay_root_cert.crt"   // alipayRootCert.crt
	AppAuthTokenFile     = "app_auth_token"         // optional: 第三方应用授权 token
	maxKeyFile           = 64 << 10
)

// Keys is what the merchant side holds.
type Keys struct {
	AppID  string
	AppKey *rsa.PrivateKey
	// AlipayKey verifies answers and notifications in public-key mode.
	AlipayKey *rsa.PublicKey
	// Certificate mode: AppCertSN and RootCertSN are sent with every request;
	// AlipayCerts are the Alipay public certificates' keys by SN (an answer names
	// its SN in alipay_cert_sn); AlipayCertSN is the present one.
	AppCertSN    string
	RootCertSN   string
	AlipayCerts  map[string]*rsa.PublicKey
	AlipayCertSN string
	// AppAuthToken, if set, makes every call for the merchant that authorised
	// OneCode's application (service-provider mode).
	AppAuthToken string
}

// CertMode says whether the keys are in certificate mode.
func (k Keys) CertMode() bool { return k.AppCertSN != "" }

// Validate checks that the keys of one mode are all present.
func (k Keys) Validate() error {
	switch {
	case k.AppID == "" || len(k.AppID) > 32:
		return errors.New("alipay: keys: app_id missing or too long")
	case k.AppKey == nil || k.AppKey.N.BitLen() < 2048:
		return errors.New("alipay: keys: app private key missing or shorter than 2048 bits")
	case k.CertMode() && (k.RootCertSN == "" || k.AlipayCertSN == "" || k.AlipayCerts[k.AlipayCertSN] == nil):
		return errors.New("alipay: keys: certificate mode needs the app, Alipay and Alipay root certificates")
	case !k.CertMode() && (k.AlipayKey == nil || k.AlipayKey.N.BitLen() < 2048):
		return errors.New("alipay: keys: Alipay public key missing or shorter than 2048 bits")
	}
	return nil
}

// verifier is the key that verifies a signature made under certificate sn (the
// present certificate when sn is empty; ignored in public-key mode).
func (k Keys) verifier(sn string) (*rsa.PublicKey, error) {
	if !k.CertMode() {
		return k.AlipayKey, nil
	}
	if sn == "" {
		sn = k.AlipayCertSN
	}
	if pub := k.AlipayCerts[sn]; pub != nil {
		return pub, nil
	}
	return nil, fmt.Errorf("%w: no Alipay certificate with SN %q", ErrSignature, sn)
}

// verifiers are the keys a notification naming no certificate may be signed with:
// the present one first, then the others (rotation).
func (k Keys) verifiers() []*rsa.PublicKey {
	if !k.CertMode() {
		return []*rsa.PublicKey{k.AlipayKey}
	}
	out := []*rsa.PublicKey{k.AlipayCerts[k.AlipayCertSN]}
	for sn, pub := range k.AlipayCerts {
		if sn != k.AlipayCertSN {
			out = append(out, pub)
		}
	}
	return out
}

// LoadKeys reads a merchant's keys from dir (see the file constants).
func LoadKeys(dir string) (Keys, error) {
	var k Keys
	var err error
	if k.AppID, err = readLine(dir, AppIDFile, true); err != nil {
		return Keys{}, err
	}
	if k.AppAuthToken, err = readLine(dir, AppAuthTokenFile, false); err != nil {
		return Keys{}, err
	}
	if k.AppKey, err = ReadPrivateKey(filepath.Join(dir, AppPrivateKeyFile)); err != nil {
		return Keys{}, err
	}
	if _, err := os.Stat(filepath.Join(dir, AppCertFile)); err == nil {
		err = k.loadCerts(dir)
	} else {
		k.AlipayKey, err = ReadPublicKey(filepath.Join(dir, AlipayPublicKeyFile))
	}
	if err != nil {
		return Keys{}, err
	}
	return k, k.Validate()
}

func (k *Keys) loadCerts(dir string) error {
	app, err := ReadCerts(filepath.Join(dir, AppCertFile))
	if err != nil {
		return err
	}
	ali, err := ReadCerts(filepath.Join(dir, AlipayCertFile))
	if err != nil {
		return err
	}
	root, err := readSmall(filepath.Join(dir, AlipayRootCertFile))
	if err != nil {
		return err
	}
	if k.RootCertSN, err = RootCertSN(root); err != nil {
		return err
	}
	k.AppCertSN = CertSN(app[0])
	k.AlipayCertSN = CertSN(ali[0])
	k.AlipayCerts = map[string]*rsa.PublicKey{}
	// Rotation: further Alipay certificates (alipay_cert_<anything>.crt, e.g. one
	// downloaded with alipay.open.app.alipaycert.download) verify answers naming them.
	more, _ := filepath.Glob(filepath.Join(dir, "alipay_cert_*.crt"))
	for _, path := range append([]string{filepath.Join(dir, AlipayCertFile)}, more...) {
		cs, err := ReadCerts(path)
		if err != nil {
			return err
		}
		pub, ok := cs[0].PublicKey.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("alipay: %s: not an RSA certificate", filepath.Base(path))
		}
		k.AlipayCerts[CertSN(cs[0])] = pub
	}
	return nil
}

// CertSN is Alipay's certificate SN: the MD5 (hex) of the issuer's distinguished
// name as a string (RFC 2253 order, as Java's X500Principal.getName) followed by the
// serial number in decimal.
func CertSN(c *x509.Certificate) string {
	sum := md5.Sum([]byte(c.Issuer.String() + c.SerialNumber.String()))
	return hex.EncodeToString(sum[:])
}

// RootCertSN is alipay_root_cert_sn: the SNs of the RSA-signed certificates of the
// root certificate file, in file order, joined with "_". Certificates Go cannot
// parse (the chain's SM2 ones) and non-RSA ones are left out, as Alipay documents.
func RootCertSN(pemBytes []byte) (string, error) {
	var sns []string
	for rest := pemBytes; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil || block.Type != "CERTIFICATE" {
			continue
		}
		if c.SignatureAlgorithm == x509.SHA256WithRSA || c.SignatureAlgorithm == x509.SHA1WithRSA {
			sns = append(sns, CertSN(c))
		}
	}
	if len(sns) == 0 {
		return "", errors.New("alipay: root certificate file has no RSA certificate")
	}
	return strings.Join(sns, "_"), nil
}

// ReadPrivateKey reads an RSA private key: PEM or bare base64, PKCS #8 or PKCS #1.
func ReadPrivateKey(path string) (*rsa.PrivateKey, error) {
	der, err := readKeyDER(path)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("alipay: %s: not an RSA private key", filepath.Base(path))
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("alipay: %s: not an RSA key", filepath.Base(path))
	}
	return rk, nil
}

// ReadPublicKey reads an RSA public key: PEM or bare base64, PKIX or PKCS #1.
func ReadPublicKey(path string) (*rsa.PublicKey, error) {
	der, err := readKeyDER(path)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("alipay: %s: not an RSA public key", filepath.Base(path))
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("alipay: %s: not an RSA key", filepath.Base(path))
	}
	return rk, nil
}

func readKeyDER(path string) ([]byte, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	if block, _ := pem.Decode(b); block != nil {
		return block.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(b), nil)))
	if err != nil {
		return nil, fmt.Errorf("alipay: %s: neither PEM nor base64", filepath.Base(path))
	}
	return der, nil
}

// ReadCerts reads the certificates of a PEM file, the first being the leaf.
func ReadCerts(path string) ([]*x509.Certificate, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	for rest := b; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("alipay: %s: %w", filepath.Base(path), err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("alipay: %s: no certificate", filepath.Base(path))
	}
	return out, nil
}

func readLine(dir, name string, required bool) (string, error) {
	b, err := readSmall(filepath.Join(dir, name))
	if errors.Is(err, os.ErrNotExist) && !required {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return "", fmt.Errorf("alipay: %s: empty or not one word", name)
	}
	return s, nil
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("alipay: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("alipay: read %s: %w", filepath.Base(path), err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("alipay: %s is larger than %d bytes", filepath.Base(path), maxKeyFile)
	}
	return b, nil
}
