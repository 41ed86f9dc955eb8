package notify

import (
	"maps"
	"slices"
	"strconv"
)

// oaLayout is how a notice kind fills a WeChat official account template
// message, whose data keys are first, keyword1…keywordN and remark: the first
// line, the keywords in the order the registered template lists them (texts
// with the kind's {placeholders}: masked names, amounts, dates; never a full
// name or an ID number) and the remark.
type oaLayout struct {
	first    string
	keywords []string
	remark   string
}

// oaLayouts are the layouts of the guardians' notice kinds (staff notices go
// by e-mail only); register each kind's template (push.wechat.templates) with
// these keywords in this order: cluster-config/single.yaml lists them with
// their labels (TestOfficialAccountLayoutsDocumented keeps it in step).
var oaLayouts = map[Kind]oaLayout{
	KindArrears:         {"校园卡欠费提醒", []string{"{name}", "{canteen}", "{amount}元", "{balance}元"}, "请及时充值。"},
	KindLowBalance:      {"校园卡余额不足提醒", []string{"{name}", "{balance}元", "{threshold}元"}, "请及时充值。"},
	KindRechargeReceipt: {"校园卡充值到账", []string{"{name}", "{amount}元", "{balance}元"}, "感谢使用一码通。"},
	KindCardLoss:        {"校园卡挂失通知", []string{"{name}", "已挂失"}, "挂失期间不能消费。"},
	KindCardReissue:     {"校园卡补办通知", []string{"{name}", "已补办"}, "原卡作废。"},
	KindGuardianBound:   {"家长绑定通知", []string{"{name}", "{student_no}", "{relation}"}, "如非本人操作请联系学校。"},
	KindFeePublished:    {"缴费项目发布", []string{"{name}", "{item}", "{amount}元", "{due}"}, "请在截止日期前缴纳。"},
	KindFeeReminder:     {"缴费提醒", []string{"{name}", "{item}", "{amount}元", "{due}"}, "尚未缴纳，请在截止日期前缴纳。"},
	KindFeeDueTomorrow:  {"缴费明天截止", []string{"{name}", "{item}", "{amount}元", "{due}"}, "请及时缴纳。"},
	KindRefundDone:      {"退费到账通知", []string{"{name}", "{amount}元"}, "原路退回的款项以支付渠道到账为准。"},
	KindGuardianUnbound: {"家长解绑通知", []string{"{name}", "{student_no}", "{phone}"}, "如有疑问请联系学校。"},
}

// oaMissing fills a keyword whose parameter the message lacks (the canteen of
// an arrears notice of the directory outbox): the slots stay those of the
// registered template.
const oaMissing = "—"

// OfficialAccountData is the data of a template message of topic with params
// ps: first, keyword1…keywordN, remark. A kind's keywords are always those of
// its layout, in its order: one whose parameter ps lacks is oaMissing. A topic
// without a layout gives a generic first line and the params as keywords in
// the order of their names (binding and reminder texts, already masked by
// their producers).
func OfficialAccountData(topic string, ps map[string]string) map[string]string {
	l, ok := oaLayouts[Kind(topic)]
	if !ok {
		l = oaLayout{first: "一码通通知"}
		for _, k := range slices.Sorted(maps.Keys(ps)) {
			l.keywords = append(l.keywords, "{"+k+"}")
		}
	}
	out := make(map[string]string, len(l.keywords)+2)
	out["first"] = l.first
	for i, kw := range l.keywords {
		v := oaMissing
		if fills(kw, ps) {
			v = Template{Text: kw}.Render(ps)
		}
		out["keyword"+strconv.Itoa(i+1)] = v
	}
	if l.remark != "" {
		out["remark"] = l.remark
	}
	return out
}

// fills reports whether ps has every placeholder of keyword kw.
func fills(kw string, ps map[string]string) bool {
	for _, m := range placeholder.FindAllStringSubmatch(kw, -1) {
		if _, ok := ps[m[1]]; !ok {
			return false
		}
	}
	return true
}
