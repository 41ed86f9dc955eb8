package ops

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/onecode/onecode/persistence/alarms"
)

// beatMemory is how long a silent terminal stays watched: one silent for longer
// (retired, taken away for the holidays) is forgotten and its alarm cleared.
const beatMemory = 7 * 24 * time.Hour

// written is what this member last wrote of a terminal's beat.
type written struct {
	lastSeen time.Time
	online   bool
}

// beat writes to the shared store the signs of life of this member's terminals
// that changed since the last write, so that every member sees every terminal.
func (w *Watcher) beat(ctx context.Context) error {
	terminals := w.c.Board.Terminals("")
	var beats []alarms.Beat
	w.mu.Lock()
	for _, t := range terminals {
		if t.LastSeen.IsZero() {
			continue
		}
		if prev, ok := w.written[t.TerminalID]; ok && prev.lastSeen.Equal(t.LastSeen) && prev.online == t.Online {
			continue
		}
		beats = append(beats, alarms.Beat{TerminalID: t.TerminalID, SchoolID: t.SchoolID, Member: clip(w.c.Member),
			Online: t.Online, LastSeen: t.LastSeen})
	}
	w.mu.Unlock()
	for len(beats) > 0 {
		n := min(len(beats), alarms.MaxBeats)
		if err := w.c.Alarms.store.Beat(ctx, beats[:n]); err != nil {
			return fmt.Errorf("ops: terminal beats: %w", err)
		}
		w.mu.Lock()
		for _, b := range beats[:n] {
			w.written[b.TerminalID] = written{lastSeen: b.LastSeen, online: b.Online}
		}
		w.mu.Unlock()
		beats = beats[n:]
	}
	return nil
}

// offline returns the terminals silent for OfflineAfter during service hours as
// every member sees them (the shared beats): a terminal served by another member
// is not offline here, and the alarm of one that is, keyed without a member, is
// one alarm for the cluster, cleared by whichever member sees it back.
func (w *Watcher) offline(ctx context.Context) ([]Alarm, error) {
	now := w.c.Now()
	if !w.c.Hours.contains(now) {
		return nil, nil
	}
	silent, err := w.c.Alarms.store.Silent(ctx, now.Add(-beatMemory), now.Add(-w.c.OfflineAfter), alarms.MaxListLimit)
	if err != nil {
		return nil, fmt.Errorf("ops: silent terminals: %w", err)
	}
	out := make([]Alarm, 0, len(silent))
	for _, t := range silent {
		state := "no request"
		if !t.Online {
			state = "disconnected"
		}
		out = append(out, Alarm{Key: Key(KindTerminalOffline, "", t.TerminalID), Kind: KindTerminalOffline, Level: Warning,
			SchoolID: t.SchoolID, Subject: t.TerminalID,
			Message: fmt.Sprintf("terminal %s: %s for %d s during service hours (last on %s)", t.TerminalID, state,
				int(now.Sub(t.LastSeen).Seconds()), t.Member)})
	}
	return out, nil
}

// mergeBeats adds to this member's terminals (local) the beats of schoolID ("":
// all) that are newer: a terminal another member saw last takes that member's
// view of its session (online, last seen) and keeps this member's figures.
func mergeBeats(local []TerminalFigures, beats []alarms.Beat, schoolID string) []TerminalFigures {
	at := make(map[string]int, len(local))
	for i, t := range local {
		at[t.TerminalID] = i
	}
	for _, b := range beats {
		if schoolID != "" && b.SchoolID != schoolID {
			continue
		}
		i, ok := at[b.TerminalID]
		if !ok {
			local = append(local, TerminalFigures{TerminalID: b.TerminalID, SchoolID: b.SchoolID, Member: b.Member,
				DeclinesToday: map[string]int64{}})
			i = len(local) - 1
			at[b.TerminalID] = i
		} else if !b.LastSeen.After(local[i].LastSeen) {
			continue
		}
		local[i].Online, local[i].LastSeen, local[i].Member = b.Online, b.LastSeen, b.Member
	}
	slices.SortFunc(local, func(x, y TerminalFigures) int { return strings.Compare(x.TerminalID, y.TerminalID) })
	return local
}
