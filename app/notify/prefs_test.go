package notify

import (
	"context"
	"testing"

	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// TestPrefsAlwaysOnAndHonoured: over the real SQLite outbox store, turning off a
// login code or arrears notice is NOTICE_ALWAYS_ON and changes nothing; a kind
// turned off no longer reaches that guardian, arrears still does, by SMS even
// with SMS turned off.
func TestPrefsAlwaysOnAndHonoured(t *testing.T) {
	ctx := context.Background()
	store, err := sqliteoutbox.Open(ctx, t.TempDir()+"/o.db", sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	prefs := Prefs{Store: store}
	v, err := prefs.Get(ctx, "par_mum")
	if err != nil || len(v.Kinds) != len(GuardianKinds) || !v.Channels[0].On || !v.Channels[1].On {
		t.Fatalf("defaults: %+v, %v", v, err)
	}
	for _, k := range []Kind{KindLoginCode, KindArrears} {
		if _, err := prefs.Update(ctx, "par_mum", nil, []Kind{KindLowBalance, k}); reason.Of(err) != reason.NoticeAlwaysOn {
			t.Fatalf("turning off %s: %v, want %s", k, err, reason.NoticeAlwaysOn)
		}
	}
	if _, err := prefs.Update(ctx, "par_mum", []ChannelName{"pigeon"}, nil); reason.Of(err) != reason.InvalidArgument {
		t.Fatalf("unknown channel: %v", err)
	}
	if p, _ := store.Preferences(ctx, "par_mum"); p.Stored {
		t.Fatalf("a rejected update stored %+v", p)
	}
	v, err = prefs.Update(ctx, "par_mum", []ChannelName{WeChat}, []Kind{KindLowBalance})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range v.Kinds {
		if want := k.Kind != KindLowBalance; k.On != want {
			t.Fatalf("kind %s on %v, want %v", k.Kind, k.On, want)
		}
	}

	dir := parents{
		guardians: map[string][]string{"acc_1": {"par_mum", "par_dad"}},
		byID: map[string]directory.Parent{
			"par_mum": {ID: "par_mum", PhoneSealed: sealedUnder(sealKey, "13900000001")},
			"par_dad": {ID: "par_dad", PhoneSealed: sealedUnder(sealKey, "13900000002")},
		},
	}
	book := GuardianBook{Directory: dir, SealKey: sealKey, Prefs: store}
	for _, tc := range []struct {
		topic string
		want  []string
	}{
		{string(KindLowBalance), []string{"13900000002"}},                        // muted by mum
		{string(KindRechargeReceipt), []string{"13900000002"}},                   // mum: SMS off, no openid
		{string(directory.TopicArrears), []string{"13900000001", "13900000002"}}, // always on
	} {
		cs, err := book.Contacts(ctx, Message{Topic: tc.topic, Recipient: "acc_1"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.Phone)
		}
		if len(got) != len(tc.want) || got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1] {
			t.Fatalf("%s reaches %v, want %v", tc.topic, got, tc.want)
		}
	}
}
