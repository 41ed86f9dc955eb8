package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/onecode/onecode/gateway/push/sms"
	"github.com/onecode/onecode/gateway/push/wechat"
)

// maxBody bounds an API request body.
const maxBody = 64 << 10

// Handler serves the SMS and WeChat APIs and the sandbox's own pages.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+sms.SendPath, s.smsSend)
	mux.HandleFunc("GET "+wechat.TokenPath, s.wechatToken)
	mux.HandleFunc("POST "+wechat.SendPath, s.wechatSend)
	s.oauthRoutes(mux)
	mux.HandleFunc("GET /sandbox/messages", s.listMessages)
	mux.HandleFunc("GET /sandbox/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Stats()) })
	mux.HandleFunc("GET /sandbox/faults", s.getFaults)
	mux.HandleFunc("POST /sandbox/faults", s.putFaults)
	mux.HandleFunc("POST /sandbox/expire-tokens", func(w http.ResponseWriter, _ *http.Request) {
		s.ExpireTokens()
		writeJSON(w, http.StatusOK, map[string]string{"status": "expired"})
	})
	mux.HandleFunc("POST /sandbox/revoke-tokens", func(w http.ResponseWriter, _ *http.Request) {
		s.RevokeTokens()
		writeJSON(w, http.StatusOK, map[string]string{"status": "revoked"})
	})
	mux.HandleFunc("GET /sandbox/{$}", s.page)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/sandbox/", http.StatusFound) })
	return mux
}

func (s *Sandbox) smsSend(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, sms.SendResponse{Code: "BodyTooLarge"})
		return
	}
	s.mu.Lock()
	s.stats.SMSRequests++
	s.mu.Unlock()
	if s.fault(w, r) {
		return
	}
	if err := s.cfg.SMS.Verify(r, body, s.now()); err != nil {
		writeJSON(w, http.StatusUnauthorized, sms.SendResponse{Code: sms.CodeSignature, Message: err.Error()})
		return
	}
	var req sms.SendRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, sms.SendResponse{Code: "BadRequest"})
		return
	}
	if len(req.Phone) != 11 || req.Phone[0] != '1' || !digits(req.Phone) {
		writeJSON(w, http.StatusBadRequest, sms.SendResponse{Code: sms.CodeInvalidPhone, Message: "not a mainland mobile number"})
		return
	}
	if req.TemplateID == "" || req.SignName == "" {
		writeJSON(w, http.StatusBadRequest, sms.SendResponse{Code: sms.CodeTemplateRejected, Message: "template id and sign name are required"})
		return
	}
	m, dup := s.recordOnce(Message{Channel: "sms", To: req.Phone, TemplateID: req.TemplateID, Params: req.TemplateParams,
		MessageID: "sb-" + randomHex(8), OutID: req.OutID})
	if dup {
		// The same out id again (a client that did not hear the first answer):
		// accepted, not sent twice, the first message id answered.
		writeJSON(w, http.StatusOK, sms.SendResponse{Code: sms.CodeOK, MessageID: m.MessageID})
		return
	}
	s.holdAnswer(r)
	s.mu.Lock()
	s.stats.SMSAccepted++
	drop := rand.Float64() < s.faults.DropReceipts
	s.mu.Unlock()
	s.queueReceipt(m, drop)
	writeJSON(w, http.StatusOK, sms.SendResponse{Code: sms.CodeOK, MessageID: m.MessageID})
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (s *Sandbox) wechatToken(w http.ResponseWriter, r *http.Request) {
	if s.fault(w, r) {
		return
	}
	q := r.URL.Query()
	if q.Get("grant_type") != "client_credential" || q.Get("appid") != s.cfg.WeChatAppID || q.Get("secret") != s.cfg.WeChatSecret {
		writeJSON(w, http.StatusOK, wechat.TokenResponse{ErrCode: wechat.ErrInvalidSecret, ErrMsg: "invalid appid or secret"})
		return
	}
	token := randomHex(16)
	s.mu.Lock()
	ttl := s.faults.TokenTTLSeconds
	if ttl == 0 {
		ttl = 7200
	}
	s.tokens[token] = s.now().Add(time.Duration(ttl) * time.Second)
	s.stats.TokenFetches++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, wechat.TokenResponse{AccessToken: token, ExpiresIn: ttl})
}

func (s *Sandbox) wechatSend(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil || s.fault(w, r) {
		return
	}
	s.mu.Lock()
	exp, known := s.tokens[r.URL.Query().Get("access_token")]
	errCode := s.faults.WeChatErrCode
	if known {
		s.stats.WeChatRequests++
	}
	s.mu.Unlock()
	answer := func(code int, msg string) {
		writeJSON(w, http.StatusOK, wechat.SendResponse{ErrCode: code, ErrMsg: msg})
	}
	switch {
	case !known:
		answer(wechat.ErrInvalidToken, "invalid credential")
		return
	case !s.now().Before(exp):
		answer(wechat.ErrTokenExpired, "access_token expired")
		return
	case errCode != 0:
		answer(errCode, "sandbox: injected errcode")
		return
	}
	var req wechat.SendRequest
	if err := json.Unmarshal(body, &req); err != nil || req.TemplateID == "" {
		answer(wechat.ErrInvalidTemplate, "invalid template_id")
		return
	}
	switch {
	case req.ToUser == "":
		answer(wechat.ErrInvalidOpenID, "invalid openid")
		return
	case len(req.ToUser) >= 5 && req.ToUser[:5] == "unsub":
		answer(wechat.ErrUnsubscribed, "require subscribe")
		return
	}
	params := make(map[string]string, len(req.Data))
	for k, v := range req.Data {
		params[k] = v.Value
	}
	m := s.record(Message{Channel: "wechat", To: req.ToUser, TemplateID: req.TemplateID, Params: params})
	s.mu.Lock()
	s.stats.WeChatAccepted++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, wechat.SendResponse{ErrCode: 0, ErrMsg: "ok", MsgID: m.Seq})
}

// receiptJob is one receipt to post.
type receiptJob struct {
	seq int64
	r   sms.Receipt
}

func (s *Sandbox) queueReceipt(m Message, drop bool) {
	if s.cfg.ReceiptURL == "" {
		return
	}
	if drop {
		s.setReceipt(m.Seq, "dropped")
		return
	}
	s.setReceipt(m.Seq, "queued")
	job := receiptJob{seq: m.Seq, r: sms.Receipt{MessageID: m.MessageID, OutID: m.OutID, Status: sms.StatusDelivered, ReportedAt: s.now().Unix()}}
	select {
	case s.receipts <- job:
	default:
		s.setReceipt(m.Seq, "dropped") // the queue is full: like a provider losing one
	}
}

// Receipt batching: like a provider's push of status reports, receipts go out
// in batches of up to receiptBatch, gathered for at most receiptLinger.
const (
	receiptBatch  = 100
	receiptLinger = 100 * time.Millisecond
)

// postReceipts posts queued receipts in batches, each batch up to 3 times,
// until Close.
func (s *Sandbox) postReceipts() {
	defer s.wg.Done()
	for {
		batch, ok := s.gatherReceipts()
		if !ok {
			return
		}
		state := "failed"
		for try := 0; try < 3; try++ {
			if s.postReceipt(batch) == nil {
				state = "posted"
				break
			}
			select {
			case <-s.done:
				return
			case <-time.After(time.Duration(100<<try) * time.Millisecond):
			}
		}
		s.setReceipts(batch, state)
	}
}

// gatherReceipts waits for a receipt, then gathers more for receiptLinger or
// until the batch is full; false once the sandbox is closed.
func (s *Sandbox) gatherReceipts() ([]receiptJob, bool) {
	var batch []receiptJob
	select {
	case <-s.done:
		return nil, false
	case job := <-s.receipts:
		batch = append(batch, job)
	}
	linger := time.NewTimer(receiptLinger)
	defer linger.Stop()
	for len(batch) < receiptBatch {
		select {
		case <-s.done:
			return nil, false
		case job := <-s.receipts:
			batch = append(batch, job)
		case <-linger.C:
			return batch, true
		}
	}
	return batch, true
}

func (s *Sandbox) postReceipt(batch []receiptJob) error {
	rs := make([]sms.Receipt, len(batch))
	for i, j := range batch {
		rs[i] = j.r
	}
	body, _ := json.Marshal(sms.ReceiptBatch{Receipts: rs})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.ReceiptURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	s.cfg.SMS.Sign(req, body, s.now(), randomHex(12))
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return &statusError{resp.StatusCode}
	}
	return nil
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "receipt answered HTTP " + strconv.Itoa(e.code) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
