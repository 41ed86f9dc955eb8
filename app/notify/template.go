package notify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/domain/money"
	"github.com/onecode/onecode/persistence/directory"
)

// Template is a notice's template on one channel: the provider's template id
// (an SMS or WeChat template registered with the provider; the subject of an
// e-mail) and its Chinese text with {placeholders}. Placeholders hold no full
// names or ID numbers: the payloads carry masked names only.
type Template struct {
	ID   string
	Text string
}

// Render fills the {placeholders} of the text; an unknown one stays as is.
func (t Template) Render(params map[string]string) string {
	pairs := make([]string, 0, 2*len(params))
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(t.Text)
}

// Texts of the current notices (the providers register the same copy under the
// template ids of the configuration).
const (
	TextOTP     = "【一码通】您的登录验证码为{code}，{minutes}分钟内有效，请勿告诉他人。"
	TextArrears = "【一码通】您的孩子在食堂欠费消费{amount}元，当前余额{balance}元，请及时充值。"
	TextBinding = "【一码通】{text}"
	TextNotice  = "【一码通】{text}"
)

// Templates returns the templates of the current topics with the given ids per
// topic (a topic without an id has no template on that channel).
func Templates(ids map[string]string) map[string]Template {
	texts := map[string]string{
		string(directory.TopicOTP): TextOTP, string(KindLoginCode): TextOTP, string(directory.TopicArrears): TextArrears,
		string(directory.TopicBinding): TextBinding, string(directory.TopicReminder): TextNotice,
	}
	out := map[string]Template{}
	for topic, id := range ids {
		if text, ok := texts[topic]; ok && id != "" {
			out[topic] = Template{ID: id, Text: text}
		}
	}
	return out
}

// otpPayload is app/access's one-time code message.
type otpPayload struct {
	Code        string `json:"code"`
	PhoneSealed string `json:"phone_sealed"`
	ExpiresUnix int64  `json:"expires_unix"`
}

// params reads a message's template parameters (and, for a one-time code, the
// phone it goes to, opened with phoneKey). A payload that does not fit its topic,
// or a code already expired, is a permanent failure.
func params(m Message, now time.Time, phoneKey []byte) (map[string]string, string, error) {
	bad := func(err error) (map[string]string, string, error) {
		return nil, "", Permanent("bad_payload", fmt.Errorf("%w: %s message %d: %v", ErrBadPayload, m.Topic, m.ID, err))
	}
	if _, ok := kindTexts[Kind(m.Topic)]; ok && m.Topic != string(directory.TopicArrears) || isKindPayload(m) {
		var p noticePayload
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			return bad(err)
		}
		if err := checkParams(Kind(m.Topic), p.Params); err != nil {
			return bad(err)
		}
		return p.Params, "", nil
	}
	topic := directory.Topic(m.Topic)
	if isLoginCode(m.Topic) {
		topic = directory.TopicOTP
	}
	switch topic {
	case directory.TopicOTP:
		var p otpPayload
		if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Code) != 6 || p.PhoneSealed == "" {
			return bad(fmt.Errorf("want a 6-digit code and a sealed phone"))
		}
		phone, err := policy.OpenPhone(phoneKey, p.PhoneSealed)
		if err != nil {
			return bad(err)
		}
		left := time.Unix(p.ExpiresUnix, 0).Sub(now)
		if left <= 0 {
			return nil, "", Permanent("expired", ErrExpired)
		}
		minutes := int((left + time.Minute - 1) / time.Minute)
		return map[string]string{"code": p.Code, "minutes": strconv.Itoa(minutes)}, phone, nil
	case directory.TopicArrears:
		return arrearsParams(m.Payload, bad)
	default: // binding, reminder: a text already masked by its producer
		var p struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil || p.Text == "" {
			return bad(fmt.Errorf("want a text"))
		}
		return map[string]string{"text": p.Text}, "", nil
	}
}

// arrearsParams are the parameters of an arrears notice of the directory
// outbox (actors.ArrearsNotice): amount, balance and the pupil's masked name
// when the payload has one that is masked (a notice queued before names were
// kept has none; its template message shows "—" in that slot). The canteen is
// never in it.
func arrearsParams(payload []byte, bad func(error) (map[string]string, string, error)) (map[string]string, string, error) {
	var p struct {
		AmountFen  *int64 `json:"amount_fen"`
		BalanceFen *int64 `json:"balance_fen"`
		MaskedName string `json:"masked_name"`
	}
	if err := json.Unmarshal(payload, &p); err != nil || p.AmountFen == nil || p.BalanceFen == nil {
		return bad(fmt.Errorf("want amount_fen and balance_fen"))
	}
	ps := map[string]string{"amount": money.Amount(*p.AmountFen).String(), "balance": money.Amount(*p.BalanceFen).String()}
	if n := p.MaskedName; strings.Contains(n, "*") && len(n) <= 64 && !idNumber.MatchString(n) {
		ps["name"] = n
	}
	return ps, "", nil
}

// isKindPayload tells an arrears notice of the outbox store ({"params": …})
// from one of the directory outbox ({"amount_fen", "balance_fen"}): the two
// share the topic "arrears".
func isKindPayload(m Message) bool {
	if m.Topic != string(KindArrears) {
		return false
	}
	var p struct {
		Params map[string]string `json:"params"`
	}
	return json.Unmarshal(m.Payload, &p) == nil && p.Params != nil
}
