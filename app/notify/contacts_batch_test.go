package notify

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
	"github.com/onecode/onecode/persistence/outbox/sqliteoutbox"
)

// batchRead is a Parents that also reads the guardians of many accounts at
// once; it counts both kinds of reads and may fail the batch one.
type batchRead struct {
	oneRead
	batches *int
	err     error
}

func (b batchRead) GuardianParentsOf(ctx context.Context, accountIDs []string) (map[string][]directory.Parent, error) {
	*b.batches++
	if b.err != nil {
		return nil, b.err
	}
	out := map[string][]directory.Parent{}
	for _, a := range accountIDs {
		ps, _ := b.parents.GuardianParents(ctx, a)
		if len(ps) > 0 {
			out[a] = ps
		}
	}
	return out, nil
}

// GuardianParents of the embedded parents, without counting.
func (p parents) GuardianParents(ctx context.Context, accountID string) ([]directory.Parent, error) {
	return oneRead{parents: p, reads: new(int)}.GuardianParents(ctx, accountID)
}

// countedPrefs counts the reads of a preference store.
type countedPrefs struct {
	outbox.PreferenceStore
	one, many *int
}

func (c countedPrefs) Preferences(ctx context.Context, id string) (outbox.Preferences, error) {
	*c.one++
	return c.PreferenceStore.Preferences(ctx, id)
}

func (c countedPrefs) PreferencesOf(ctx context.Context, ids []string) (map[string]outbox.Preferences, error) {
	*c.many++
	return c.PreferenceStore.PreferencesOf(ctx, ids)
}

// TestGuardianBookPrefetch: the contacts of a batch read ahead (one directory
// read, one preferences read) are those read one message at a time, muted
// kinds, channels turned off and always-on kinds included; no message of the
// batch reads again, a message outside it does; a failed batch read leaves
// each message to read (and fail) as before; the staff's notices are not read
// ahead.
func TestGuardianBookPrefetch(t *testing.T) {
	ctx := context.Background()
	store, err := sqliteoutbox.Open(ctx, t.TempDir()+"/o.db", sqliteoutbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.PutPreferences(ctx, outbox.Preferences{ParentID: "par_mum", Channels: []string{"wechat"}, Muted: []string{"low_balance"}}); err != nil {
		t.Fatal(err)
	}
	base := parents{
		guardians: map[string][]string{"acc_1": {"par_mum", "par_dad"}, "acc_3": {"par_dad"}},
		byID: map[string]directory.Parent{
			"par_mum": {ID: "par_mum", PhoneSealed: sealedUnder(sealKey, "13900000001")},
			"par_dad": {ID: "par_dad", PhoneSealed: sealedUnder(sealKey, "13900000002")},
		},
	}
	var reads, batches, one, many int
	dir := batchRead{oneRead: oneRead{parents: base, reads: &reads}, batches: &batches}
	book := GuardianBook{Directory: dir, SealKey: sealKey, Prefs: countedPrefs{store, &one, &many},
		WeChat: links{"par_dad": "oDad"}}
	batch := []Message{
		{Topic: string(KindLowBalance), Recipient: "acc_1"}, {Topic: string(KindRechargeReceipt), Recipient: "acc_1"},
		{Topic: string(directory.TopicArrears), Recipient: "acc_1"}, {Topic: string(KindLowBalance), Recipient: "acc_2"},
		{Topic: string(KindLowBalance), Recipient: "acc_3"}, {Topic: string(directory.TopicBinding), Recipient: "par_mum"},
		{Topic: string(KindStaffRefundFailed), Recipient: "35001"},
	}
	want := make([][]Contact, len(batch))
	for i, m := range batch[:6] {
		if want[i], err = book.Contacts(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	reads, batches, one, many = 0, 0, 0, 0
	bctx := Books{Guardians: book, Staff: StaffBook{}}.Prefetch(ctx, batch)
	for i, m := range batch[:6] {
		got, err := book.Contacts(bctx, m)
		if err != nil || !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s to %s read ahead: %+v, %v; one at a time %+v", m.Topic, m.Recipient, got, err, want[i])
		}
	}
	if _, err := book.Contacts(bctx, Message{Topic: string(KindLowBalance), Recipient: "acc_4"}); err != nil {
		t.Fatal(err)
	}
	if batches != 1 || many != 1 || reads != 1 || one != 0 { // acc_4 was not in the batch
		t.Errorf("reads: %d batch and %d single of the directory, %d batch and %d single of the preferences; want 1, 1, 1, 0",
			batches, reads, many, one)
	}
	if len(want[0]) != 1 || want[0][0].OpenID != "oDad" || len(want[2]) != 2 || len(want[3]) != 0 {
		t.Errorf("contacts one at a time %+v: want the father alone (mum muted), both for arrears, none for acc_2", want)
	}

	reads, one = 0, 0
	down := book
	down.Directory = batchRead{oneRead: oneRead{parents: parents{err: errors.New("connection refused")}, reads: &reads},
		batches: &batches, err: errors.New("connection refused")}
	dctx := down.Prefetch(ctx, batch)
	if _, err := down.Contacts(dctx, batch[0]); err == nil || reads != 1 {
		t.Errorf("directory down: %v after %d reads, want an error after reading again", err, reads)
	}
}
