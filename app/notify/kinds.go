package notify

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Kind is a notice kind of the outbox store (persistence/outbox), the topic a
// Router routes and a template renders.
type Kind string

// The notice kinds of issue 12. Login codes and arrears are urgent: they go out
// in quiet hours too; every other kind waits for the morning.
const (
	KindLoginCode       Kind = "login_code"
	KindArrears         Kind = "arrears"
	KindLowBalance      Kind = "low_balance"
	KindRechargeReceipt Kind = "recharge_receipt"
	KindCardLoss        Kind = "card_loss"
	KindCardReissue     Kind = "card_reissue"
	KindGuardianBound   Kind = "guardian_bound"
	KindFeePublished    Kind = "fee_published"
	KindFeeReminder     Kind = "fee_reminder"
	KindFeeDueTomorrow  Kind = "fee_due_tomorrow"
	KindRefundDone      Kind = "refund_done"
	// KindOpsAlarm is an alarm delivered to an operator (app/ops): urgent, not a
	// guardian's kind.
	KindOpsAlarm Kind = "ops_alarm"
)

// Urgent reports whether a kind goes out in quiet hours (and cannot be turned
// off by a guardian's preferences).
func (k Kind) Urgent() bool { return k == KindLoginCode || k == KindArrears || k == KindOpsAlarm }

// ToParent reports whether the recipient of a kind is a parent id (else an
// account id, whose guardians receive it).
func (k Kind) ToParent() bool { return k == KindGuardianBound }

// kindTexts are the Chinese texts of the notice kinds. Placeholders hold masked
// names ({name}: 张*明), amounts in yuan, dates: never a full name or an ID number.
var kindTexts = map[Kind]string{
	KindArrears:         "【一码通】{name}在{canteen}欠费消费{amount}元，当前余额{balance}元，请及时充值。",
	KindLowBalance:      "【一码通】{name}的校园卡余额为{balance}元，已低于{threshold}元，请及时充值。",
	KindRechargeReceipt: "【一码通】{name}的校园卡已充值{amount}元，当前余额{balance}元。",
	KindCardLoss:        "【一码通】{name}的校园卡已挂失，挂失期间不能消费。",
	KindCardReissue:     "【一码通】{name}的校园卡已补办，原卡作废。",
	KindGuardianBound:   "【一码通】{relation}已绑定{name}（学号{student_no}），如非本人操作请联系学校。",
	KindFeePublished:    "【一码通】学校发布了{name}的缴费项目“{item}”，金额{amount}元，截止日期{due}。",
	KindFeeReminder:     "【一码通】{name}的缴费项目“{item}”尚未缴纳，金额{amount}元，截止日期{due}。",
	KindFeeDueTomorrow:  "【一码通】{name}的缴费项目“{item}”明天（{due}）截止，金额{amount}元，请及时缴纳。",
	KindRefundDone:      "【一码通】{name}的退费{amount}元已退回，原路退回的款项以支付渠道到账为准。",
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// KindTemplates returns the templates of the notice kinds given a provider
// template id each (a kind without an id has no template on that channel).
func KindTemplates(ids map[Kind]string) map[string]Template {
	out := map[string]Template{}
	for k, id := range ids {
		if text, ok := kindTexts[k]; ok && id != "" {
			out[string(k)] = Template{ID: id, Text: text}
		}
	}
	return out
}

// Placeholders are the parameters a kind's text needs.
func Placeholders(k Kind) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(kindTexts[k], -1) {
		out = append(out, m[1])
	}
	return out
}

// idNumber is an 18-character resident ID number (or a run of 15+ digits).
var idNumber = regexp.MustCompile(`[0-9]{15,17}[0-9Xx]`)

// checkParams checks the parameters of a notice of kind k: every placeholder
// given, nothing else, {name} masked (a star in it), no ID number anywhere.
func checkParams(k Kind, ps map[string]string) error {
	if _, ok := kindTexts[k]; !ok {
		return fmt.Errorf("%w: unknown notice kind %q", ErrBadPayload, k)
	}
	want := Placeholders(k)
	if len(ps) != len(want) {
		return fmt.Errorf("%w: %s wants parameters %v", ErrBadPayload, k, want)
	}
	for _, p := range want {
		v, ok := ps[p]
		if !ok || v == "" || len(v) > 64 {
			return fmt.Errorf("%w: %s: parameter %s missing, empty or longer than 64 bytes", ErrBadPayload, k, p)
		}
	}
	for p, v := range ps {
		if idNumber.MatchString(v) {
			return fmt.Errorf("%w: %s: parameter %s looks like an ID number", ErrBadPayload, k, p)
		}
	}
	if name, ok := ps["name"]; ok && !strings.Contains(name, "*") {
		return fmt.Errorf("%w: %s: the name must be masked (actors.MaskName)", ErrBadPayload, k)
	}
	return nil
}

// Quiet hours: non-urgent notices are not sent from 21:00 to 07:00 China time.
const (
	QuietFrom = 21 // hour
	QuietTo   = 7  // hour
)

// shanghai is China Standard Time (UTC+8, no daylight saving) without the tz
// database, which a minimal image may lack.
var shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// SendAt is when a notice of kind k made at now may go out: now for urgent kinds
// and outside quiet hours, else the next 07:00 China time.
func SendAt(k Kind, now time.Time) time.Time {
	if k.Urgent() {
		return now
	}
	local := now.In(shanghai)
	h := local.Hour()
	if h >= QuietTo && h < QuietFrom {
		return now
	}
	morning := time.Date(local.Year(), local.Month(), local.Day(), QuietTo, 0, 0, 0, shanghai)
	if h >= QuietFrom {
		morning = morning.AddDate(0, 0, 1)
	}
	return morning.UTC()
}
