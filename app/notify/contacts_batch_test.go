package notify

import (
	"context"
	"errors"
	"fmt"
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

// countedLinks is a WeChatLinkReader that also reads many links at once; it
// counts both kinds of reads (and the parents asked at once at most) and may
// fail the batch one.
type countedLinks struct {
	links
	one, many, widest *int
	err               error
}

func (c countedLinks) WeChatLinkOf(ctx context.Context, parentID string) (directory.WeChatLink, error) {
	*c.one++
	return c.links.WeChatLinkOf(ctx, parentID)
}

func (c countedLinks) WeChatLinksOf(_ context.Context, parentIDs []string) (map[string]directory.WeChatLink, error) {
	*c.many++
	*c.widest = max(*c.widest, len(parentIDs))
	if c.err != nil {
		return nil, c.err
	}
	out := map[string]directory.WeChatLink{}
	for _, id := range parentIDs {
		if openID, ok := c.links[id]; ok {
			out[id] = directory.WeChatLink{ParentID: id, OpenID: openID}
		}
	}
	return out, nil
}

// TestGuardianBookPrefetchLinks: the WeChat links of a batch's guardians are
// read at once (one read, no read per parent) and the contacts are those read
// one message at a time: a linked parent with their openid, one without a
// link without; a parent outside the batch reads their own link; a failed
// batch read leaves each parent to read their own link.
func TestGuardianBookPrefetchLinks(t *testing.T) {
	ctx := context.Background()
	dir := parents{
		guardians: map[string][]string{"acc_1": {"par_mum", "par_dad"}, "acc_2": {"par_dad"}, "acc_3": {"par_gran"}},
		byID: map[string]directory.Parent{
			"par_mum":  {ID: "par_mum", PhoneSealed: sealedUnder(sealKey, "13900000001")},
			"par_dad":  {ID: "par_dad", PhoneSealed: sealedUnder(sealKey, "13900000002")},
			"par_gran": {ID: "par_gran"},
			"par_solo": {ID: "par_solo"},
		},
	}
	var reads, batches, one, many, widest int
	linked := links{"par_mum": "oMum", "par_gran": "oGran", "par_solo": "oSolo"}
	book := GuardianBook{Directory: batchRead{oneRead: oneRead{parents: dir, reads: &reads}, batches: &batches}, SealKey: sealKey,
		WeChat: countedLinks{links: linked, one: &one, many: &many, widest: &widest}}
	batch := []Message{
		{Topic: string(KindLowBalance), Recipient: "acc_1"}, {Topic: string(KindRechargeReceipt), Recipient: "acc_2"},
		{Topic: string(directory.TopicArrears), Recipient: "acc_3"}, {Topic: string(KindFeePublished), Recipient: "acc_1"},
	}
	want := make([][]Contact, len(batch))
	for i, m := range batch {
		var err error
		if want[i], err = (GuardianBook{Directory: dir, SealKey: sealKey, WeChat: linked}).Contacts(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if len(want[0]) != 2 || want[0][0].OpenID != "oMum" || want[0][1].OpenID != "" || want[0][1].Phone != "13900000002" {
		t.Fatalf("contacts of acc_1 one at a time %+v: want the mother linked, the father by phone only", want[0])
	}
	bctx := book.Prefetch(ctx, batch)
	for i, m := range batch {
		got, err := book.Contacts(bctx, m)
		if err != nil || !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s to %s read ahead: %+v, %v; one at a time %+v", m.Topic, m.Recipient, got, err, want[i])
		}
	}
	if many != 1 || one != 0 || widest != 3 || batches != 1 {
		t.Errorf("links read %d times at once (%d parents at most) and %d one by one, guardians %d times; want 1 (3), 0, 1",
			many, widest, one, batches)
	}
	got, err := book.Contacts(bctx, Message{Topic: string(directory.TopicBinding), Recipient: "par_solo"})
	if err != nil || len(got) != 1 || got[0].OpenID != "oSolo" || one != 1 {
		t.Errorf("a parent outside the batch: %+v, %v after %d reads of one link; want oSolo after 1", got, err, one)
	}

	t.Run("batch read fails", func(t *testing.T) {
		one, many, widest = 0, 0, 0
		book.WeChat = countedLinks{links: linked, one: &one, many: &many, widest: &widest, err: errors.New("connection refused")}
		bctx := book.Prefetch(ctx, batch)
		got, err := book.Contacts(bctx, batch[0])
		if err != nil || !reflect.DeepEqual(got, want[0]) || many != 1 || one != 2 {
			t.Errorf("after a failed batch read: %+v, %v after %d batch and %d single reads; want %+v after 1 and 2",
				got, err, many, one, want[0])
		}
	})
}

// TestGuardianBookPrefetchLinksChunked: the links of 600 guardians are read in
// two reads of at most directory.MaxLinkBatch parents, none one by one.
func TestGuardianBookPrefetchLinksChunked(t *testing.T) {
	crowd := parents{guardians: map[string][]string{}, byID: map[string]directory.Parent{}}
	var big []Message
	for a := range 60 { // 60 accounts of 10 guardians each
		acc := fmt.Sprintf("acc_%d", a)
		for g := range directory.MaxGuardians {
			id := fmt.Sprintf("par_%d_%d", a, g)
			crowd.guardians[acc] = append(crowd.guardians[acc], id)
			crowd.byID[id] = directory.Parent{ID: id}
		}
		big = append(big, Message{Topic: string(KindLowBalance), Recipient: acc})
	}
	var reads, batches, one, many, widest int
	book := GuardianBook{Directory: batchRead{oneRead: oneRead{parents: crowd, reads: &reads}, batches: &batches}, SealKey: sealKey,
		WeChat: countedLinks{links: links{"par_59_9": "oLast"}, one: &one, many: &many, widest: &widest}}
	bctx := book.Prefetch(context.Background(), big)
	got, err := book.Contacts(bctx, big[59])
	if err != nil || len(got) != 1 || got[0].OpenID != "oLast" {
		t.Errorf("contacts of acc_59 read ahead: %+v, %v; want oLast alone", got, err)
	}
	if many != 2 || widest != directory.MaxLinkBatch || one != 0 {
		t.Errorf("600 parents' links: %d reads at once of at most %d, %d one by one; want 2 of at most %d, 0",
			many, widest, one, directory.MaxLinkBatch)
	}
}
