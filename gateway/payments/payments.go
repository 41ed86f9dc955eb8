package payments

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/onecode/onecode/app/recharge"
)

// Provider names.
const (
	WeChatPay = "wechatpay"
	Alipay    = "alipay"
)

// Modes of a merchant.
const (
	// ModeDirect: the merchant is the school's own (WeChat direct merchant, or the
	// school's own Alipay app).
	ModeDirect = "direct"
	// ModePartner: OneCode is the service provider (WeChat 服务商 with the school's
	// sub_mchid; Alipay ISV with the school's app_auth_token).
	ModePartner = "partner"
)

// Config is the payments section of a member's configuration.
type Config struct {
	Merchants []Merchant `yaml:"merchants"`
	Schools   []School   `yaml:"schools"`
	// Default is the merchant of schools not listed (a direct merchant, or empty:
	// such schools have no online payment).
	Default string `yaml:"default"`
	// WeChatAppID is the appid of the WeChat official account parents link (their
	// openids are of it): JSAPI payments go only to WeChat Pay merchants whose JSAPI
	// appid (sub_appid, else app_id) it is. Empty: every WeChat Pay merchant's.
	WeChatAppID string `yaml:"wechat_app_id"`
}

// Merchant is one account at one provider. Secrets are never here: KeysDir names the
// directory the adapter reads them from.
type Merchant struct {
	Key      string `yaml:"key"`      // stable; recorded on every order placed through it
	Provider string `yaml:"provider"` // wechatpay | alipay
	Mode     string `yaml:"mode"`     // direct | partner (default direct)
	URL      string `yaml:"url"`      // the provider's API base URL
	KeysDir  string `yaml:"keys_dir"` // keys and certificates
	// AppID and MchID: WeChat appid/mchid (sp_appid/sp_mchid in partner mode);
	// Alipay app_id in AppID.
	AppID string `yaml:"app_id"`
	MchID string `yaml:"mch_id"`
	// PublicKeyID is WeChat Pay's PUB_KEY_ID_… in public-key mode (empty:
	// platform certificates downloaded from /v3/certificates).
	PublicKeyID string `yaml:"public_key_id"`
}

// School is one school's merchant.
type School struct {
	School   string `yaml:"school"`
	Merchant string `yaml:"merchant"`
	// SubMchID and SubAppID: the school as a WeChat Pay sub-merchant (partner mode).
	SubMchID string `yaml:"sub_mchid"`
	SubAppID string `yaml:"sub_appid"`
	// AppAuthTokenFile and AuthAppID: the school's Alipay app_auth_token (partner
	// mode, in a file) and the school's own app_id, which its notifications carry
	// as auth_app_id.
	AppAuthTokenFile string `yaml:"app_auth_token_file"`
	AuthAppID        string `yaml:"auth_app_id"`
}

// AdapterOptions are what every adapter is built with.
type AdapterOptions struct {
	// CallTimeout bounds every call to a provider.
	CallTimeout time.Duration
	// OnBreaker, if set, observes the adapters' breaker transitions (merchant key,
	// operation, from, to): logs and metrics.
	OnBreaker func(merchant, op, from, to string)
}

// Factory builds the adapter of merchant m for school s (nil for a merchant's own,
// school-less use: a direct merchant serving the default).
type Factory func(m Merchant, s *School) (recharge.Provider, error)

// Registry implements recharge.Providers over the configuration. It does not change
// after Build, so it is safe for concurrent use.
type Registry struct {
	bySchool map[string]recharge.Provider
	byKey    map[string]recharge.Provider
	keyOf    map[recharge.Provider]string
	fallback recharge.Provider
}

var _ recharge.Providers = (*Registry)(nil)

var keyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Build validates cfg and builds every school's provider with the factory of its
// merchant's provider name. Any error names the entry at fault.
func Build(cfg Config, factories map[string]Factory) (*Registry, error) {
	merchants, err := checkMerchants(cfg.Merchants, factories)
	if err != nil {
		return nil, err
	}
	r := &Registry{bySchool: map[string]recharge.Provider{}, byKey: map[string]recharge.Provider{},
		keyOf: map[recharge.Provider]string{}}
	for i := range cfg.Schools {
		s := cfg.Schools[i]
		if err := r.addSchool(s, merchants, factories); err != nil {
			return nil, err
		}
	}
	if cfg.Default != "" {
		m, ok := merchants[cfg.Default]
		switch {
		case !ok:
			return nil, fmt.Errorf("payments: default merchant %q is not configured", cfg.Default)
		case m.Mode == ModePartner:
			return nil, fmt.Errorf("payments: default merchant %q is a service provider: each school needs its own sub-merchant", cfg.Default)
		}
		if r.fallback = r.byKey[m.Key]; r.fallback == nil {
			p, err := factories[m.Provider](m, nil)
			if err != nil {
				return nil, fmt.Errorf("payments: merchant %q: %w", m.Key, err)
			}
			r.fallback = p
			r.remember(m.Key, p)
		}
	}
	return r, nil
}

func checkMerchants(ms []Merchant, factories map[string]Factory) (map[string]Merchant, error) {
	out := make(map[string]Merchant, len(ms))
	for i, m := range ms {
		if m.Mode == "" {
			m.Mode = ModeDirect
		}
		switch {
		case !keyRE.MatchString(m.Key):
			return nil, fmt.Errorf("payments: merchants[%d]: key %q must be 1–32 letters, digits, _ or -", i, m.Key)
		case out[m.Key].Key != "":
			return nil, fmt.Errorf("payments: merchant %q is configured twice", m.Key)
		case factories[m.Provider] == nil:
			return nil, fmt.Errorf("payments: merchant %q: provider %q is not one of %s", m.Key, m.Provider, names(factories))
		case m.Mode != ModeDirect && m.Mode != ModePartner:
			return nil, fmt.Errorf("payments: merchant %q: mode %q is not direct or partner", m.Key, m.Mode)
		case m.URL == "" || m.KeysDir == "" || m.AppID == "":
			return nil, fmt.Errorf("payments: merchant %q needs url, keys_dir and app_id", m.Key)
		case m.Provider == WeChatPay && m.MchID == "":
			return nil, fmt.Errorf("payments: merchant %q: a WeChat Pay merchant needs mch_id", m.Key)
		}
		out[m.Key] = m
	}
	return out, nil
}

func (r *Registry) addSchool(s School, merchants map[string]Merchant, factories map[string]Factory) error {
	m, ok := merchants[s.Merchant]
	switch {
	case s.School == "":
		return errors.New("payments: a school entry without a school id")
	case r.bySchool[s.School] != nil:
		return fmt.Errorf("payments: school %q is configured twice", s.School)
	case !ok:
		return fmt.Errorf("payments: school %q: merchant %q is not configured", s.School, s.Merchant)
	case m.Mode == ModePartner && m.Provider == WeChatPay && s.SubMchID == "":
		return fmt.Errorf("payments: school %q: merchant %q is a service provider: sub_mchid is required", s.School, m.Key)
	case m.Mode == ModePartner && m.Provider == Alipay && (s.AppAuthTokenFile == "" || s.AuthAppID == ""):
		return fmt.Errorf("payments: school %q: merchant %q is an ISV app: app_auth_token_file and auth_app_id are required", s.School, m.Key)
	case m.Mode == ModeDirect && (s.SubMchID != "" || s.AppAuthTokenFile != "" || s.AuthAppID != ""):
		return fmt.Errorf("payments: school %q: merchant %q is direct: no sub_mchid, app_auth_token_file or auth_app_id", s.School, m.Key)
	case s.SubMchID != "" && !keyRE.MatchString(s.SubMchID):
		return fmt.Errorf("payments: school %q: sub_mchid %q is malformed", s.School, s.SubMchID)
	}
	key := m.Key
	if m.Mode == ModePartner {
		key = m.Key + "." + subKey(s)
	}
	if p := r.byKey[key]; p != nil { // a direct merchant shared by several schools
		r.bySchool[s.School] = p
		return nil
	}
	p, err := factories[m.Provider](m, &s)
	if err != nil {
		return fmt.Errorf("payments: school %q, merchant %q: %w", s.School, m.Key, err)
	}
	r.bySchool[s.School] = p
	r.remember(key, p)
	return nil
}

// subKey names a sub-merchant inside its merchant's key: the sub_mchid, or the
// school for an ISV app (whose token is a secret, never a key).
func subKey(s School) string {
	if s.SubMchID != "" {
		return s.SubMchID
	}
	return s.School
}

func (r *Registry) remember(key string, p recharge.Provider) {
	r.byKey[key] = p
	r.keyOf[p] = key
}

func names(f map[string]Factory) string {
	var n []string
	for k := range f {
		n = append(n, k)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

// For implements recharge.Providers.
func (r *Registry) For(schoolID string) (recharge.Provider, error) {
	if p := r.bySchool[schoolID]; p != nil {
		return p, nil
	}
	if r.fallback != nil {
		return r.fallback, nil
	}
	return nil, recharge.ErrNoProvider
}

// ByKey implements recharge.Providers.
func (r *Registry) ByKey(key string) (recharge.Provider, error) {
	if p := r.byKey[key]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("%w: merchant key %q is not configured", recharge.ErrNoProvider, key)
}

// MerchantKey implements recharge.Providers.
func (r *Registry) MerchantKey(p recharge.Provider) string {
	return r.keyOf[p]
}

// All is every configured provider by merchant key (for breaker states and the
// notification routes).
func (r *Registry) All() map[string]recharge.Provider {
	out := make(map[string]recharge.Provider, len(r.byKey))
	for k, p := range r.byKey {
		out[k] = p
	}
	return out
}
