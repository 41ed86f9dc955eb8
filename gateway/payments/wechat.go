package payments

import (
	"fmt"
	"sync"

	"github.com/sony/gobreaker/v2"

	"github.com/onecode/onecode/app/recharge"
	"github.com/onecode/onecode/gateway/aggregator"
)

// WeChatFactory builds WeChat Pay API v3 adapters. A merchant's keys (API private key
// and certificate, APIv3 key, and in public-key mode the platform public key) are read
// once from its keys_dir by aggregator.LoadKeys, and one Client (one set of breakers,
// one platform-certificate cache) serves every school of that merchant: a direct
// merchant (appid, mchid), or OneCode as service provider (sp_appid, sp_mchid in
// app_id, mch_id) with each school's sub_mchid and optional sub_appid. The mchid in
// the keys dir must be the merchant's mch_id; public_key_id, when set, must be the
// one in the keys dir (public-key mode), and when empty the platform certificates
// are downloaded (certificate mode). No secret appears in an error.
func WeChatFactory(o AdapterOptions) Factory {
	var mu sync.Mutex
	clients := map[string]*aggregator.Client{}
	return func(m Merchant, s *School) (recharge.Provider, error) {
		mu.Lock()
		c := clients[m.Key]
		mu.Unlock()
		if c == nil {
			var err error
			if c, err = newWeChatClient(m, o); err != nil {
				return nil, err
			}
			mu.Lock()
			clients[m.Key] = c
			mu.Unlock()
		}
		am := aggregator.Merchant{Mode: aggregator.ModeDirect, AppID: m.AppID, MchID: m.MchID}
		if m.Mode == ModePartner {
			if s == nil {
				return nil, fmt.Errorf("service-provider merchant %q serves schools only", m.Key)
			}
			am.Mode, am.SubMchID, am.SubAppID = aggregator.ModePartner, s.SubMchID, s.SubAppID
		}
		return aggregator.NewProvider(c, am)
	}
}

func newWeChatClient(m Merchant, o AdapterOptions) (*aggregator.Client, error) {
	keys, err := aggregator.LoadKeys(m.KeysDir)
	if err != nil {
		return nil, err
	}
	switch {
	case keys.MchID != m.MchID:
		return nil, fmt.Errorf("the keys in %s are for mchid %s, not mch_id %s", m.KeysDir, keys.MchID, m.MchID)
	case m.PublicKeyID == "":
		keys.PublicKeyID, keys.PublicKey = "", nil // certificate mode: platform certificates are downloaded
	case keys.PublicKeyID != m.PublicKeyID:
		return nil, fmt.Errorf("public_key_id %s is not the one in %s (%s present: %t)", m.PublicKeyID, m.KeysDir,
			aggregator.PublicKeyIDFile, keys.PublicKeyID != "")
	}
	cfg := aggregator.Config{BaseURL: m.URL, Keys: keys, CallTimeout: o.CallTimeout, Breaker: aggregator.DefaultBreakerSettings()}
	if o.OnBreaker != nil {
		key := m.Key
		cfg.OnStateChange = func(op aggregator.Operation, from, to gobreaker.State) {
			o.OnBreaker(key, string(op), from.String(), to.String())
		}
	}
	return aggregator.NewClient(cfg)
}
