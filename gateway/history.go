package gateway

import (
	"context"

	"github.com/onecode/onecode/app/history"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// historyService is the history use cases over the shared stores.
func historyService(d Deps) *history.Service {
	return history.New(d.Journal, d.Directory, d.Logger)
}

// renderHistory answers one page of an account's itemised history, newest first, as
// protos. The caller has checked that it may reach the account.
//
// Deprecated: for removal: a thin wrapper kept so that parentsvc.go compiles; call
// history.Service.Lines and HistoryLinesProto.
func renderHistory(ctx context.Context, d Deps, accountID string, size int32, token string) ([]*apiv1.HistoryLine, string, error) {
	p, err := historyService(d).Lines(ctx, accountID, size, token)
	if err != nil {
		return nil, "", err
	}
	return HistoryLinesProto(p.Lines), p.Next, nil
}

// HistoryLinesProto is the wire form of history lines.
func HistoryLinesProto(lines []history.Line) []*apiv1.HistoryLine {
	out := make([]*apiv1.HistoryLine, len(lines))
	for i, l := range lines {
		var items []*apiv1.HistoryItem
		if l.Kind == history.KindPurchase {
			items = make([]*apiv1.HistoryItem, len(l.Items))
		}
		for j, it := range l.Items {
			items[j] = &apiv1.HistoryItem{Name: it.Name, Qty: it.Qty, UnitPriceFen: it.UnitPriceFen}
		}
		out[i] = &apiv1.HistoryLine{Seq: l.Seq, AtUnix: l.At.Unix(), AmountFen: l.AmountFen, Kind: l.Kind,
			Items: items, Place: l.Place, Arrears: l.Arrears}
	}
	return out
}
