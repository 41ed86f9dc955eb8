package payments

import (
	"fmt"
	"os"
	"strings"

	"github.com/sony/gobreaker/v2"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway/alipay"
)

// maxTokenFile bounds a secret file read at start.
const maxTokenFile = 4 << 10

// AlipayFactory builds Alipay adapters: the merchant's app keys from its keys_dir
// (public-key or certificate mode, as alipay.LoadKeys finds them); in partner mode
// the school's app_auth_token from its file and its app_id.
func AlipayFactory(o AdapterOptions) Factory {
	return func(m Merchant, s *School) (recharge.Provider, error) {
		keys, err := alipay.LoadKeys(m.KeysDir)
		if err != nil {
			return nil, err
		}
		if keys.AppID != m.AppID {
			return nil, fmt.Errorf("the keys in %s are for app %s, not app_id %s", m.KeysDir, keys.AppID, m.AppID)
		}
		cfg := alipay.Config{GatewayURL: m.URL, CallTimeout: o.CallTimeout, Breaker: alipay.DefaultBreakerSettings()}
		keys.AppAuthToken = ""
		if m.Mode == ModePartner {
			if keys.AppAuthToken, err = readSecret(s.AppAuthTokenFile); err != nil {
				return nil, err
			}
			cfg.AuthAppID = s.AuthAppID
		}
		cfg.Keys = keys
		if o.OnBreaker != nil {
			key := m.Key
			cfg.OnStateChange = func(op alipay.Operation, from, to gobreaker.State) {
				o.OnBreaker(key, string(op), from.String(), to.String())
			}
		}
		return alipay.New(cfg)
	}
}

// readSecret reads a one-line secret file; its content never appears in an error.
func readSecret(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	defer f.Close()
	buf := make([]byte, maxTokenFile+1)
	n, _ := f.Read(buf)
	v := strings.TrimSpace(string(buf[:n]))
	switch {
	case n > maxTokenFile:
		return "", fmt.Errorf("secret file %s is larger than %d bytes", path, maxTokenFile)
	case v == "" || strings.ContainsAny(v, " \t\r\n"):
		return "", fmt.Errorf("secret file %s must hold one non-empty line", path)
	}
	return v, nil
}
