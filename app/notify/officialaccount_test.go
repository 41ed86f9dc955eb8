package notify

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/persistence/directory"
)

// TestOfficialAccountData: every guardian's kind fills first, keyword1…N and
// remark from its parameters, every placeholder filled, no other key; an
// arrears notice without a name or canteen keeps the kind's slots; texts get
// the generic layout.
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
		{"arrears", map[string]string{"amount": "12.00", "balance": "-3.00"}, map[string]string{"first": "校园卡欠费提醒",
			"keyword1": "—", "keyword2": "—", "keyword3": "12.00元", "keyword4": "-3.00元", "remark": "请及时充值。"}},
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

// TestDirectoryArrearsSlots: an arrears notice of the directory outbox, as
// the terminal session queues it (actors.ArrearsNotice), fills the arrears
// template's four slots in order: the masked name, "—" for the canteen it does
// not carry, the amount, the balance. One queued before names were kept, or
// with a name that is not masked, shows "—" for the name; no slot shifts.
func TestDirectoryArrearsSlots(t *testing.T) {
	notice := actors.ArrearsNotice{AccountID: "acc_1", PurchaseKey: "T1:3", AmountFen: 3750, BalanceFen: -200,
		MaskedName: actors.MaskName("张小明"), SchoolID: "35001", CanteenID: "c1"}
	produced, err := json.Marshal(notice)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what, payload, name string
	}{
		{"from the terminal session", string(produced), "张*明"},
		{"queued before names", `{"account_id":"acc_1","purchase_key":"T1:3","amount_fen":3750,"balance_fen":-200}`, "—"},
		{"a name not masked", `{"amount_fen":3750,"balance_fen":-200,"masked_name":"张小明"}`, "—"},
	} {
		m := Message{ID: 7, Topic: string(directory.TopicArrears), Recipient: "acc_1", Payload: []byte(tc.payload)}
		ps, _, err := params(m, time.Now(), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.what, err)
		}
		got := OfficialAccountData(m.Topic, ps)
		want := map[string]string{"first": "校园卡欠费提醒", "keyword1": tc.name, "keyword2": "—", "keyword3": "37.50元",
			"keyword4": "-2.00元", "remark": "请及时充值。"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", tc.what, got, want)
		}
	}
	if strings.Contains(string(produced), "张小明") {
		t.Errorf("the payload %s holds the full name", produced)
	}
}

// TestOfficialAccountLayoutsDocumented: the comment above push.wechat's
// templates in cluster-config/single.yaml lists every kind with a layout, and
// only those, each with its keywords in the layout's order (label=keyword, the
// label in Chinese), as an operator registers them.
func TestOfficialAccountLayoutsDocumented(t *testing.T) {
	b, err := os.ReadFile("../../cluster-config/single.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	end := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "templates:") })
	if end < 0 {
		t.Fatal("single.yaml has no templates key")
	}
	kindLine := regexp.MustCompile(`^\s*#\s+([a-z_]+)\s+(\S+=\S+(?:\s+\S+=\S+)*)\s*$`)
	label := regexp.MustCompile(`^\p{Han}+$`)
	documented := map[Kind][]string{}
	for i := end - 1; i >= 0 && strings.HasPrefix(strings.TrimSpace(lines[i]), "#"); i-- {
		if m := kindLine.FindStringSubmatch(lines[i]); m != nil {
			documented[Kind(m[1])] = strings.Fields(m[2])
		}
	}
	for k, l := range oaLayouts {
		pairs, ok := documented[k]
		if !ok {
			t.Errorf("single.yaml does not list the keywords of %s above templates", k)
			continue
		}
		if len(pairs) != len(l.keywords) {
			t.Errorf("single.yaml lists %d keywords of %s, the layout has %d: %v", len(pairs), k, len(l.keywords), l.keywords)
			continue
		}
		for i, p := range pairs {
			name, kw, _ := strings.Cut(p, "=")
			if !label.MatchString(name) || kw != l.keywords[i] {
				t.Errorf("single.yaml: keyword%d of %s is %q, want a Chinese label = %q", i+1, k, p, l.keywords[i])
			}
		}
	}
	for k := range documented {
		if _, ok := oaLayouts[k]; !ok {
			t.Errorf("single.yaml lists keywords of %s, which has no layout", k)
		}
	}
}
