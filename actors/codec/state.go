package codec

import (
	"fmt"

	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/domain/money"
	eventsv1 "github.com/onecode/onecode/protos/onecode/events/v1"
)

// randoms are the two-digit card randoms, "00".."99", in order.
var randoms = func() [100]string {
	var rs [100]string
	for i := range rs {
		rs[i] = string([]byte{'0' + byte(i/10), '0' + byte(i%10)})
	}
	return rs
}()

// EncodeState returns the snapshot bytes of s.
func EncodeState(s account.State) ([]byte, error) {
	m, err := stateMessage(s)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	return marshal(m)
}

// DecodeState reads a state from its snapshot bytes.
func DecodeState(data []byte) (account.State, error) {
	var m eventsv1.AccountSnapshot
	if err := unmarshal("state", data, &m); err != nil {
		return account.State{}, err
	}
	s, err := decodeState(&m)
	if err != nil {
		return account.State{}, fmt.Errorf("state: %w", err)
	}
	return s, nil
}

func stateMessage(s account.State) (*eventsv1.AccountSnapshot, error) {
	card, err := encodeCard(s.Card)
	if err != nil {
		return nil, err
	}
	used, err := encodeRandoms(s.UsedRandoms)
	if err != nil {
		return nil, err
	}
	var recent []*eventsv1.RecentPurchase
	for _, p := range s.Recent {
		at, err := encodeTime(p.At)
		if err != nil {
			return nil, fmt.Errorf("recent purchase %q: %w", truncate(p.Key), err)
		}
		recent = append(recent, &eventsv1.RecentPurchase{
			Key: p.Key, TerminalId: p.TerminalID, CanteenId: p.CanteenID, AmountFen: int64(p.Amount),
			At: at, CapDay: int32(p.CapDay), Voided: p.Voided,
		})
	}
	var bills []*eventsv1.Bill
	for _, b := range s.Bills {
		bills = append(bills, encodeBill(b))
	}
	return &eventsv1.AccountSnapshot{
		AccountId: s.AccountID, SchoolId: s.SchoolID, StudentNo: s.StudentNo, Seq: s.Seq,
		BalanceFen: int64(s.Balance), Card: card, UsedRandoms: used, Limits: encodeLimits(s.Limits),
		SpentDay: int32(s.SpentDay), SpentTodayFen: int64(s.SpentToday), Recent: recent, Bills: bills,
		LowBalanceNotified: s.LowBalanceNotified,
		OpenRefunds:        encodeOpenRefunds(s.OpenRefunds),
	}, nil
}

func decodeState(m *eventsv1.AccountSnapshot) (account.State, error) {
	card, err := decodeCard(m.GetCard())
	if err != nil {
		return account.State{}, err
	}
	used, err := decodeRandoms(m.GetUsedRandoms())
	if err != nil {
		return account.State{}, err
	}
	var recent []*account.RecentPurchase
	for _, p := range m.GetRecent() {
		at, err := decodeTime(p.GetAt())
		if err != nil {
			return account.State{}, fmt.Errorf("recent purchase %q: %w", truncate(p.GetKey()), err)
		}
		recent = append(recent, &account.RecentPurchase{
			Key: p.GetKey(), TerminalID: p.GetTerminalId(), CanteenID: p.GetCanteenId(),
			Amount: money.Amount(p.GetAmountFen()), At: at, CapDay: account.Date(p.GetCapDay()), Voided: p.GetVoided(),
		})
	}
	var bills []account.Bill
	for _, b := range m.GetBills() {
		bills = append(bills, decodeBill(b))
	}
	return account.State{
		AccountID: m.GetAccountId(), SchoolID: m.GetSchoolId(), StudentNo: m.GetStudentNo(), Seq: m.GetSeq(),
		Balance: money.Amount(m.GetBalanceFen()), Card: card, UsedRandoms: used, Limits: decodeLimits(m.GetLimits()),
		SpentDay: account.Date(m.GetSpentDay()), SpentToday: money.Amount(m.GetSpentTodayFen()), Recent: recent,
		Bills: bills, LowBalanceNotified: m.GetLowBalanceNotified(), OpenRefunds: decodeOpenRefunds(m.GetOpenRefunds()),
	}, nil
}

// cardStates maps every account.CardState to its stored form.
var cardStates = map[account.CardState]eventsv1.Card_State{
	0:                   eventsv1.Card_STATE_UNSPECIFIED,
	account.CardActive:  eventsv1.Card_STATE_ACTIVE,
	account.CardLost:    eventsv1.Card_STATE_LOST,
	account.CardExpired: eventsv1.Card_STATE_EXPIRED,
}

func encodeCard(c account.Card) (*eventsv1.Card, error) {
	st, ok := cardStates[c.State]
	if !ok {
		return nil, fmt.Errorf("%w: card state %d", ErrUnencodable, uint8(c.State))
	}
	return &eventsv1.Card{State: st, Generation: int64(c.Generation), Random: c.Random, Expiry: int32(c.Expiry)}, nil
}

func decodeCard(m *eventsv1.Card) (account.Card, error) {
	st, ok := account.CardState(0), false
	for domain, stored := range cardStates {
		if stored == m.GetState() {
			st, ok = domain, true
			break
		}
	}
	if !ok {
		return account.Card{}, fmt.Errorf("%w: card state %d", ErrMalformed, m.GetState())
	}
	gen, err := decodeInt("card generation", m.GetGeneration())
	if err != nil {
		return account.Card{}, err
	}
	return account.Card{State: st, Generation: gen, Random: m.GetRandom(), Expiry: account.Date(m.GetExpiry())}, nil
}

// encodeRandoms lists the randoms of s in ascending order. Bits beyond
// "99" cannot be set through RandomSet.With; if set, s is corrupt.
func encodeRandoms(s account.RandomSet) ([]string, error) {
	if s[1]>>(len(randoms)-64) != 0 {
		return nil, fmt.Errorf("%w: used randoms %x has bits beyond 99", ErrUnencodable, s)
	}
	var out []string
	for _, r := range randoms {
		if s.Has(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func decodeRandoms(rs []string) (account.RandomSet, error) {
	var s account.RandomSet
	for _, r := range rs {
		next := s.With(r)
		if !next.Has(r) {
			return account.RandomSet{}, fmt.Errorf("%w: used random %q is not two digits", ErrMalformed, truncate(r))
		}
		s = next
	}
	return s, nil
}
