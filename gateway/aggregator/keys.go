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

// Files of a keys directory (see WriteKeySet). A merchant needs MerchantKeyFile,
// PlatformPubFile, APIv3KeyFile and MchIDFile; the aggregator (the sandbox) needs
// MerchantPubFile, PlatformKeyFile, APIv3KeyFile and MchIDFile.
const (
	MerchantKeyFile = "merchant_key.pem" // merchant RSA private key, PKCS #8
	MerchantPubFile = "merchant_pub.pem" // merchant RSA public key, PKIX
	PlatformKeyFile = "platform_key.pem" // aggregator platform RSA private key, PKCS #8
	PlatformPubFile = "platform_pub.pem" // aggregator platform RSA public key, PKIX
	APIv3KeyFile    = "apiv3_key"        // 32 characters, the AES-256-GCM key
	MchIDFile       = "mchid"            // merchant id
	maxKeyFile      = 16 << 10
)

// Keys is what the merchant side holds.
type Keys struct {
	MchID          string
	MerchantKey    *rsa.PrivateKey
	MerchantSerial string // Serial(&MerchantKey.PublicKey)
	PlatformKey    *rsa.PublicKey
	PlatformSerial string // Serial(PlatformKey)
	APIv3Key       []byte // 32 bytes
}

// Validate checks that every key is present and well-formed.
func (k Keys) Validate() error {
	switch {
	case k.MchID == "":
		return errors.New("aggregator: keys: empty mchid")
	case k.MerchantKey == nil || k.MerchantKey.N.BitLen() < 2048:
		return errors.New("aggregator: keys: merchant key missing or shorter than 2048 bits")
	case k.PlatformKey == nil || k.PlatformKey.N.BitLen() < 2048:
		return errors.New("aggregator: keys: platform key missing or shorter than 2048 bits")
	case len(k.APIv3Key) != 32:
		return errors.New("aggregator: keys: APIv3 key must be 32 bytes")
	case k.MerchantSerial == "" || k.PlatformSerial == "":
		return errors.New("aggregator: keys: empty serial")
	}
	return nil
}

// LoadKeys reads the merchant's keys from dir.
func LoadKeys(dir string) (Keys, error) {
	var k Keys
	var err error
	if k.MchID, err = ReadMchID(dir); err != nil {
		return Keys{}, err
	}
	if k.MerchantKey, err = ReadPrivateKey(filepath.Join(dir, MerchantKeyFile)); err != nil {
		return Keys{}, err
	}
	if k.PlatformKey, err = ReadPublicKey(filepath.Join(dir, PlatformPubFile)); err != nil {
		return Keys{}, err
	}
	if k.APIv3Key, err = ReadAPIv3Key(dir); err != nil {
		return Keys{}, err
	}
	k.MerchantSerial = Serial(&k.MerchantKey.PublicKey)
	k.PlatformSerial = Serial(k.PlatformKey)
	return k, k.Validate()
}

// ReadMchID reads DIR/mchid.
func ReadMchID(dir string) (string, error) {
	b, err := readSmall(filepath.Join(dir, MchIDFile))
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if id == "" || len(id) > 32 {
		return "", fmt.Errorf("aggregator: %s: bad merchant id", MchIDFile)
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
		return nil, fmt.Errorf("aggregator: %s: %d bytes, want 32", APIv3KeyFile, len(b))
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
		return nil, fmt.Errorf("aggregator: %s: %w", path, err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("aggregator: %s: not an RSA key", path)
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
		return nil, fmt.Errorf("aggregator: %s: %w", path, err)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("aggregator: %s: not an RSA key", path)
	}
	return rk, nil
}

// KeySet is both sides' keys, as WriteKeySet writes them.
type KeySet struct {
	MchID       string
	MerchantKey *rsa.PrivateKey
	PlatformKey *rsa.PrivateKey
	APIv3Key    []byte
}

// GenerateKeySet makes a fresh matching set: two RSA-2048 keys and an APIv3 key.
func GenerateKeySet(random io.Reader, mchID string) (KeySet, error) {
	mk, err := rsa.GenerateKey(random, 2048)
	if err != nil {
		return KeySet{}, fmt.Errorf("aggregator: merchant key: %w", err)
	}
	pk, err := rsa.GenerateKey(random, 2048)
	if err != nil {
		return KeySet{}, fmt.Errorf("aggregator: platform key: %w", err)
	}
	apiV3, err := NewNonce(random, 32)
	if err != nil {
		return KeySet{}, err
	}
	return KeySet{MchID: mchID, MerchantKey: mk, PlatformKey: pk, APIv3Key: []byte(apiV3)}, nil
}

// Merchant returns the merchant's side of the set.
func (s KeySet) Merchant() Keys {
	return Keys{
		MchID:          s.MchID,
		MerchantKey:    s.MerchantKey,
		MerchantSerial: Serial(&s.MerchantKey.PublicKey),
		PlatformKey:    &s.PlatformKey.PublicKey,
		PlatformSerial: Serial(&s.PlatformKey.PublicKey),
		APIv3Key:       s.APIv3Key,
	}
}

// Write writes the set into dir (created 0700; private files 0600). It refuses to
// overwrite an existing set.
func (s KeySet) Write(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, MerchantKeyFile)); err == nil {
		return fmt.Errorf("aggregator: %s already holds a key set", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	mk, err := x509.MarshalPKCS8PrivateKey(s.MerchantKey)
	if err != nil {
		return err
	}
	pk, err := x509.MarshalPKCS8PrivateKey(s.PlatformKey)
	if err != nil {
		return err
	}
	mpub, err := x509.MarshalPKIXPublicKey(&s.MerchantKey.PublicKey)
	if err != nil {
		return err
	}
	ppub, err := x509.MarshalPKIXPublicKey(&s.PlatformKey.PublicKey)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{MerchantKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mk}), 0o600},
		{PlatformKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk}), 0o600},
		{MerchantPubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: mpub}), 0o644},
		{PlatformPubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ppub}), 0o644},
		{APIv3KeyFile, append(append([]byte{}, s.APIv3Key...), '\n'), 0o600},
		{MchIDFile, []byte(s.MchID + "\n"), 0o644},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

func readPEM(path string) (*pem.Block, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("aggregator: %s: no PEM block", path)
	}
	return block, nil
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("aggregator: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("aggregator: %s: %w", path, err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("aggregator: %s: larger than %d bytes", path, maxKeyFile)
	}
	return b, nil
}
