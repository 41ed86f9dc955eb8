package sandbox

import (
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/onecode/onecode/gateway/push/sms"
)

// Faults are the sandbox's injected failures; change them at run time with
// POST /sandbox/faults.
type Faults struct {
	LatencyMS       int64   `json:"latency_ms"`        // delay before every API answer
	FailRate        float64 `json:"fail_rate"`         // fraction of API requests answered 500 (0..1)
	DropReceipts    float64 `json:"drop_receipts"`     // fraction of SMS receipts never posted (0..1)
	TokenTTLSeconds int64   `json:"token_ttl_seconds"` // lifetime of a WeChat access token (default 7200)
	// HoldAnswerMS delays the answer to an SMS the sandbox accepted (kept,
	// counted as sent): the window where a client crashes after the provider
	// took its message and before it heard so.
	HoldAnswerMS int64 `json:"hold_answer_ms"`
	// WeChatErrCode, when not 0, is the errcode every template message with a
	// good token is answered with (43004 unsubscribed, 40003 bad openid, -1 busy…).
	WeChatErrCode int `json:"wechat_errcode"`
}

func (f Faults) valid() bool {
	return f.LatencyMS >= 0 && f.LatencyMS <= 60_000 && f.FailRate >= 0 && f.FailRate <= 1 &&
		f.DropReceipts >= 0 && f.DropReceipts <= 1 && f.TokenTTLSeconds >= 0 && f.TokenTTLSeconds <= 86_400 &&
		f.HoldAnswerMS >= 0 && f.HoldAnswerMS <= 60_000 && f.WeChatErrCode >= -1 && f.WeChatErrCode <= 99_999
}

// Config configures a Sandbox.
type Config struct {
	SMS          sms.Credentials // the app key the SMS API accepts and signs receipts with
	WeChatAppID  string
	WeChatSecret string
	// ReceiptURL is where SMS delivery receipts are posted (the switch's
	// sms.ReceiptPath); empty: none.
	ReceiptURL  string
	Faults      Faults
	MaxMessages int // kept in memory, oldest forgotten first (default 1000)
	Logger      *slog.Logger
	Now         func() time.Time
}

// Message is one message the sandbox accepted.
type Message struct {
	Seq        int64             `json:"seq"`
	Channel    string            `json:"channel"` // sms | wechat
	At         time.Time         `json:"at"`
	To         string            `json:"to"` // phone or openid
	TemplateID string            `json:"template_id"`
	Params     map[string]string `json:"params"`
	MessageID  string            `json:"message_id"`
	OutID      string            `json:"out_id,omitempty"`
	Receipt    string            `json:"receipt,omitempty"` // SMS: queued, posted, dropped, failed
}

// Stats count the API requests by answer.
type Stats struct {
	SMSRequests    int `json:"sms_requests"`
	SMSAccepted    int `json:"sms_accepted"`
	Failed5xx      int `json:"failed_5xx"`
	TokenFetches   int `json:"token_fetches"`
	WeChatAccepted int `json:"wechat_accepted"`
	// WeChatRequests are template messages asked for with a known token,
	// accepted or answered with an error code.
	WeChatRequests int `json:"wechat_requests"`
	ReceiptsPosted int `json:"receipts_posted"`
	// SMSDuplicates are SMS requests whose out id was accepted before: answered
	// with the first message id, not sent again.
	SMSDuplicates int `json:"sms_duplicates"`
}

// Sandbox serves the APIs. Close stops its receipt poster.
type Sandbox struct {
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	receipts chan receiptJob
	done     chan struct{}
	wg       sync.WaitGroup
	client   *http.Client

	mu     sync.Mutex
	faults Faults
	msgs   []Message
	seq    int64
	tokens map[string]time.Time
	stats  Stats
	outIDs map[string]string // SMS out id → message id (every one accepted: a sandbox is short-lived)
	codes  map[string]oauthCode
}

// New validates cfg and starts the receipt poster.
func New(cfg Config) (*Sandbox, error) {
	if cfg.SMS.KeyID == "" || len(cfg.SMS.Secret) < 16 || cfg.WeChatAppID == "" || cfg.WeChatSecret == "" {
		return nil, errors.New("push sandbox: SMS credentials (secret ≥ 16 bytes) and a WeChat app id and secret are needed")
	}
	if !cfg.Faults.valid() {
		return nil, errors.New("push sandbox: faults out of range")
	}
	if cfg.MaxMessages <= 0 {
		cfg.MaxMessages = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Sandbox{cfg: cfg, log: cfg.Logger, now: cfg.Now, faults: cfg.Faults, tokens: map[string]time.Time{}, outIDs: map[string]string{}, codes: map[string]oauthCode{},
		receipts: make(chan receiptJob, 1024), done: make(chan struct{}), client: &http.Client{Timeout: 5 * time.Second}}
	s.wg.Add(1)
	go s.postReceipts()
	return s, nil
}

// Close stops the receipt poster (receipts still queued are not posted).
func (s *Sandbox) Close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.wg.Wait()
}

// Messages returns the messages kept, oldest first.
func (s *Sandbox) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	copy(out, s.msgs)
	return out
}

// Stats returns the counters.
func (s *Sandbox) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// SetFaults replaces the faults.
func (s *Sandbox) SetFaults(f Faults) error {
	if !f.valid() {
		return errors.New("push sandbox: faults out of range")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	return nil
}

// ExpireTokens makes every WeChat access token issued so far expired.
func (s *Sandbox) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = time.Time{}
	}
}

// RevokeTokens forgets every WeChat access token issued so far: the API answers
// 40001 (invalid credential) to them, as WeChat does after the secret was reset
// or another client fetched a token.
func (s *Sandbox) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// record keeps m (assigning its seq) and returns it.
func (s *Sandbox) record(m Message) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	m.Seq, m.At = s.seq, s.now().UTC()
	s.msgs = append(s.msgs, m)
	if len(s.msgs) > s.cfg.MaxMessages {
		s.msgs = append(s.msgs[:0:0], s.msgs[len(s.msgs)-s.cfg.MaxMessages:]...)
	}
	return m
}

// recordOnce records m unless its out id was accepted before: then it answers
// the first message (its id) and true.
func (s *Sandbox) recordOnce(m Message) (Message, bool) {
	if m.OutID != "" {
		s.mu.Lock()
		if id, ok := s.outIDs[m.OutID]; ok {
			s.stats.SMSDuplicates++
			s.mu.Unlock()
			return Message{MessageID: id, OutID: m.OutID}, true
		}
		s.outIDs[m.OutID] = m.MessageID
		s.mu.Unlock()
	}
	return s.record(m), false
}

// holdAnswer waits out the HoldAnswerMS fault (or the client going away).
func (s *Sandbox) holdAnswer(r *http.Request) {
	s.mu.Lock()
	hold := s.faults.HoldAnswerMS
	s.mu.Unlock()
	if hold <= 0 {
		return
	}
	t := time.NewTimer(time.Duration(hold) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

func (s *Sandbox) setReceipt(seq int64, state string) {
	s.setReceipts([]receiptJob{{seq: seq}}, state)
}

// setReceipts sets the receipt state of the batch's messages: one pass.
func (s *Sandbox) setReceipts(batch []receiptJob, state string) {
	seqs := make(map[int64]bool, len(batch))
	for _, j := range batch {
		seqs[j.seq] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.msgs {
		if seqs[s.msgs[i].Seq] {
			s.msgs[i].Receipt = state
		}
	}
	if state == "posted" {
		s.stats.ReceiptsPosted += len(batch)
	}
}

// fault applies latency and decides a 5xx; it answers true when it wrote one.
func (s *Sandbox) fault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	if f.LatencyMS > 0 {
		t := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.FailRate > 0 && rand.Float64() < f.FailRate {
		s.mu.Lock()
		s.stats.Failed5xx++
		s.mu.Unlock()
		http.Error(w, "sandbox: injected failure", http.StatusInternalServerError)
		return true
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = cryptoRead(b)
	return hex.EncodeToString(b)
}

var cryptoRead = crand.Read
