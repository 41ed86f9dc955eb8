package gateway_test

// The setups the gateway's tests share: merchants on their sandboxes and the
// payments registry over them, and the two schools of the fee tests.

import (
	"crypto/rand"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
	wxsandbox "github.com/onecode/onecode/gateway/aggregator/sandbox"
	"github.com/onecode/onecode/gateway/alipay"
	alisandbox "github.com/onecode/onecode/gateway/alipay/sandbox"
	"github.com/onecode/onecode/gateway/payments"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// payEnv is one merchant configuration on its sandbox.
type payEnv struct {
	merchants []payments.Merchant
	school    payments.School
	// sandboxURL is the sandbox's base URL (its /sandbox/… endpoints).
	sandboxURL string
	// allDelivered: every copy of every notification was answered 2xx ("success").
	allDelivered func() bool
}

// wechatEnv: a WeChat Pay sandbox; partner mode is OneCode as service provider with
// the school as sub-merchant (public-key mode), direct a school's own merchant
// (platform certificates downloaded).
func wechatEnv(t *testing.T, partner bool) payEnv {
	set, err := aggregator.GenerateKeySet(rand.Reader, "1900000100", "wx8888888888888888")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "wechat")
	if err := set.Write(dir); err != nil {
		t.Fatal(err)
	}
	sb, err := wxsandbox.New(wxsandbox.Config{Keys: wxsandbox.KeysFromSet(set), SignWithPublicKey: partner,
		Faults: wxsandbox.Faults{DupNotify: 3}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	m := payments.Merchant{Key: "wx", Provider: payments.WeChatPay, URL: srv.URL, KeysDir: dir, AppID: set.AppID, MchID: set.MchID}
	s := payments.School{School: "35001", Merchant: "wx"}
	if partner {
		m.Mode, m.PublicKeyID = payments.ModePartner, set.PublicKeyID
		s.SubMchID, s.SubAppID = "1900000109", "wx1234567890abcdef"
	}
	return payEnv{merchants: []payments.Merchant{m}, school: s, sandboxURL: srv.URL, allDelivered: func() bool {
		st := sb.Stats()
		return st.Scheduled == 6 && st.Delivered == st.Scheduled
	}}
}

// alipayEnv: an Alipay sandbox in public-key or certificate mode.
func alipayEnv(t *testing.T, certMode bool) payEnv {
	ks, err := alipay.GenerateKeySet(rand.Reader, "2021000000000002")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "alipay")
	if err := ks.Write(dir, certMode); err != nil {
		t.Fatal(err)
	}
	cfg := alisandbox.ConfigFromKeySet(ks, certMode)
	cfg.Faults = alisandbox.Faults{DupNotify: 3}
	sb, err := alisandbox.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	m := payments.Merchant{Key: "ali", Provider: payments.Alipay, URL: srv.URL + "/gateway.do", KeysDir: dir, AppID: ks.AppID}
	return payEnv{merchants: []payments.Merchant{m}, school: payments.School{School: "35001", Merchant: "ali"}, allDelivered: func() bool {
		st := sb.Stats()
		return st.Scheduled == 6 && st.Delivered == st.Scheduled
	}}
}

// perSchool gives each school of envs its own merchant (the env's, keyed
// apart by the school) on that env's sandbox.
func perSchool(envs map[string]payEnv) payments.Config {
	var cfg payments.Config
	for school, env := range envs {
		m := env.merchants[0]
		m.Key = m.Key + school
		s := env.school
		s.School, s.Merchant = school, m.Key
		cfg.Merchants, cfg.Schools = append(cfg.Merchants, m), append(cfg.Schools, s)
	}
	return cfg
}

// payRegistry builds the payments registry of cfg (WeChat Pay and Alipay, calls
// time out after 5 s).
func payRegistry(t *testing.T, cfg payments.Config) *payments.Registry {
	t.Helper()
	opts := payments.AdapterOptions{CallTimeout: 5 * time.Second}
	reg, err := payments.Build(cfg, map[string]payments.Factory{payments.WeChatPay: payments.WeChatFactory(opts),
		payments.Alipay: payments.AlipayFactory(opts)})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// feeSchools makes school 35001 (classes 3-1 with three pupils, 3-2 with one) and
// school 35002 (one pupil) and answers the session tokens of their finance staff.
func feeSchools(t *testing.T, e *switchEnv) (fin, fin2 string) {
	t.Helper()
	e.school(t, "35001", "C1", "T1", "3-1", "3-2")
	e.school(t, "35002", "C2", "T2", "1-1")
	for school, rows := range map[string][]*apiv1.PupilRow{
		"35001": {
			{StudentNo: "2024000101", Name: "王小明", ClassId: "3-1"},
			{StudentNo: "2024000102", Name: "李华", ClassId: "3-1"},
			{StudentNo: "2024000103", Name: "张伟", ClassId: "3-1"},
			{StudentNo: "2024000201", Name: "陈雨桐", ClassId: "3-2"},
		},
		"35002": {{StudentNo: "2024000301", Name: "赵磊", ClassId: "1-1"}},
	} {
		resp, err := e.admin.ImportPupils(authed(), &apiv1.ImportPupilsRequest{SchoolId: school, CardExpiry: nextYear(), Pupils: rows})
		if err != nil || len(resp.GetErrors()) > 0 {
			t.Fatalf("import %s: %v %v", school, resp, err)
		}
	}
	return e.staffToken(t, "35001", "fin_1", directory.RoleFinance, ""), e.staffToken(t, "35002", "fin_2", directory.RoleFinance, "")
}
