package directorytest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/directory"
)

// testWeChatLinks: a pending state is used once, a link is stored, read and
// dropped, and bad input changes nothing.
func testWeChatLinks(t *testing.T, st directory.Store) {
	s, ok := st.(directory.WeChatLinks)
	if !ok {
		t.Fatal("the store keeps no WeChat links")
	}
	_, err := st.PutParent(ctx, parent("par_w", "13800000011"))
	must(t, err)
	wantErr(t, "begin for an unknown parent", s.BeginWeChatLink(ctx, "par_none", "n1"), directory.ErrNotFound)
	wantErr(t, "bad nonce", s.BeginWeChatLink(ctx, "par_w", "n 1"), directory.ErrInvalid)
	_, err = s.WeChatLinkOf(ctx, "par_w")
	wantErr(t, "link before linking", err, directory.ErrNotFound)
	wantErr(t, "unlink before linking", s.UnlinkWeChat(ctx, "par_w"), directory.ErrNotFound)

	must(t, s.BeginWeChatLink(ctx, "par_w", "n1"))
	must(t, s.BeginWeChatLink(ctx, "par_w", "n2")) // replaces n1
	wantErr(t, "a replaced nonce", s.ConsumeWeChatState(ctx, "par_w", "n1"), directory.ErrNotFound)
	wantErr(t, "another parent's nonce", s.ConsumeWeChatState(ctx, "par_none", "n2"), directory.ErrNotFound)
	// Only one of concurrent consumers wins.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.ConsumeWeChatState(ctx, "par_w", "n2") == nil {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d consumers of one nonce won, want 1", wins.Load())
	}
	_, err = s.LinkWeChat(ctx, "par_w", "bad openid!")
	wantErr(t, "bad openid", err, directory.ErrInvalid)
	l, err := s.LinkWeChat(ctx, "par_w", "oABC_123-xyz")
	must(t, err)
	got, err := s.WeChatLinkOf(ctx, "par_w")
	must(t, err)
	if got != l || got.OpenID != "oABC_123-xyz" || time.Since(got.LinkedAt) > time.Minute {
		t.Errorf("link %+v, stored %+v", l, got)
	}
	// A new link starts while linked: the link stays until the new one finishes.
	must(t, s.BeginWeChatLink(ctx, "par_w", "n3"))
	if got, err := s.WeChatLinkOf(ctx, "par_w"); err != nil || got.OpenID != "oABC_123-xyz" {
		t.Errorf("link while another starts: %+v %v", got, err)
	}
	must(t, s.UnlinkWeChat(ctx, "par_w"))
	_, err = s.WeChatLinkOf(ctx, "par_w")
	if !errors.Is(err, directory.ErrNotFound) {
		t.Errorf("after unlink: %v", err)
	}
	wantErr(t, "unlink twice", s.UnlinkWeChat(ctx, "par_w"), directory.ErrNotFound)
}

// testWeChatLinksOf: the batch read answers the links WeChatLinkOf answers one
// parent at a time; a parent unlinked, only pending, without a row or unknown
// has no key; an id given twice is read once; a full batch is read, an empty,
// too long or bad one is rejected.
func testWeChatLinksOf(t *testing.T, st directory.Store) {
	s, ok := st.(directory.WeChatLinks)
	if !ok {
		t.Fatal("the store keeps no WeChat links")
	}
	for i, id := range []string{"par_a", "par_b", "par_gone", "par_pending", "par_none"} {
		_, err := st.PutParent(ctx, parent(id, fmt.Sprintf("138000000%02d", 20+i)))
		must(t, err)
	}
	_, err := s.LinkWeChat(ctx, "par_a", "oA_0001")
	must(t, err)
	_, err = s.LinkWeChat(ctx, "par_b", "oB_0002")
	must(t, err)
	_, err = s.LinkWeChat(ctx, "par_gone", "oGone_0003")
	must(t, err)
	must(t, s.UnlinkWeChat(ctx, "par_gone"))
	must(t, s.BeginWeChatLink(ctx, "par_pending", "n1"))

	ids := []string{"par_b", "par_gone", "par_pending", "par_none", "par_unknown", "par_a", "par_b"}
	got, err := s.WeChatLinksOf(ctx, ids)
	must(t, err)
	if len(got) != 2 {
		t.Errorf("links of %v: %+v, want par_a and par_b only", ids, got)
	}
	for _, id := range []string{"par_a", "par_b"} {
		want, err := s.WeChatLinkOf(ctx, id)
		must(t, err)
		if got[id] != want {
			t.Errorf("link of %s in a batch %+v, alone %+v", id, got[id], want)
		}
	}

	full := make([]string, directory.MaxLinkBatch)
	for i := range full {
		full[i] = fmt.Sprintf("par_x%d", i)
	}
	full[0], full[len(full)-1] = "par_a", "par_b"
	if got, err := s.WeChatLinksOf(ctx, full); err != nil || len(got) != 2 || got["par_b"].OpenID != "oB_0002" {
		t.Errorf("links of %d parents: %+v, %v; want par_a and par_b", len(full), got, err)
	}
	for what, bad := range map[string][]string{
		"no parent":         nil,
		"an empty id":       {"par_a", ""},
		"an id with spaces": {"par a"},
		"too many parents":  append(full, "par_y"),
	} {
		_, err := s.WeChatLinksOf(ctx, bad)
		wantErr(t, "links of "+what, err, directory.ErrInvalid)
	}
}
