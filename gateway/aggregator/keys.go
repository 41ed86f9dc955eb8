package aggregator

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Files of a keys directory (see KeySet.Write). The merchant (OneCode) reads MchIDFile,
// AppIDFile, MerchantKeyFile, MerchantCertFile, APIv3KeyFile and, in public-key mode,
// PublicKeyIDFile and PublicKeyFile; platform certificates are downloaded. The sandbox
// also reads PlatformKeyFile, PlatformCertFile and PublicKeyPrivateFile.
const (
	MchIDFile            = "mchid"               // merchant (or service-provider) id
	AppIDFile            = "appid"               // appid (or sp_appid)
	MerchantKeyFile      = "apiclient_key.pem"   // merchant API private key, PKCS #8
	MerchantCertFile     = "apiclient_cert.pem"  // merchant API certificate: its serial is serial_no
	APIv3KeyFile         = "apiv3_key"           // 32 characters, the AES-256-GCM key
	PublicKeyIDFile      = "pub_key_id"          // PUB_KEY_ID_… (public-key mode)
	PublicKeyFile        = "pub_key.pem"         // the platform public key, PKIX (public-key mode)
	PlatformKeyFile      = "platform_key.pem"    // sandbox only: platform certificate's private key
	PlatformCertFile     = "platform_cert.pem"   // sandbox only: platform certificate
	PublicKeyPrivateFile = "pub_key_private.pem" // sandbox only: private half of pub_key.pem
	maxKeyFile           = 16 << 10
)

// Keys is what the merchant side holds.
type Keys struct {
	MchID          string // the mchid that signs requests (direct mchid or sp_mchid)
	MerchantKey    *rsa.PrivateKey
	MerchantSerial string // CertSerial of apiclient_cert.pem
	APIv3Key       []byte // 32 bytes
	// PublicKeyID and PublicKey: public-key mode (both or neither). Answers signed
	// with Wechatpay-Serial = PublicKeyID are verified with PublicKey; any other
	// serial with a platform certificate (downloaded, or Certificates).
	PublicKeyID string
	PublicKey   *rsa.PublicKey
	// Certificates are platform certificates known at start (optional; tests).
	Certificates []*x509.Certificate
}

// Validate checks that every key is present and well-formed.
func (k Keys) Validate() error {
	switch {
	case k.MchID == "":
		return errors.New("wechatpay: keys: empty mchid")
	case k.MerchantKey == nil || k.MerchantKey.N.BitLen() < 2048:
		return errors.New("wechatpay: keys: merchant key missing or shorter than 2048 bits")
	case len(k.APIv3Key) != 32:
		return errors.New("wechatpay: keys: APIv3 key must be 32 bytes")
	case k.MerchantSerial == "":
		return errors.New("wechatpay: keys: empty merchant serial")
	case (k.PublicKeyID == "") != (k.PublicKey == nil):
		return errors.New("wechatpay: keys: public-key mode needs both the PUB_KEY_ID and the public key")
	case k.PublicKeyID != "" && !strings.HasPrefix(k.PublicKeyID, PublicKeyIDPrefix):
		return fmt.Errorf("wechatpay: keys: public key id must start with %s", PublicKeyIDPrefix)
	}
	return nil
}

// LoadKeys reads the merchant's keys from dir; the public-key pair is optional.
func LoadKeys(dir string) (Keys, error) {
	var k Keys
	var err error
	if k.MchID, err = ReadID(dir, MchIDFile); err != nil {
		return Keys{}, err
	}
	if k.MerchantKey, err = ReadPrivateKey(filepath.Join(dir, MerchantKeyFile)); err != nil {
		return Keys{}, err
	}
	cert, err := ReadCertificate(filepath.Join(dir, MerchantCertFile))
	if err != nil {
		return Keys{}, err
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&k.MerchantKey.PublicKey) {
		return Keys{}, fmt.Errorf("wechatpay: %s does not certify %s", MerchantCertFile, MerchantKeyFile)
	}
	k.MerchantSerial = CertSerial(cert)
	if k.APIv3Key, err = ReadAPIv3Key(dir); err != nil {
		return Keys{}, err
	}
	if _, statErr := os.Stat(filepath.Join(dir, PublicKeyIDFile)); statErr == nil {
		if k.PublicKeyID, err = ReadID(dir, PublicKeyIDFile); err != nil {
			return Keys{}, err
		}
		if k.PublicKey, err = ReadPublicKey(filepath.Join(dir, PublicKeyFile)); err != nil {
			return Keys{}, err
		}
	}
	return k, k.Validate()
}

// ReadID reads a one-line identifier file (mchid, appid, pub_key_id) of dir.
func ReadID(dir, name string) (string, error) {
	b, err := readSmall(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if id == "" || len(id) > 64 || strings.ContainsAny(id, " \t\r\n\"") {
		return "", fmt.Errorf("wechatpay: %s: bad identifier", name)
	}
	return id, nil
}

// ReadAPIv3Key reads DIR/apiv3_key: exactly 32 bytes, a trailing newline allowed.
func ReadAPIv3Key(dir string) ([]byte, error) {
	b, err := readSmall(filepath.Join(dir, APIv3KeyFile))
	if err != nil {
		return nil, err
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) != 32 {
		return nil, fmt.Errorf("wechatpay: %s: %d bytes, want 32", APIv3KeyFile, len(b))
	}
	return b, nil
}

// ReadPrivateKey reads an RSA private key (PKCS #8 or PKCS #1 PEM).
func ReadPrivateKey(path string) (*rsa.PrivateKey, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	if block.Type == "RSA PRIVATE KEY" {
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s: %w", path, err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("wechatpay: %s: not an RSA key", path)
	}
	return rk, nil
}

// ReadPublicKey reads an RSA public key (PKIX PEM).
func ReadPublicKey(path string) (*rsa.PublicKey, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s: %w", path, err)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("wechatpay: %s: not an RSA key", path)
	}
	return rk, nil
}

// ReadCertificate reads an X.509 certificate with an RSA key (PEM).
func ReadCertificate(path string) (*x509.Certificate, error) {
	block, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	return ParseCertificatePEM(pem.EncodeToMemory(block))
}

// ParseCertificatePEM parses one PEM certificate with an RSA public key.
func ParseCertificatePEM(b []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("wechatpay: no PEM certificate")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: certificate: %w", err)
	}
	if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
		return nil, errors.New("wechatpay: certificate key is not RSA")
	}
	return c, nil
}

func readPEM(path string) (*pem.Block, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("wechatpay: %s: no PEM block", path)
	}
	return block, nil
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s: %w", path, err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("wechatpay: %s: larger than %d bytes", path, maxKeyFile)
	}
	return b, nil
}

// Optional files of a keys directory that make its merchant a school under a
// service provider (partner mode): the school's sub_mchid and, if it has its own
// official account, sub_appid.
const (
	SubMchIDFile = "sub_mchid"
	SubAppIDFile = "sub_appid"
)

// LoadMerchant reads the merchant of a keys directory: mchid and appid, and partner
// mode when sub_mchid is there (sp_mchid and sp_appid are then mchid and appid).
func LoadMerchant(dir string) (Merchant, error) {
	var m Merchant
	var err error
	if m.MchID, err = ReadID(dir, MchIDFile); err != nil {
		return Merchant{}, err
	}
	if m.AppID, err = ReadID(dir, AppIDFile); err != nil {
		return Merchant{}, err
	}
	if _, statErr := os.Stat(filepath.Join(dir, SubMchIDFile)); statErr == nil {
		m.Mode = ModePartner
		if m.SubMchID, err = ReadID(dir, SubMchIDFile); err != nil {
			return Merchant{}, err
		}
		if _, statErr := os.Stat(filepath.Join(dir, SubAppIDFile)); statErr == nil {
			if m.SubAppID, err = ReadID(dir, SubAppIDFile); err != nil {
				return Merchant{}, err
			}
		}
	}
	return m, m.Validate()
}
