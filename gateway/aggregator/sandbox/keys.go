package sandbox

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"path/filepath"

	"github.com/onecode/onecode/gateway/aggregator"
)

// PlatformCert is a platform certificate and its private key.
type PlatformCert struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// Keys is what the WeChat Pay side holds.
type Keys struct {
	MchID        string // the merchant (or service provider) whose requests are accepted
	AppID        string // its appid (sp_appid)
	MerchantCert *x509.Certificate
	APIv3Key     []byte
	// Platform are the platform certificates; the last one signs (Server.Rotate adds one).
	Platform []PlatformCert
	// PublicKeyID and PublicKeyPrivate: public-key mode (Config.SignWithPublicKey).
	PublicKeyID      string
	PublicKeyPrivate *rsa.PrivateKey
}

// KeysFromSet returns the WeChat Pay side of a generated set.
func KeysFromSet(s aggregator.KeySet) Keys {
	return Keys{MchID: s.MchID, AppID: s.AppID, MerchantCert: s.MerchantCert, APIv3Key: s.APIv3Key,
		Platform:    []PlatformCert{{Key: s.PlatformKey, Cert: s.PlatformCert}},
		PublicKeyID: s.PublicKeyID, PublicKeyPrivate: s.PublicKeyPrivate}
}

// LoadKeys reads the WeChat Pay side from a directory written by KeySet.Write.
func LoadKeys(dir string) (Keys, error) {
	var k Keys
	var err error
	if k.MchID, err = aggregator.ReadID(dir, aggregator.MchIDFile); err != nil {
		return Keys{}, err
	}
	if k.AppID, err = aggregator.ReadID(dir, aggregator.AppIDFile); err != nil {
		return Keys{}, err
	}
	if k.MerchantCert, err = aggregator.ReadCertificate(filepath.Join(dir, aggregator.MerchantCertFile)); err != nil {
		return Keys{}, err
	}
	if k.APIv3Key, err = aggregator.ReadAPIv3Key(dir); err != nil {
		return Keys{}, err
	}
	var pc PlatformCert
	if pc.Key, err = aggregator.ReadPrivateKey(filepath.Join(dir, aggregator.PlatformKeyFile)); err != nil {
		return Keys{}, err
	}
	if pc.Cert, err = aggregator.ReadCertificate(filepath.Join(dir, aggregator.PlatformCertFile)); err != nil {
		return Keys{}, err
	}
	k.Platform = []PlatformCert{pc}
	if k.PublicKeyID, err = aggregator.ReadID(dir, aggregator.PublicKeyIDFile); err != nil {
		return Keys{}, err
	}
	if k.PublicKeyPrivate, err = aggregator.ReadPrivateKey(filepath.Join(dir, aggregator.PublicKeyPrivateFile)); err != nil {
		return Keys{}, err
	}
	return k, k.validate()
}

// MerchantSerial is the serial_no the merchant signs with.
func (k Keys) MerchantSerial() string { return aggregator.CertSerial(k.MerchantCert) }

func (k Keys) validate() error {
	if k.MchID == "" || k.AppID == "" || k.MerchantCert == nil || len(k.APIv3Key) != 32 || len(k.Platform) == 0 {
		return errors.New("sandbox: keys incomplete (mchid, appid, merchant certificate, 32-byte APIv3 key, platform certificate)")
	}
	if _, ok := k.MerchantCert.PublicKey.(*rsa.PublicKey); !ok {
		return errors.New("sandbox: merchant certificate key is not RSA")
	}
	for _, p := range k.Platform {
		if p.Key == nil || p.Cert == nil || !p.Key.PublicKey.Equal(p.Cert.PublicKey) {
			return errors.New("sandbox: a platform certificate does not match its key")
		}
	}
	if (k.PublicKeyID == "") != (k.PublicKeyPrivate == nil) {
		return errors.New("sandbox: public-key mode needs both the PUB_KEY_ID and its key")
	}
	return nil
}
