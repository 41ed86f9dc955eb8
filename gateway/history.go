package gateway

import (
	"github.com/onecode/onecode/app/history"
	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

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
