package notify

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	policy "github.com/onecode/onecode/domain/access"
	"github.com/onecode/onecode/persistence/directory"
)

// parents is an in-memory Parents.
type parents struct {
	guardians map[string][]string // account → parent ids
	byID      map[string]directory.Parent
	err       error
}

func (p parents) Guardians(_ context.Context, accountID string) ([]directory.Guardianship, error) {
	if p.err != nil {
		return nil, p.err
	}
	var out []directory.Guardianship
	for _, id := range p.guardians[accountID] {
		out = append(out, directory.Guardianship{ParentID: id, AccountID: accountID, Relation: "mother"})
	}
	return out, nil
}

func (p parents) ParentByID(_ context.Context, id string) (directory.Parent, error) {
	got, ok := p.byID[id]
	if !ok {
		return directory.Parent{}, directory.ErrNotFound
	}
	return got, nil
}

var sealKey = []byte("the phone seal key of 32 bytes!!")

func sealedUnder(key []byte, phone string) string {
	s, err := policy.SealPhone(key, phone, rand.Reader)
	if err != nil {
		panic(err)
	}
	return s
}

// TestGuardianBookReachesGuardiansByPhone: an arrears notice goes by SMS to
// every guardian of the account with a kept phone; a guardian without one (or
// sealed under another key) is skipped; with nobody reachable the notice falls
// back to the mailbox.
func TestGuardianBookReachesGuardiansByPhone(t *testing.T) {
	dir := parents{
		guardians: map[string][]string{"acc_1": {"par_mum", "par_dad", "par_old", "par_gone"}, "acc_2": {"par_old"}},
		byID: map[string]directory.Parent{
			"par_mum": {ID: "par_mum", PhoneSealed: sealedUnder(sealKey, "13900000001")},
			"par_dad": {ID: "par_dad", PhoneSealed: sealedUnder([]byte("another key of thirty-two bytes!"), "13900000002")},
			"par_old": {ID: "par_old"},
		},
	}
	book := GuardianBook{Directory: dir, SealKey: sealKey}
	sms := &recorder{name: SMS}
	var fellBack []int64
	r, err := NewRouter(RouterConfig{Channels: []Channel{sms}, Templates: allTemplates(), Contacts: book,
		Fallback: func(_ context.Context, m Message) error { fellBack = append(fellBack, m.ID); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	arrears := `{"amount_fen":1200,"balance_fen":-300}`
	if err := r.Send(ctx, Message{ID: 1, Topic: "arrears", Recipient: "acc_1", Payload: []byte(arrears)}); err != nil {
		t.Fatal(err)
	}
	if len(sms.got) != 1 || sms.got[0].To != "13900000001" || !strings.Contains(sms.got[0].Text(), "12.00元") || len(fellBack) != 0 {
		t.Fatalf("sms %+v, fallback %v: want the arrears notice to the mother's phone only", sms.got, fellBack)
	}
	if err := r.Send(ctx, Message{ID: 2, Topic: "arrears", Recipient: "acc_2", Payload: []byte(arrears)}); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(ctx, Message{ID: 3, Topic: "binding", Recipient: "par_mum", Payload: []byte(`{"text":"张*已绑定"}`)}); err != nil {
		t.Fatal(err)
	}
	if len(sms.got) != 2 || sms.got[1].To != "13900000001" || len(fellBack) != 1 || fellBack[0] != 2 {
		t.Fatalf("sms %+v, fallback %v: want the binding notice by SMS, the unreachable arrears notice in the mailbox", sms.got, fellBack)
	}

	// The directory failing is transient: the message stays in the outbox.
	down := GuardianBook{Directory: parents{err: errors.New("connection refused")}, SealKey: sealKey}
	if _, err := down.Contacts(ctx, Message{Topic: "arrears", Recipient: "acc_1"}); err == nil {
		t.Error("a failing directory answered no contacts")
	}
	r, _ = NewRouter(RouterConfig{Channels: []Channel{sms}, Templates: allTemplates(), Contacts: down})
	if err := r.Send(ctx, Message{ID: 4, Topic: "arrears", Recipient: "acc_1", Payload: []byte(arrears)}); err == nil || IsPermanent(err) {
		t.Errorf("send with the directory down: %v, want a transient failure", err)
	}
}

// oneRead is a Parents that also reads a pupil's guardians with their records
// at once, and counts its reads.
type oneRead struct {
	parents
	reads *int
}

func (o oneRead) GuardianParents(ctx context.Context, accountID string) ([]directory.Parent, error) {
	*o.reads++
	gs, err := o.Guardians(ctx, accountID)
	var out []directory.Parent
	for _, g := range gs {
		if p, ok := o.byID[g.ParentID]; ok {
			out = append(out, p)
		}
	}
	return out, err
}

// TestGuardianBookOneRead: a directory offering GuardianParents is read once
// per notice to an account's guardians (not the bindings, then each parent);
// the contacts are the same, and its failure is still an error.
func TestGuardianBookOneRead(t *testing.T) {
	base := parents{
		guardians: map[string][]string{"acc_1": {"par_mum", "par_dad", "par_gone"}},
		byID: map[string]directory.Parent{
			"par_mum": {ID: "par_mum", PhoneSealed: sealedUnder(sealKey, "13900000001")},
			"par_dad": {ID: "par_dad", PhoneSealed: sealedUnder(sealKey, "13900000002")},
		},
	}
	reads := 0
	book := GuardianBook{Directory: oneRead{parents: base, reads: &reads}, SealKey: sealKey}
	ctx := context.Background()
	got, err := book.Contacts(ctx, Message{Topic: string(KindFeePublished), Recipient: "acc_1"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := GuardianBook{Directory: base, SealKey: sealKey}.Contacts(ctx, Message{Topic: string(KindFeePublished), Recipient: "acc_1"})
	if err != nil {
		t.Fatal(err)
	}
	if reads != 1 || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("contacts %+v after %d reads, want %+v after 1", got, reads, want)
	}
	down := GuardianBook{Directory: oneRead{parents: parents{err: errors.New("connection refused")}, reads: &reads}, SealKey: sealKey}
	if _, err := down.Contacts(ctx, Message{Topic: string(KindFeePublished), Recipient: "acc_1"}); err == nil {
		t.Error("a failing directory answered no contacts")
	}
}

// links is an in-memory WeChatLinkReader.
type links map[string]string

func (l links) WeChatLinkOf(_ context.Context, parentID string) (directory.WeChatLink, error) {
	id, ok := l[parentID]
	if !ok {
		return directory.WeChatLink{}, directory.ErrNotFound
	}
	return directory.WeChatLink{ParentID: parentID, OpenID: id}, nil
}

// TestGuardianBookPrefersWeChat: with the default routes, a guardian who linked
// WeChat gets a notice by template message (not also by SMS), one who did not
// by SMS, one with only a WeChat link (no phone kept) by WeChat; the login
// code never goes by WeChat; a WeChat address that turns out unreachable falls
// back to SMS once.
func TestGuardianBookPrefersWeChat(t *testing.T) {
	dir := parents{
		guardians: map[string][]string{"acc_1": {"par_mum", "par_dad", "par_gran"}},
		byID: map[string]directory.Parent{
			"par_mum":  {ID: "par_mum", PhoneSealed: sealedUnder(sealKey, "13900000001")},
			"par_dad":  {ID: "par_dad", PhoneSealed: sealedUnder(sealKey, "13900000002")},
			"par_gran": {ID: "par_gran"},
		},
	}
	book := GuardianBook{Directory: dir, SealKey: sealKey, WeChat: links{"par_mum": "oMum", "par_gran": "oGran"}}
	sms, wx := &recorder{name: SMS}, &recorder{name: WeChat}
	ids := map[Kind]string{KindLowBalance: "T_LOW"}
	r, err := NewRouter(RouterConfig{Channels: []Channel{sms, wx}, Contacts: book, PhoneKey: phoneKey,
		Templates: map[ChannelName]map[string]Template{SMS: KindTemplates(ids), WeChat: KindTemplates(ids)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	low := Message{ID: 1, Topic: string(KindLowBalance), Recipient: "acc_1",
		Payload: []byte(`{"params":{"name":"张*明","balance":"3.00","threshold":"10.00"}}`)}
	if err := r.Send(ctx, low); err != nil {
		t.Fatal(err)
	}
	var wxTo, smsTo []string
	for _, d := range wx.got {
		wxTo = append(wxTo, d.To)
	}
	for _, d := range sms.got {
		smsTo = append(smsTo, d.To)
	}
	if strings.Join(wxTo, ",") != "oMum,oGran" || strings.Join(smsTo, ",") != "13900000002" {
		t.Fatalf("wechat to %v, sms to %v: want oMum,oGran by WeChat and the father by SMS", wxTo, smsTo)
	}
	if wx.got[0].Template.ID != "T_LOW" || wx.got[0].Params["balance"] != "3.00" {
		t.Errorf("wechat delivery %+v", wx.got[0])
	}

	if _, err := NewRouter(RouterConfig{Routes: map[string][]ChannelName{"login_code": {WeChat, SMS}}}); err == nil {
		t.Error("a route of login codes by WeChat was accepted")
	}
	if got := DefaultRoutes()[string(KindLoginCode)]; len(got) != 1 || got[0] != SMS {
		t.Errorf("login codes routed %v, want SMS only", got)
	}
	if got := DefaultRoutes()[string(KindStaffRefundFailed)]; len(got) != 1 || got[0] != Email {
		t.Errorf("staff notices routed %v, want e-mail only", got)
	}

	// The mother unsubscribed: her notice falls back to her phone once; the
	// grandmother has no phone, so hers fails for good; the father's SMS goes.
	wx.got, sms.got = nil, nil
	wx.err = Permanent("43004", ErrUnreachable)
	low.ID = 2
	if err := r.Send(ctx, low); err != nil {
		t.Fatalf("send with WeChat unsubscribed: %v, want nil (the SMS went)", err)
	}
	smsTo = smsTo[:0]
	for _, d := range sms.got {
		smsTo = append(smsTo, d.To)
	}
	if len(wx.got) != 2 || strings.Join(smsTo, ",") != "13900000001,13900000002" {
		t.Errorf("wechat tries %d, sms to %v: want 2 tries and both parents' phones once", len(wx.got), smsTo)
	}
}

// TestResendSkipsAcceptedDeliveries: a notice whose SMS to the father failed for
// now stays in the outbox; sent again, it reaches the father and does not
// repeat the mother's WeChat template message (the SMS gateway de-duplicates
// its own repeats on the out id).
func TestResendSkipsAcceptedDeliveries(t *testing.T) {
	sms, wx := &recorder{name: SMS}, &recorder{name: WeChat}
	ids := map[Kind]string{KindLowBalance: "T_LOW"}
	r, err := NewRouter(RouterConfig{Channels: []Channel{sms, wx},
		Contacts:  book{{Phone: "13900000001", OpenID: "oMum"}, {Phone: "13900000002"}},
		Templates: map[ChannelName]map[string]Template{SMS: KindTemplates(ids), WeChat: KindTemplates(ids)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	low := Message{ID: 1, Topic: string(KindLowBalance), Recipient: "acc_1",
		Payload: []byte(`{"params":{"name":"张*明","balance":"3.00","threshold":"10.00"}}`)}
	sms.err = Transient("http_503", nil)
	if err := r.Send(ctx, low); err == nil || IsPermanent(err) {
		t.Fatalf("first send: %v, want transient", err)
	}
	sms.err = nil
	if err := r.Send(ctx, low); err != nil {
		t.Fatal(err)
	}
	if len(wx.got) != 1 || len(sms.got) != 2 {
		t.Errorf("wechat %d, sms %d deliveries: want the mother's WeChat once and the father's SMS tried twice", len(wx.got), len(sms.got))
	}

}
