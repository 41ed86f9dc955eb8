package sandbox

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/onecode/onecode/gateway/push/sms"
)

// TestOrderedParams: a template message's data shows first, keyword1…N by
// number (keyword10 after keyword2), remark, then other keys by name.
func TestOrderedParams(t *testing.T) {
	ps := map[string]string{"remark": "r", "keyword10": "k10", "thing3": "t", "keyword2": "k2", "first": "f",
		"keyword1": "k1", "keyword": "bare", "amount": "a"}
	var got []string
	for _, p := range ordered(ps) {
		got = append(got, p.Key+"="+p.Value)
	}
	want := []string{"first=f", "keyword1=k1", "keyword2=k2", "keyword10=k10", "remark=r", "amount=a", "keyword=bare", "thing3=t"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ordered %v, want %v", got, want)
	}
}

// TestPageOrdersTemplateData: the page shows a WeChat message's data in that
// order (keyword2 before keyword10).
func TestPageOrdersTemplateData(t *testing.T) {
	s, err := New(Config{SMS: sms.Credentials{KeyID: "ak", Secret: []byte("0123456789abcdef")}, WeChatAppID: "wx", WeChatSecret: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	data := map[string]string{"first": "f"}
	for i := 1; i <= 11; i++ {
		data["keyword"+strconv.Itoa(i)] = "v" + strconv.Itoa(i)
	}
	data["remark"] = "r"
	s.record(Message{Channel: "wechat", To: "oX", TemplateID: "T", Params: data})
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/sandbox/", nil))
	body := w.Body.String()
	want := "first=f keyword1=v1 keyword2=v2 keyword3=v3 keyword4=v4 keyword5=v5 keyword6=v6 keyword7=v7 keyword8=v8 " +
		"keyword9=v9 keyword10=v10 keyword11=v11 remark=r "
	if w.Code != http.StatusOK || strings.Count(body, want) != 2 { // the WeChat table and the table of all
		t.Errorf("HTTP %d, page without %q twice:\n%s", w.Code, want, body)
	}
}
