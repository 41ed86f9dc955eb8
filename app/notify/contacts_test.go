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
