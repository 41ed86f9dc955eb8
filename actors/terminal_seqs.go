package actors

import "sync"

// TerminalSeqs remembers, per terminal, the highest pay/void seq this member committed
// (best effort: memory of this process only). The zero value is not usable; a nil
// *TerminalSeqs records nothing and knows nothing.
type TerminalSeqs struct {
	mu   sync.Mutex
	last map[string]uint64
}

// NewTerminalSeqs returns an empty record. It holds one entry per authenticated
// terminal, so the directory bounds it.
func NewTerminalSeqs() *TerminalSeqs { return &TerminalSeqs{last: make(map[string]uint64)} }

// Note records a committed seq.
func (t *TerminalSeqs) Note(terminalID string, seq uint64) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if seq > t.last[terminalID] {
		t.last[terminalID] = seq
	}
}

// Last returns the highest committed seq recorded for the terminal, 0 if none.
func (t *TerminalSeqs) Last(terminalID string) uint64 {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last[terminalID]
}
