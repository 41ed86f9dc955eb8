package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/onecode/onecode/gateway/aggregator"
)

// delivery is one copy of a notification on its retry ladder.
type delivery struct {
	id      string
	url     string
	body    []byte
	ladder  []Duration
	attempt int
}

// notify builds the encrypted notification once and schedules its copies.
func (s *Server) notify(eventType, summary, originalType string, resource any, notifyURL string) {
	f := s.Faults()
	if s.roll(f.DropNotify) {
		s.stats.dropped.Add(1)
		s.log.Info("sandbox notification dropped (fault)", "event_type", eventType)
		return
	}
	plain, err := json.Marshal(resource)
	if err != nil {
		panic(err) // our own types always marshal
	}
	res, err := aggregator.SealResource(s.cfg.Keys.APIv3Key, originalType, originalType, plain, s.cfg.Random)
	if err != nil {
		s.log.Error("sandbox notification not sealed", "err", err)
		return
	}
	id := s.randomHex(16)
	body, err := json.Marshal(aggregator.NotificationBody{ID: id, CreateTime: aggregator.FormatTime(s.cfg.Now()),
		ResourceType: aggregator.ResourceTypeEncrypted, EventType: eventType, Summary: summary, Resource: res})
	if err != nil {
		panic(err)
	}
	for range f.DupNotify {
		if s.pending.Add(1) > int64(s.cfg.MaxPending) {
			s.pending.Add(-1)
			s.stats.overflow.Add(1)
			continue
		}
		s.stats.scheduled.Add(1)
		d := &delivery{id: id, url: notifyURL, body: body, ladder: f.RetryLadder}
		if f.Reorder {
			s.hold(d)
		} else {
			s.after(time.Duration(d.ladder[0]), d)
		}
	}
}

// hold buffers d for the reorder window; the buffer is then sent newest first.
func (s *Server) hold(d *delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = append(s.held, d)
	if len(s.held) == 1 {
		time.AfterFunc(s.cfg.ReorderWindow, s.flushHeld)
	}
}

func (s *Server) flushHeld() {
	s.mu.Lock()
	batch := s.held
	s.held = nil
	s.mu.Unlock()
	slices.Reverse(batch)
	for _, d := range batch { // in this order, one after the other
		s.attempt(d)
	}
}

// after queues d once delay has passed.
func (s *Server) after(delay time.Duration, d *delivery) {
	if delay <= 0 {
		s.enqueue(d)
		return
	}
	time.AfterFunc(delay, func() { s.enqueue(d) })
}

// enqueue never blocks for long: the queue holds MaxPending and pending ≤ MaxPending.
func (s *Server) enqueue(d *delivery) {
	select {
	case s.queue <- d:
	case <-s.ctx.Done():
		s.pending.Add(-1)
	}
}

func (s *Server) worker() {
	defer s.workers.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case d := <-s.queue:
			s.attempt(d)
		}
	}
}

// attempt posts d once; on failure it climbs the ladder until it runs out.
func (s *Server) attempt(d *delivery) {
	if s.ctx.Err() != nil {
		s.pending.Add(-1)
		return
	}
	err := s.post(d)
	if err == nil {
		s.stats.delivered.Add(1)
		s.pending.Add(-1)
		return
	}
	d.attempt++
	if d.attempt >= len(d.ladder) {
		s.stats.gaveUp.Add(1)
		s.pending.Add(-1)
		s.log.Warn("sandbox notification given up", "id", d.id, "attempts", d.attempt, "err", err)
		return
	}
	s.log.Info("sandbox notification retry", "id", d.id, "attempt", d.attempt, "err", err)
	s.after(time.Duration(d.ladder[d.attempt]), d)
}

type statusError int

func (e statusError) Error() string { return "merchant answered HTTP " + http.StatusText(int(e)) }

// post signs (fresh timestamp and nonce) and sends one attempt; 2xx is success.
func (s *Server) post(d *delivery) error {
	s.stats.attempts.Add(1)
	h, err := s.signHeaders(d.body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.NotifyTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusError(resp.StatusCode)
	}
	return nil
}
