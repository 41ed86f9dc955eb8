package sandbox

import (
	"cmp"
	"encoding/json"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// listMessages answers GET /sandbox/messages[?channel=sms|wechat][&to=…]: the
// messages kept, oldest first, and the counters.
func (s *Sandbox) listMessages(w http.ResponseWriter, r *http.Request) {
	ch, to := r.URL.Query().Get("channel"), r.URL.Query().Get("to")
	msgs := slices.DeleteFunc(s.Messages(), func(m Message) bool {
		return (ch != "" && m.Channel != ch) || (to != "" && m.To != to)
	})
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs, "stats": s.Stats()})
}

func (s *Sandbox) getFaults(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, f)
}

func (s *Sandbox) putFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		http.Error(w, "faults: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.SetFaults(f); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// param is one template parameter as the page shows it.
type param struct{ Key, Value string }

// ordered are a message's parameters in the order a WeChat template message
// shows its data: first, keyword1…N by number (keyword10 after keyword2),
// remark, then any other key by name (an SMS's parameters by name).
func ordered(ps map[string]string) []param {
	rank := func(k string) (int, int) {
		switch n, err := strconv.Atoi(strings.TrimPrefix(k, "keyword")); {
		case k == "first":
			return 0, 0
		case strings.HasPrefix(k, "keyword") && err == nil && n >= 0:
			return 1, n
		case k == "remark":
			return 2, 0
		}
		return 3, 0
	}
	keys := slices.SortedFunc(maps.Keys(ps), func(a, b string) int {
		ga, na := rank(a)
		gb, nb := rank(b)
		return cmp.Or(cmp.Compare(ga, gb), cmp.Compare(na, nb), strings.Compare(a, b))
	})
	out := make([]param, len(keys))
	for i, k := range keys {
		out[i] = param{k, ps[k]}
	}
	return out
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"ordered": ordered}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>OneCode push sandbox</title>
<meta http-equiv="refresh" content="5"></head>
<body><h1>Push sandbox: messages received</h1>
<p>Newest first; this page reloads every 5 s. JSON: <a href="/sandbox/messages">/sandbox/messages</a>, faults: <a href="/sandbox/faults">/sandbox/faults</a>.</p>
<h2>WeChat template messages (微信模板消息)</h2>
<table border="1" cellpadding="4" data-test="wechat-messages"><thead><tr><th>#</th><th>at (UTC)</th><th>openid</th><th>template</th><th>data</th></tr></thead>
<tbody>{{range .WeChat}}<tr data-test="wechat-message"><td>{{.Seq}}</td><td>{{.At.Format "15:04:05"}}</td><td>{{.To}}</td><td data-test="template">{{.TemplateID}}</td>
<td>{{range ordered .Params}}{{.Key}}={{.Value}} {{end}}</td></tr>{{else}}<tr><td colspan="5">nothing yet</td></tr>{{end}}</tbody></table>
<h2>All messages</h2>
<table border="1" cellpadding="4"><thead><tr><th>#</th><th>channel</th><th>at (UTC)</th><th>to</th><th>template</th><th>parameters</th><th>receipt</th></tr></thead>
<tbody>{{range .All}}<tr><td>{{.Seq}}</td><td>{{.Channel}}</td><td>{{.At.Format "15:04:05"}}</td><td>{{.To}}</td><td>{{.TemplateID}}</td>
<td>{{range ordered .Params}}{{.Key}}={{.Value}} {{end}}</td><td>{{.Receipt}}</td></tr>{{else}}<tr><td colspan="7">nothing yet</td></tr>{{end}}</tbody></table>
</body></html>`))

// page lists the WeChat template messages, then every message, newest first,
// without any script.
func (s *Sandbox) page(w http.ResponseWriter, _ *http.Request) {
	msgs := s.Messages()
	slices.Reverse(msgs)
	wx := slices.DeleteFunc(slices.Clone(msgs), func(m Message) bool { return m.Channel != "wechat" })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'")
	_ = pageTmpl.Execute(w, struct{ WeChat, All []Message }{wx, msgs})
}
