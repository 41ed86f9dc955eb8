package sandbox

import (
	"crypto/rsa"
	"errors"
	"path/filepath"

	"github.com/onecode/onecode/gateway/aggregator"
)

// Keys is what the aggregator side holds.
type Keys struct {
	MchID          string
	MerchantPub    *rsa.PublicKey
	MerchantSerial string
	PlatformKey    *rsa.PrivateKey
	PlatformSerial string
	APIv3Key       []byte
}

// KeysFromSet returns the aggregator's side of a generated set.
func KeysFromSet(s aggregator.KeySet) Keys {
	return Keys{
		MchID:          s.MchID,
		MerchantPub:    &s.MerchantKey.PublicKey,
		MerchantSerial: aggregator.Serial(&s.MerchantKey.PublicKey),
		PlatformKey:    s.PlatformKey,
		PlatformSerial: aggregator.Serial(&s.PlatformKey.PublicKey),
		APIv3Key:       s.APIv3Key,
	}
}

// LoadKeys reads the aggregator's side from a directory written by KeySet.Write.
func LoadKeys(dir string) (Keys, error) {
	var k Keys
	var err error
	if k.MchID, err = aggregator.ReadMchID(dir); err != nil {
		return Keys{}, err
	}
	if k.MerchantPub, err = aggregator.ReadPublicKey(filepath.Join(dir, aggregator.MerchantPubFile)); err != nil {
		return Keys{}, err
	}
	if k.PlatformKey, err = aggregator.ReadPrivateKey(filepath.Join(dir, aggregator.PlatformKeyFile)); err != nil {
		return Keys{}, err
	}
	if k.APIv3Key, err = aggregator.ReadAPIv3Key(dir); err != nil {
		return Keys{}, err
	}
	k.MerchantSerial = aggregator.Serial(k.MerchantPub)
	k.PlatformSerial = aggregator.Serial(&k.PlatformKey.PublicKey)
	return k, k.validate()
}

func (k Keys) validate() error {
	if k.MchID == "" || k.MerchantPub == nil || k.PlatformKey == nil || len(k.APIv3Key) != 32 ||
		k.MerchantSerial == "" || k.PlatformSerial == "" {
		return errors.New("sandbox: keys incomplete (mchid, merchant public key, platform key, 32-byte APIv3 key, serials)")
	}
	return nil
}
