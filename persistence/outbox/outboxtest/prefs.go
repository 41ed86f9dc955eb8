package outboxtest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/outbox"
)

// PrefOpener returns a new, empty preference store whose clock is now.
type PrefOpener func(t *testing.T, now func() time.Time) outbox.PreferenceStore

// RunPreferences checks a PreferenceStore: defaults without a record, a put
// normalised and replaced, bad input rejected and changing nothing.
func RunPreferences(t *testing.T, open PrefOpener) {
	c := &Clock{t: time.Date(2026, 9, 1, 11, 30, 0, 123456789, time.UTC)}
	s := open(t, c.Now)
	p, err := s.Preferences(ctx, "P1")
	if err != nil || p.Stored || len(p.Channels) != 0 || len(p.Muted) != 0 {
		t.Fatalf("defaults: %+v, %v", p, err)
	}
	must(t, s.PutPreferences(ctx, outbox.Preferences{ParentID: "P1", Channels: []string{"wechat", "sms", "sms"}, Muted: []string{"low_balance"}}))
	p, err = s.Preferences(ctx, "P1")
	must(t, err)
	if !p.Stored || !reflect.DeepEqual(p.Channels, []string{"sms", "wechat"}) || !reflect.DeepEqual(p.Muted, []string{"low_balance"}) ||
		!p.UpdatedAt.Equal(outbox.Micro(c.Now())) {
		t.Fatalf("stored: %+v", p)
	}
	c.Add(time.Minute)
	must(t, s.PutPreferences(ctx, outbox.Preferences{ParentID: "P1", Channels: []string{"sms"}}))
	p, err = s.Preferences(ctx, "P1")
	must(t, err)
	if !reflect.DeepEqual(p.Channels, []string{"sms"}) || len(p.Muted) != 0 || !p.UpdatedAt.Equal(outbox.Micro(c.Now())) {
		t.Fatalf("replaced: %+v", p)
	}
	for _, bad := range []outbox.Preferences{
		{ParentID: ""}, {ParentID: "P1", Channels: []string{"SMS"}}, {ParentID: "P1", Muted: []string{"a,b"}},
		{ParentID: "P1", Muted: make([]string, outbox.MaxPrefItems+1)},
	} {
		if err := s.PutPreferences(ctx, bad); !errors.Is(err, outbox.ErrInvalid) {
			t.Fatalf("put %+v: %v, want ErrInvalid", bad, err)
		}
	}
	if p2, _ := s.Preferences(ctx, "P1"); !reflect.DeepEqual(p2, p) {
		t.Fatalf("a rejected put changed %+v to %+v", p, p2)
	}
	if p, err := s.Preferences(ctx, "P2"); err != nil || p.Stored {
		t.Fatalf("another parent: %+v, %v", p, err)
	}
	checkPreferencesOf(t, s, p)
}

// checkPreferencesOf checks the batch read against Preferences: P1's record
// (p) as Preferences answers it, no key for a parent without one, an id given
// twice answered once, an empty batch empty and more than MaxPage ids rejected.
func checkPreferencesOf(t *testing.T, s outbox.PreferenceStore, p outbox.Preferences) {
	t.Helper()
	must(t, s.PutPreferences(ctx, outbox.Preferences{ParentID: "P3", Muted: []string{"fee_reminder"}}))
	p3, err := s.Preferences(ctx, "P3")
	must(t, err)
	got, err := s.PreferencesOf(ctx, []string{"P2", "P1", "P3", "P1"})
	must(t, err)
	if len(got) != 2 || !reflect.DeepEqual(got["P1"], p) || !reflect.DeepEqual(got["P3"], p3) {
		t.Fatalf("preferences of P1, P2, P3: %+v, want P1 %+v and P3 %+v", got, p, p3)
	}
	if got, err := s.PreferencesOf(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("preferences of nobody: %+v, %v", got, err)
	}
	if _, err := s.PreferencesOf(ctx, make([]string, outbox.MaxPage+1)); !errors.Is(err, outbox.ErrInvalid) {
		t.Fatalf("preferences of %d parents: %v, want ErrInvalid", outbox.MaxPage+1, err)
	}
}
