package outbox

// Receipt is a provider's delivery receipt of one sent notice.
type Receipt struct {
	ID        int64
	Delivered bool
	Detail    string // the provider's status and code, ≤ MaxReasonLen bytes
}

// Delivery is the delivery state the receipt records.
func (r Receipt) Delivery() Delivery {
	if r.Delivered {
		return DeliveryDelivered
	}
	return DeliveryUndelivered
}

// MaxReceipts bounds one RecordDeliveries batch.
const MaxReceipts = MaxPage

// ReceiptsLeft are the receipts of a batch that RecordDeliveries did not
// record: of notices it does not know, and of notices not (yet) sent.
type ReceiptsLeft struct {
	Unknown []int64
	NotSent []int64
}

// ValidateReceipts checks a batch of receipts and answers it with one receipt
// per notice, the last of each (a provider reports in order: undelivered, then
// delivered after a retry), in the batch's order.
func ValidateReceipts(rs []Receipt) ([]Receipt, error) {
	if len(rs) == 0 || len(rs) > MaxReceipts {
		return nil, invalid("%d receipts, want 1..%d", len(rs), MaxReceipts)
	}
	last := make(map[int64]int, len(rs))
	for i, r := range rs {
		if r.ID <= 0 {
			return nil, invalid("notice id %d", r.ID)
		}
		if err := ValidateReason(r.Detail, true); err != nil {
			return nil, err
		}
		last[r.ID] = i
	}
	if len(last) == len(rs) {
		return rs, nil
	}
	out := make([]Receipt, 0, len(last))
	for i, r := range rs {
		if last[r.ID] == i {
			out = append(out, r)
		}
	}
	return out, nil
}
