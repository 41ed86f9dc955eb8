package history

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/app/input"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/journal"
)

// Pages of itemised history.
const (
	DefaultPage = 20
	MaxPage     = 100
)

// Kinds of history line (Line.Kind; the wire's HistoryLine.kind).
const (
	KindPurchase   = "purchase"
	KindVoid       = "void"
	KindRecharge   = "recharge"
	KindSubsidy    = "subsidy"
	KindFee        = "fee"
	KindLossReport = "loss_report"
	KindReissue    = "reissue"
	KindLimits     = "limits"
)

// Line is one line of an account's history.
type Line struct {
	Seq       int64
	At        time.Time
	AmountFen int64 // signed change of the balance
	Kind      string
	Items     []Item // purchases
	Place     string // canteen name of purchases and voids
	Arrears   bool   // a purchase approved as arrears
}

// Item is a dish of a purchase.
type Item struct {
	Name         string
	Qty          int32
	UnitPriceFen int64
}

// Page is a page of lines, newest first; Next is the token of the next page ("" at
// the end).
type Page struct {
	Lines []Line
	Next  string
}

// Journal is what history reads of the journal (journal.Store).
type Journal interface {
	History(ctx context.Context, account string, beforeSeq int64, limit int) ([]journal.Event, error)
	CanteenDaily(ctx context.Context, merchant string, from, to time.Time) ([]journal.DayTotal, error)
}

// Canteens names canteens (directory.Store).
type Canteens interface {
	Canteen(ctx context.Context, id string) (directory.Canteen, error)
}

// Service answers history. It is safe for concurrent use.
type Service struct {
	journal  Journal
	canteens Canteens
	log      *slog.Logger
}

// New returns the Service; logger defaults to discarding.
func New(j Journal, c Canteens, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{journal: j, canteens: c, log: logger}
}

// page checks a page request: size 1..MaxPage (0 means DefaultPage) and a token that
// is empty or a sequence number > 1 given by an earlier page.
func page(size int32, token string) (int, int64, error) {
	switch {
	case size == 0:
		size = DefaultPage
	case size < 0 || size > MaxPage:
		return 0, 0, reason.Invalid(reason.InvalidPageSize, "page_size %d, want 1..%d (0 means %d)", size, MaxPage, DefaultPage)
	}
	if token == "" {
		return int(size), 0, nil
	}
	before, err := strconv.ParseInt(token, 10, 64)
	if err != nil || before < 2 || len(token) > 19 || !input.IsDigits(token) {
		return 0, 0, reason.New(reason.KindInvalid, reason.InvalidPageToken, "page_token is not one this API gave")
	}
	return int(size), before, nil
}

// Lines answers one page of an account's itemised history, newest first. The caller
// has checked that it may reach the account.
func (s *Service) Lines(ctx context.Context, accountID string, size int32, token string) (Page, error) {
	limit, before, err := page(size, token)
	if err != nil {
		return Page{}, err
	}
	// One event more than the page tells whether another page follows.
	events, err := s.journal.History(ctx, accountID, before, limit+1)
	if err != nil {
		return Page{}, err
	}
	var p Page
	if len(events) > limit {
		// The account's first event (AccountOpened, seq 1) is not shown: a page
		// holding nothing else is not offered.
		if events[limit].Seq > 1 {
			p.Next = strconv.FormatInt(events[limit-1].Seq, 10)
		}
		events = events[:limit]
	}
	r := renderer{s: s, names: map[string]string{}}
	p.Lines = make([]Line, 0, len(events))
	for _, ev := range events {
		e, err := codec.DecodeEvent(ev.Type, ev.Data)
		if err != nil {
			s.log.Error("history: undecodable event", slog.Int64("seq", ev.Seq), slog.String("type", ev.Type), slog.Any("error", err))
			return Page{}, reason.Wrap(reason.KindInternal, reason.Internal, "internal error", err)
		}
		line, shown, err := r.line(ctx, e)
		if err != nil {
			return Page{}, err
		}
		if !shown {
			continue
		}
		line.Seq, line.At, line.AmountFen = ev.Seq, ev.At, ev.Amount
		p.Lines = append(p.Lines, line)
	}
	return p, nil
}

// renderer turns journal events into lines, naming each canteen once per page.
type renderer struct {
	s     *Service
	names map[string]string // canteen id → name
}

// line renders one event (shown false for events not shown).
func (r renderer) line(ctx context.Context, e account.Event) (Line, bool, error) {
	switch e := e.(type) {
	case account.Purchased:
		place, err := r.canteen(ctx, e.CanteenID)
		if err != nil {
			return Line{}, false, err
		}
		items := make([]Item, len(e.Items))
		for i, it := range e.Items {
			items[i] = Item{Name: it.Name, Qty: int32(it.Qty), UnitPriceFen: int64(it.UnitPrice)}
		}
		return Line{Kind: KindPurchase, Items: items, Place: place, Arrears: e.Arrears}, true, nil
	case account.PurchaseVoided:
		place, err := r.canteen(ctx, e.CanteenID)
		return Line{Kind: KindVoid, Place: place}, err == nil, err
	case account.RechargeCredited, account.BillPaymentCredited: // an online payment into the wallet
		return Line{Kind: KindRecharge}, true, nil
	case account.SubsidyGranted:
		return Line{Kind: KindSubsidy}, true, nil
	case account.FeePaid, account.BillPaidFromBalance:
		return Line{Kind: KindFee}, true, nil
	case account.CardReportedLost:
		return Line{Kind: KindLossReport}, true, nil
	case account.CardReissued:
		return Line{Kind: KindReissue}, true, nil
	case account.DailyCapSet, account.SchoolLimitsSet:
		return Line{Kind: KindLimits}, true, nil
	}
	return Line{}, false, nil // AccountOpened
}

// canteen names a canteen; a canteen gone from the directory shows its id.
func (r renderer) canteen(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if name, ok := r.names[id]; ok {
		return name, nil
	}
	c, err := r.s.canteens.Canteen(ctx, id)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		r.names[id] = id
	case err != nil:
		return "", err
	default:
		r.names[id] = c.Name
	}
	return r.names[id], nil
}
