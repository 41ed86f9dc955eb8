package notify

import (
	"strconv"
	"strings"
	"testing"
)

// TestOfficialAccountData: every guardian's kind fills first, keyword1…N and
// remark from its parameters, every placeholder filled, no other key; the
// directory's arrears and texts get the generic layout.
func TestOfficialAccountData(t *testing.T) {
	params := map[string]string{"name": "张*明", "canteen": "一食堂", "amount": "12.00", "balance": "-3.00", "threshold": "10.00",
		"relation": "母亲", "student_no": "2024000101", "item": "校服费", "due": "2026-09-30", "phone": "139****1111"}
	for _, k := range AllKinds() {
		if k == KindStaffRefundFailed {
			continue // e-mail only
		}
		l, ok := oaLayouts[k]
		if !ok {
			t.Errorf("kind %s has no official account layout", k)
			continue
		}
		ps := map[string]string{}
		for _, p := range Placeholders(k) {
			ps[p] = params[p]
		}
		got := OfficialAccountData(string(k), ps)
		if got["first"] != l.first || got["remark"] != l.remark || len(got) != len(l.keywords)+2 {
			t.Errorf("%s: %v", k, got)
		}
		used := map[string]bool{}
		for i := range l.keywords {
			v := got["keyword"+strconv.Itoa(i+1)]
			if v == "" || strings.ContainsAny(v, "{}") {
				t.Errorf("%s keyword%d = %q", k, i+1, v)
			}
			for p, pv := range ps {
				if strings.Contains(v, pv) {
					used[p] = true
				}
			}
		}
		for p := range ps {
			if !used[p] {
				t.Errorf("%s: parameter %s shown in no keyword of %v", k, p, got)
			}
		}
	}
	for _, tc := range []struct {
		topic string
		ps    map[string]string
		want  map[string]string
	}{
		{"arrears", map[string]string{"amount": "12.00", "balance": "-3.00"},
			map[string]string{"first": "校园卡欠费提醒", "keyword1": "12.00元", "keyword2": "-3.00元", "remark": "请及时充值。"}},
		{"binding", map[string]string{"text": "已绑定张*明"}, map[string]string{"first": "一码通通知", "keyword1": "已绑定张*明"}},
	} {
		got := OfficialAccountData(tc.topic, tc.ps)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.topic, got, tc.want)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.topic, k, got[k], v)
			}
		}
	}
}
