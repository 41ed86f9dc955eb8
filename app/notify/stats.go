package notify

import (
	"slices"
	"sync"
)

// Outcomes of a call to a channel, as counted by Stats.
const (
	OutcomeSent    = "sent"    // the provider accepted it
	OutcomeFailed  = "failed"  // the call ended in a failure (permanent, or transient after its retries)
	OutcomeRetried = "retried" // one more attempt after a transient failure
)

// Stats counts notices by channel and outcome (the /metrics counters). The
// zero value is ready; a nil *Stats counts nothing.
type Stats struct {
	mu sync.Mutex
	n  map[[2]string]int64
}

// Add counts one outcome of channel ch (for senders that are not Guarded, e.g.
// the mailbox).
func (s *Stats) Add(ch ChannelName, outcome string) { s.add(ch, outcome) }

func (s *Stats) add(ch ChannelName, outcome string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == nil {
		s.n = map[[2]string]int64{}
	}
	s.n[[2]string{string(ch), outcome}]++
}

// Count is one counter of Stats.
type Count struct {
	Channel, Outcome string
	N                int64
}

// Counts returns every counter, in channel then outcome order.
func (s *Stats) Counts() []Count {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	out := make([]Count, 0, len(s.n))
	for k, n := range s.n {
		out = append(out, Count{Channel: k[0], Outcome: k[1], N: n})
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Count) int {
		if a.Channel != b.Channel {
			if a.Channel < b.Channel {
				return -1
			}
			return 1
		}
		if a.Outcome < b.Outcome {
			return -1
		}
		if a.Outcome > b.Outcome {
			return 1
		}
		return 0
	})
	return out
}

// Get returns one counter.
func (s *Stats) Get(ch ChannelName, outcome string) int64 {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[[2]string{string(ch), outcome}]
}
