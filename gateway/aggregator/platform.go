package aggregator

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Refresh policy of the platform certificates.
const (
	// RefreshEvery: the certificates are downloaded again this long after the last
	// download (WeChat Pay publishes a new certificate well before the old expires,
	// and both are valid during the rotation).
	RefreshEvery = 12 * time.Hour
	// RefreshGap: at least this long between two download attempts (an unknown serial
	// triggers one; a forger sending unknown serials must not drive a download each).
	RefreshGap = time.Minute
)

// platform holds the keys WeChat Pay signs with: certificates by serial (X.509 serial,
// upper-case hex), every one valid now is accepted (two during a rotation), and the
// platform public key of public-key mode by its PUB_KEY_ID.
type platform struct {
	apiV3Key []byte
	pubID    string
	pub      *rsa.PublicKey

	mu        sync.Mutex
	certs     map[string]*x509.Certificate
	refreshed time.Time // last successful download
	tried     time.Time // last attempt
	// download fetches /v3/certificates (nil: certificates only as configured).
	download func(ctx context.Context) ([]*x509.Certificate, error)
	timeout  time.Duration
}

func newPlatform(keys Keys) *platform {
	p := &platform{apiV3Key: keys.APIv3Key, pubID: keys.PublicKeyID, pub: keys.PublicKey,
		certs: make(map[string]*x509.Certificate)}
	for _, c := range keys.Certificates {
		p.certs[CertSerial(c)] = c
	}
	return p
}

// key is the public key of serial at now, downloading the certificates first when
// they are due or serial is unknown (at most once per RefreshGap).
func (p *platform) key(serial string, now time.Time) (*rsa.PublicKey, error) {
	if strings.HasPrefix(serial, PublicKeyIDPrefix) {
		if p.pub == nil || serial != p.pubID {
			return nil, fmt.Errorf("%w: unknown platform public key id %q", ErrBadSignature, serial)
		}
		return p.pub, nil
	}
	if len(serial) == 0 || len(serial) > 64 {
		return nil, fmt.Errorf("%w: platform serial %q", ErrBadSignature, serial)
	}
	p.mu.Lock()
	c := p.certs[serial]
	// Due: an unknown serial, a download older than RefreshEvery, or a certificate
	// close to its expiry (certificates configured at start count as fresh).
	due := p.download != nil && now.Sub(p.tried) > RefreshGap && (c == nil ||
		(!p.refreshed.IsZero() && now.Sub(p.refreshed) > RefreshEvery) || c.NotAfter.Sub(now) < 2*RefreshEvery)
	if due {
		p.tried = now
	}
	p.mu.Unlock()
	if due {
		_ = p.refresh(now) // a failed download leaves the certificates as they were
		p.mu.Lock()
		c = p.certs[serial]
		p.mu.Unlock()
	}
	if c == nil {
		return nil, fmt.Errorf("%w: unknown platform certificate serial %q", ErrBadSignature, serial)
	}
	if now.Before(c.NotBefore) || now.After(c.NotAfter) {
		return nil, fmt.Errorf("%w: platform certificate %s is not valid now", ErrBadSignature, serial)
	}
	return c.PublicKey.(*rsa.PublicKey), nil
}

// refresh downloads the certificates and adds them; expired ones are forgotten.
func (p *platform) refresh(now time.Time) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	certs, err := p.download(ctx)
	if err != nil {
		return err
	}
	p.add(certs, now)
	return nil
}

func (p *platform) add(certs []*x509.Certificate, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for s, c := range p.certs {
		if now.After(c.NotAfter) {
			delete(p.certs, s)
		}
	}
	for _, c := range certs {
		p.certs[CertSerial(c)] = c
	}
	p.refreshed = now
}

// serials are the known certificate serials (sorted not guaranteed).
func (p *platform) serials() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.certs))
	for s := range p.certs {
		out = append(out, s)
	}
	return out
}

// OpenCertificates decrypts the certificates of a /v3/certificates answer with the
// APIv3 key and checks each entry's serial_no against its certificate.
func OpenCertificates(apiV3Key, body []byte) ([]*x509.Certificate, error) {
	var list CertificateList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("%w: certificate list is not JSON: %v", ErrRejected, err)
	}
	if len(list.Data) == 0 || len(list.Data) > 16 {
		return nil, fmt.Errorf("%w: %d certificates", ErrRejected, len(list.Data))
	}
	out := make([]*x509.Certificate, 0, len(list.Data))
	for _, e := range list.Data {
		pemBytes, err := OpenResource(apiV3Key, e.EncryptCertificate)
		if err != nil {
			return nil, err
		}
		c, err := ParseCertificatePEM(pemBytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRejected, err)
		}
		if CertSerial(c) != strings.ToUpper(e.SerialNo) {
			return nil, fmt.Errorf("%w: serial_no %s names certificate %s", ErrRejected, e.SerialNo, CertSerial(c))
		}
		out = append(out, c)
	}
	return out, nil
}
