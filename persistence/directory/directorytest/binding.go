package directorytest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onecode/onecode/persistence/directory"
)

func codeHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// unsent claims every unsent message (none of the suite's tests leave others).
func unsent(t *testing.T, s directory.Store) []directory.Message {
	t.Helper()
	msgs, err := s.ClaimBatch(ctx, directory.MaxPage)
	must(t, err)
	return msgs
}

func testBindCodes(t *testing.T, s directory.Store) {
	family(t, s, 3, 2)
	now := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
	g := func(p int) directory.Guardianship {
		return directory.Guardianship{ParentID: fmt.Sprint("par_", p), AccountID: acc(1), Relation: "mother"}
	}
	notice := &directory.Message{Topic: directory.TopicBinding, Payload: []byte(`{"event":"bound"}`)}
	withCode := func(code string, at time.Time) directory.BindOptions {
		return directory.BindOptions{CodeHash: codeHash(code), Now: at, Notice: notice}
	}
	must(t, s.Bind(ctx, g(0)))
	// No code issued yet.
	_, err := s.BindGuardian(ctx, g(1), withCode("A", now))
	wantErr(t, "bind without an issued code", err, directory.ErrNoBindCode)
	must(t, s.PutBindCode(ctx, directory.BindCode{AccountID: acc(1), Hash: codeHash("A"), ExpiresAt: now.Add(time.Hour)}))
	must(t, s.PutBindCode(ctx, directory.BindCode{AccountID: acc(1), Hash: codeHash("B"), ExpiresAt: now.Add(time.Hour)})) // replaces A
	for _, tc := range []struct {
		name string
		opts directory.BindOptions
	}{
		{"replaced code", withCode("A", now)},
		{"wrong code", withCode("C", now)},
		{"expired code", withCode("B", now.Add(time.Hour))},
	} {
		_, err := s.BindGuardian(ctx, g(1), tc.opts)
		wantErr(t, tc.name, err, directory.ErrNoBindCode)
	}
	if msgs := unsent(t, s); len(msgs) != 0 {
		t.Fatalf("refused binds queued %d notices", len(msgs))
	}
	created, err := s.BindGuardian(ctx, g(1), withCode("B", now))
	if err != nil || !created {
		t.Fatalf("bind with the code: %t %v", created, err)
	}
	msgs := unsent(t, s)
	if len(msgs) != 1 || msgs[0].Recipient != "par_0" || msgs[0].Topic != directory.TopicBinding || !bytes.Equal(msgs[0].Payload, notice.Payload) {
		t.Fatalf("notices after a new binding: %+v", msgs)
	}
	_, err = s.BindGuardian(ctx, g(2), withCode("B", now))
	wantErr(t, "the code again", err, directory.ErrNoBindCode)
	// Already bound: nothing changes, no code needed, no notice.
	created, err = s.BindGuardian(ctx, g(1), withCode("Z", now))
	if err != nil || created {
		t.Fatalf("binding again: %t %v", created, err)
	}
	// Unbinding tells the remaining guardians.
	must(t, s.Unbind(ctx, "par_0", acc(1), notice))
	wantErr(t, "unbind again", s.Unbind(ctx, "par_0", acc(1), notice), directory.ErrNotFound)
	if ok, err := s.IsGuardian(ctx, "par_0", acc(1)); err != nil || ok {
		t.Fatalf("still a guardian after unbinding: %t %v", ok, err)
	}
	if msgs := unsent(t, s); len(msgs) != 1 || msgs[0].Recipient != "par_1" {
		t.Fatalf("notices after unbinding: %+v", msgs)
	}
	wantErr(t, "code of an unknown pupil", s.PutBindCode(ctx, directory.BindCode{AccountID: acc(9), Hash: codeHash("A"), ExpiresAt: now}), directory.ErrNotFound)
	wantErr(t, "short hash", s.PutBindCode(ctx, directory.BindCode{AccountID: acc(1), Hash: []byte("x"), ExpiresAt: now}), directory.ErrInvalid)
	_, err = s.BindGuardian(ctx, g(2), directory.BindOptions{Notice: &directory.Message{Topic: "spam", Payload: []byte(`{}`)}})
	wantErr(t, "bad notice topic", err, directory.ErrInvalid)
}

func testBindCodeConcurrent(t *testing.T, s directory.Store) {
	family(t, s, 4, 1)
	now := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
	must(t, s.PutBindCode(ctx, directory.BindCode{AccountID: acc(1), Hash: codeHash("A"), ExpiresAt: now.Add(time.Hour)}))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.BindGuardian(ctx, directory.Guardianship{ParentID: fmt.Sprint("par_", i), AccountID: acc(1), Relation: "father"},
				directory.BindOptions{CodeHash: codeHash("A"), Now: now})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantErr(t, "concurrent use", err, directory.ErrNoBindCode)
		}
	}
	if gs, err := s.Guardians(ctx, acc(1)); ok != 1 || err != nil || len(gs) != 1 {
		t.Fatalf("%d binds with one code succeeded; guardians %v %v", ok, gs, err)
	}
}
