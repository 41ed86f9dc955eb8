package card

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Keyring file format, version 1 (JSON, written by NewKeyring and Rotate):
//
//	{
//	  "format":  "onecode-keyring/1",
//	  "kek": {
//	    "alg":        "RSA-OAEP-SHA256",
//	    "public_key": "-----BEGIN PUBLIC KEY-----\n...(PKIX, PEM)"
//	  },
//	  "current": "K7QX",                   // key id used by Seal
//	  "keys": [{
//	    "id":      "K7QX",                 // 1-8 characters A-Z 0-9, carried in the QR text
//	    "alg":     "AES-256-GCM",
//	    "wrapped": "base64...",            // RSA-OAEP(SHA-256) of the 32-byte data key,
//	                                       // label "onecode/card/data-key/<id>"
//	    "created": "2026-09-01T00:00:00Z",
//	    "retired": "2027-09-01T00:00:00Z"  // when Rotate replaced it: it no longer
//	  }]                                   // seals but still opens the cards it sealed
//	}
//
// The KEK private key is kept apart (PKCS#8 PEM, "PRIVATE KEY"); it is needed
// only by LoadKeyring to unwrap the data keys once. The OAEP label binds each
// wrapped key to its id, so wrapped keys cannot be moved between ids.
const (
	keyringFormat   = "onecode-keyring/1"
	kekAlg          = "RSA-OAEP-SHA256"
	dataKeyAlg      = "AES-256-GCM"
	kekBits         = 3072
	minKEKBits      = 2048
	dataKeyLen      = 32
	maxKeyringBytes = 1 << 20
	maxKeys         = 256
	maxKeyIDLen     = 8
	newKeyIDLen     = 4
	keyIDAttempts   = 16
)

type keyringFile struct {
	Format  string         `json:"format"`
	KEK     kekInfo        `json:"kek"`
	Current string         `json:"current"`
	Keys    []dataKeyEntry `json:"keys"`
}

type kekInfo struct {
	Alg       string `json:"alg"`
	PublicKey string `json:"public_key"`
}

type dataKeyEntry struct {
	ID      string     `json:"id"`
	Alg     string     `json:"alg"`
	Wrapped string     `json:"wrapped"`
	Created time.Time  `json:"created"`
	Retired *time.Time `json:"retired,omitempty"`
}

// Keyring holds the unwrapped data keys. It is safe for concurrent use;
// Seal and Open take no lock and do no RSA operation.
type Keyring struct {
	rotateMu sync.Mutex // serialises Rotate
	kekPub   *rsa.PublicKey
	state    atomic.Pointer[keyringState]
}

// keyringState is immutable once published.
type keyringState struct {
	file    keyringFile
	keys    map[string]*dataKey
	current *dataKey
}

type dataKey struct {
	id     string
	header string // "OC1:<id>:", the GCM additional data
	aead   cipher.AEAD
}

// NewKeyring creates a keyring with a fresh RSA-3072 key-encryption key and
// one current data key. It returns the keyring JSON and the KEK private key
// (PKCS#8 PEM), which the caller must store apart and protect.
//
// rand supplies the data key and its id. The RSA key itself comes from the
// Go runtime's secure generator (crypto/rsa ignores custom readers since
// Go 1.26 unless GODEBUG=cryptocustomrand=1).
func NewKeyring(rand io.Reader, now time.Time) (keyringJSON, kekPrivatePEM []byte, err error) {
	kek, err := rsa.GenerateKey(rand, kekBits)
	if err != nil {
		return nil, nil, fmt.Errorf("card: generating key-encryption key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&kek.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("card: encoding public key: %w", err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(kek)
	if err != nil {
		return nil, nil, fmt.Errorf("card: encoding private key: %w", err)
	}
	f := keyringFile{
		Format: keyringFormat,
		KEK: kekInfo{
			Alg:       kekAlg,
			PublicKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		},
	}
	entry, _, err := newDataKey(rand, &kek.PublicKey, nil, now)
	if err != nil {
		return nil, nil, err
	}
	f.Keys = []dataKeyEntry{entry}
	f.Current = entry.ID
	keyringJSON, err = marshalKeyring(f)
	if err != nil {
		return nil, nil, err
	}
	return keyringJSON, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}), nil
}

// LoadKeyring parses and validates keyring JSON, checks that kekPEM is the
// private half of its KEK, and unwraps every data key.
func LoadKeyring(keyringJSON, kekPEM []byte) (*Keyring, error) {
	if len(keyringJSON) > maxKeyringBytes {
		return nil, fmt.Errorf("%w: keyring larger than %d bytes", ErrKeyring, maxKeyringBytes)
	}
	var f keyringFile
	dec := json.NewDecoder(bytes.NewReader(keyringJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: keyring JSON: %v", ErrKeyring, err)
	}
	if f.Format != keyringFormat || f.KEK.Alg != kekAlg {
		return nil, fmt.Errorf("%w: unsupported format %q / KEK algorithm %q", ErrKeyring, f.Format, f.KEK.Alg)
	}
	pub, err := parsePublicKey(f.KEK.PublicKey)
	if err != nil {
		return nil, err
	}
	priv, err := parsePrivateKey(kekPEM)
	if err != nil {
		return nil, err
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("%w: the KEK private key does not belong to this keyring", ErrKeyring)
	}
	st, err := unwrapAll(f, priv)
	if err != nil {
		return nil, err
	}
	kr := &Keyring{kekPub: pub}
	kr.state.Store(st)
	return kr, nil
}

// Rotate adds a new data key, makes it current (new cards are sealed with
// it) and marks the previous current key retired at now; retired keys still
// open the cards they sealed. It returns the new keyring JSON, which the
// caller must persist. No KEK private key is needed.
func (kr *Keyring) Rotate(rand io.Reader, now time.Time) ([]byte, error) {
	kr.rotateMu.Lock()
	defer kr.rotateMu.Unlock()
	old := kr.state.Load()
	if len(old.file.Keys) >= maxKeys {
		return nil, fmt.Errorf("%w: keyring already holds %d keys", ErrKeyring, maxKeys)
	}
	entry, key, err := newDataKey(rand, kr.kekPub, old.keys, now)
	if err != nil {
		return nil, err
	}
	f := old.file
	f.Keys = make([]dataKeyEntry, 0, len(old.file.Keys)+1)
	retired := now.UTC()
	for _, e := range old.file.Keys {
		if e.ID == old.file.Current {
			e.Retired = &retired
		}
		f.Keys = append(f.Keys, e)
	}
	f.Keys = append(f.Keys, entry)
	f.Current = entry.ID
	out, err := marshalKeyring(f)
	if err != nil {
		return nil, err
	}
	keys := make(map[string]*dataKey, len(old.keys)+1)
	for id, k := range old.keys {
		keys[id] = k
	}
	keys[key.id] = key
	kr.state.Store(&keyringState{file: f, keys: keys, current: key})
	return out, nil
}

// CurrentKeyID returns the id of the data key Seal uses.
func (kr *Keyring) CurrentKeyID() string { return kr.state.Load().current.id }

// KeyIDs returns the ids of all data keys, oldest first.
func (kr *Keyring) KeyIDs() []string {
	f := kr.state.Load().file
	ids := make([]string, 0, len(f.Keys))
	for _, e := range f.Keys {
		ids = append(ids, e.ID)
	}
	return ids
}

// newDataKey draws a data key and an id not in taken, and wraps the key.
func newDataKey(rand io.Reader, pub *rsa.PublicKey, taken map[string]*dataKey, now time.Time) (dataKeyEntry, *dataKey, error) {
	id, err := newKeyID(rand, taken)
	if err != nil {
		return dataKeyEntry{}, nil, err
	}
	raw := make([]byte, dataKeyLen)
	if _, err := io.ReadFull(rand, raw); err != nil {
		return dataKeyEntry{}, nil, fmt.Errorf("card: reading randomness: %w", err)
	}
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand, pub, raw, wrapLabel(id))
	if err != nil {
		return dataKeyEntry{}, nil, fmt.Errorf("card: wrapping data key: %w", err)
	}
	key, err := newAEADKey(id, raw)
	clear(raw)
	if err != nil {
		return dataKeyEntry{}, nil, err
	}
	entry := dataKeyEntry{
		ID:      id,
		Alg:     dataKeyAlg,
		Wrapped: base64.StdEncoding.EncodeToString(wrapped),
		Created: now.UTC(),
	}
	return entry, key, nil
}

func newKeyID(rand io.Reader, taken map[string]*dataKey) (string, error) {
	var b [3]byte
	for range keyIDAttempts {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return "", fmt.Errorf("card: reading randomness: %w", err)
		}
		id := base32.StdEncoding.EncodeToString(b[:])[:newKeyIDLen]
		if _, dup := taken[id]; !dup {
			return id, nil
		}
	}
	return "", fmt.Errorf("%w: could not draw an unused key id", ErrKeyring)
}

func wrapLabel(id string) []byte { return []byte("onecode/card/data-key/" + id) }

func newAEADKey(id string, raw []byte) (*dataKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: data key %s has a bad length", ErrKeyring, id)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: data key %s: GCM unavailable", ErrKeyring, id)
	}
	return &dataKey{id: id, header: qrHeader(id), aead: aead}, nil
}

func unwrapAll(f keyringFile, priv *rsa.PrivateKey) (*keyringState, error) {
	if len(f.Keys) == 0 || len(f.Keys) > maxKeys {
		return nil, fmt.Errorf("%w: keyring must hold 1 to %d keys", ErrKeyring, maxKeys)
	}
	st := &keyringState{file: f, keys: make(map[string]*dataKey, len(f.Keys))}
	for _, e := range f.Keys {
		if !validKeyID(e.ID) || e.Alg != dataKeyAlg {
			return nil, fmt.Errorf("%w: bad key id or algorithm in entry %q", ErrKeyring, e.ID)
		}
		if _, dup := st.keys[e.ID]; dup {
			return nil, fmt.Errorf("%w: duplicate key id %s", ErrKeyring, e.ID)
		}
		wrapped, err := base64.StdEncoding.DecodeString(e.Wrapped)
		if err != nil {
			return nil, fmt.Errorf("%w: key %s: wrapped key is not base64", ErrKeyring, e.ID)
		}
		raw, err := rsa.DecryptOAEP(sha256.New(), nil, priv, wrapped, wrapLabel(e.ID))
		if err != nil || len(raw) != dataKeyLen {
			return nil, fmt.Errorf("%w: key %s cannot be unwrapped with this KEK", ErrKeyring, e.ID)
		}
		key, err := newAEADKey(e.ID, raw)
		clear(raw)
		if err != nil {
			return nil, err
		}
		st.keys[e.ID] = key
	}
	cur, ok := st.keys[f.Current]
	if !ok {
		return nil, fmt.Errorf("%w: current key %q is not in the keyring", ErrKeyring, f.Current)
	}
	for _, e := range f.Keys {
		if e.ID == f.Current && e.Retired != nil {
			return nil, fmt.Errorf("%w: current key %s is retired", ErrKeyring, e.ID)
		}
	}
	st.current = cur
	return st, nil
}

func parsePublicKey(s string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("%w: KEK public key is not a PEM PUBLIC KEY", ErrKeyring)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: KEK public key cannot be parsed", ErrKeyring)
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() < minKEKBits {
		return nil, fmt.Errorf("%w: KEK must be RSA of at least %d bits", ErrKeyring, minKEKBits)
	}
	return pub, nil
}

func parsePrivateKey(p []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(p)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: KEK private key is not a PEM PRIVATE KEY (PKCS#8)", ErrKeyring)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: KEK private key cannot be parsed", ErrKeyring)
	}
	priv, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: KEK private key is not RSA", ErrKeyring)
	}
	return priv, nil
}

func marshalKeyring(f keyringFile) ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("card: encoding keyring: %w", err)
	}
	return append(b, '\n'), nil
}

func validKeyID(id string) bool {
	if len(id) == 0 || len(id) > maxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
