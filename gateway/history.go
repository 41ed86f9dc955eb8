package gateway

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"github.com/onecode/onecode/app/input"

	"google.golang.org/grpc/codes"

	"github.com/onecode/onecode/actors/codec"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/persistence/directory"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// Pages of itemised history (ParentService.ListHistory, StaffService.ListPupilHistory).
const (
	DefaultHistoryPage = 20
	MaxHistoryPage     = 100
)

// History kinds (HistoryLine.kind).
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

// historyPage checks a page request: size 1..MaxHistoryPage (0 means
// DefaultHistoryPage) and a token that is empty or a sequence number > 1 given
// by an earlier page.
func historyPage(size int32, token string) (int, int64, error) {
	switch {
	case size == 0:
		size = DefaultHistoryPage
	case size < 0 || size > MaxHistoryPage:
		return 0, 0, Status(codes.InvalidArgument, "INVALID_PAGE_SIZE", "page_size "+strconv.Itoa(int(size))+", want 1.."+strconv.Itoa(MaxHistoryPage)+" (0 means "+strconv.Itoa(DefaultHistoryPage)+")")
	}
	if token == "" {
		return int(size), 0, nil
	}
	before, err := strconv.ParseInt(token, 10, 64)
	if err != nil || before < 2 || len(token) > 19 || !input.IsDigits(token) {
		return 0, 0, Status(codes.InvalidArgument, "INVALID_PAGE_TOKEN", "page_token is not one this API gave")
	}
	return int(size), before, nil
}

// historyRenderer turns journal events into history lines, naming canteens.
type historyRenderer struct {
	d        Deps
	canteens map[string]string // canteen id → name
}

// renderHistory answers one page of an account's itemised history, newest first.
// The caller has checked that it may reach the account.
func renderHistory(ctx context.Context, d Deps, accountID string, size int32, token string) ([]*apiv1.HistoryLine, string, error) {
	limit, before, err := historyPage(size, token)
	if err != nil {
		return nil, "", err
	}
	// One event more than the page tells whether another page follows.
	events, err := d.Journal.History(ctx, accountID, before, limit+1)
	if err != nil {
		return nil, "", ErrorStatus(err)
	}
	next := ""
	if len(events) > limit {
		// The account's first event (AccountOpened, seq 1) is not shown: a page
		// holding nothing else is not offered.
		if events[limit].Seq > 1 {
			next = strconv.FormatInt(events[limit-1].Seq, 10)
		}
		events = events[:limit]
	}
	h := historyRenderer{d: d, canteens: map[string]string{}}
	lines := make([]*apiv1.HistoryLine, 0, len(events))
	for _, ev := range events {
		e, err := codec.DecodeEvent(ev.Type, ev.Data)
		if err != nil {
			d.Logger.Error("history: undecodable event", slog.String("account", accountID), slog.Int64("seq", ev.Seq), slog.Any("error", err))
			return nil, "", Status(codes.Internal, "INTERNAL", "internal error")
		}
		line, err := h.line(ctx, e)
		if err != nil {
			return nil, "", err
		}
		if line == nil {
			continue
		}
		line.Seq, line.AtUnix, line.AmountFen = ev.Seq, ev.At.Unix(), ev.Amount
		lines = append(lines, line)
	}
	return lines, next, nil
}

// line renders one event (nil for events not shown).
func (h historyRenderer) line(ctx context.Context, e account.Event) (*apiv1.HistoryLine, error) {
	switch e := e.(type) {
	case account.Purchased:
		place, err := h.canteen(ctx, e.CanteenID)
		if err != nil {
			return nil, err
		}
		items := make([]*apiv1.HistoryItem, len(e.Items))
		for i, it := range e.Items {
			items[i] = &apiv1.HistoryItem{Name: it.Name, Qty: int32(it.Qty), UnitPriceFen: int64(it.UnitPrice)}
		}
		return &apiv1.HistoryLine{Kind: KindPurchase, Items: items, Place: place, Arrears: e.Arrears}, nil
	case account.PurchaseVoided:
		place, err := h.canteen(ctx, e.CanteenID)
		if err != nil {
			return nil, err
		}
		return &apiv1.HistoryLine{Kind: KindVoid, Place: place}, nil
	case account.RechargeCredited:
		return &apiv1.HistoryLine{Kind: KindRecharge}, nil
	case account.SubsidyGranted:
		return &apiv1.HistoryLine{Kind: KindSubsidy}, nil
	case account.FeePaid:
		return &apiv1.HistoryLine{Kind: KindFee}, nil
	case account.CardReportedLost:
		return &apiv1.HistoryLine{Kind: KindLossReport}, nil
	case account.CardReissued:
		return &apiv1.HistoryLine{Kind: KindReissue}, nil
	case account.DailyCapSet, account.SchoolLimitsSet:
		return &apiv1.HistoryLine{Kind: KindLimits}, nil
	}
	return nil, nil // AccountOpened
}

// canteen names a canteen once per page; a canteen gone from the directory shows
// its id.
func (h historyRenderer) canteen(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if name, ok := h.canteens[id]; ok {
		return name, nil
	}
	c, err := h.d.Directory.Canteen(ctx, id)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		h.canteens[id] = id
	case err != nil:
		return "", ErrorStatus(err)
	default:
		h.canteens[id] = c.Name
	}
	return h.canteens[id], nil
}
