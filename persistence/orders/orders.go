package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/onecode/onecode/domain/order"
)

// Bounds enforced by every Store.
const (
	MinOrderIDLen   = 6  // the aggregator's out_trade_no is 6–32 characters
	MaxOrderIDLen   = 32 //
	MaxRequestIDLen = 64
	MaxPartyIDLen   = 128 // bytes in a parent or account id (as in the journal)
	MaxPayURLLen    = 2048
	MaxTxIDLen      = 64
	MaxBatch        = 1000 // orders in one ListToResolve
	MaxItemIDLen    = 128  // bytes in a fee item id (the bill reference)
	MaxMerchantLen  = 64   // bytes in a merchant key
	MaxClientIPLen  = 45   // bytes in a client IP (IPv6 with an IPv4 tail)
	MaxOpenIDLen    = 128  // bytes in an openid
	MaxPayParamsLen = 4096 // bytes in an order's pay parameters
)

// Purpose is what an online-payment order pays for.
type Purpose string

// Purposes. Orders written before purposes existed are recharges.
const (
	// PurposeRecharge credits the account's wallet.
	PurposeRecharge Purpose = "recharge"
	// PurposeFee pays the account's bill of one fee item (Order.ItemID); never the wallet.
	PurposeFee Purpose = "fee"
)

// Channel is how the payer pays (app/recharge's Channel, stored).
type Channel string

// Channels.
const (
	ChannelH5     Channel = "h5"
	ChannelJSAPI  Channel = "jsapi"
	ChannelNative Channel = "native"
)

// Valid reports whether c is one of the channels.
func (c Channel) Valid() bool { return c == ChannelH5 || c == ChannelJSAPI || c == ChannelNative }

// Valid reports whether p is one of the purposes.
func (p Purpose) Valid() bool { return p == PurposeRecharge || p == PurposeFee }

// Errors. Check them with errors.Is.
var (
	// ErrNotFound: no such order.
	ErrNotFound = errors.New("orders: not found")
	// ErrConflict: the order is not in one of the expected states (someone moved it
	// first), or an order id is already taken. Nothing was written.
	ErrConflict = errors.New("orders: conflict")
	// ErrInvalid: the request is malformed or the transition not allowed. Nothing was
	// written.
	ErrInvalid = errors.New("orders: invalid request")
)

// State is where an order is in its life; the state machine is domain/order's.
type State = order.State

// States (see domain/order).
const (
	StatePending         = order.StatePending
	StateAwaitingPayment = order.StateAwaitingPayment
	StateCredited        = order.StateCredited
	StateClosed          = order.StateClosed
	StateFailed          = order.StateFailed
)

// CanMove reports whether an order in state from may be moved to state to
// (order.CanMove).
func CanMove(from, to State) bool { return order.CanMove(from, to) }

// Order is an online-payment order: a recharge or a fee bill's payment. Times are
// kept to the microsecond.
type Order struct {
	OrderID   string // ours; also the aggregator's out_trade_no
	RequestID string // the client's idempotency key, unique per parent
	ParentID  string
	AccountID string
	Purpose   Purpose // "" in Create means PurposeRecharge
	// ItemID is the bill reference of a fee order: the fee item whose bill of
	// AccountID it pays (empty for a recharge).
	ItemID string
	// SchoolID is the account's school when the order was placed.
	SchoolID string
	// MerchantKey is the provider merchant the order was placed with
	// (recharge.Providers.MerchantKey): it is queried, closed and refunded there.
	MerchantKey string
	// Channel, ClientIP and OpenID are the payer as the provider was told at the
	// first placement (Channel "" in Create means ChannelH5): asked again, the
	// provider gets the same order.
	Channel   Channel
	ClientIP  string // the payer's IP (H5), at most MaxClientIPLen bytes
	OpenID    string // the payer's openid (JSAPI), at most MaxOpenIDLen bytes
	AmountFen int64  // > 0
	State     State
	PayURL    string // set from awaiting payment on
	// PayParams are the other pay parameters the provider answered (app/recharge's
	// JSON: a Native code_url, a JSAPI order's signed parameters), set with PayURL.
	PayParams     string
	TransactionID string // the aggregator's, set when credited
	CreatedAt     time.Time
	ExpiresAt     time.Time // the order's expire_at at the aggregator
	UpdatedAt     time.Time // set by the store on every write
}

// Fields are set by a Transition; empty fields keep their value.
type Fields struct {
	PayURL        string
	PayParams     string
	TransactionID string
}

// Store keeps recharge orders. Implementations are safe for concurrent use, also
// from several processes on one database.
type Store interface {
	// Create writes a new pending order, unless the parent already has an order with
	// that request id: then it returns that order and created = false, without
	// calling check. check (optional) runs inside the write, serialised with every
	// other Create on the account, with the open amount of the order's purpose: for a
	// recharge the account's PendingSum, for a fee order the sum of the open orders of
	// the same bill (account and item). An error from check is returned as is and
	// nothing is written.
	Create(ctx context.Context, o Order, check func(pendingFen int64) error) (got Order, created bool, err error)
	// Get returns the order (ErrNotFound).
	Get(ctx context.Context, orderID string) (Order, error)
	// ByRequest returns the parent's order of that request id (ErrNotFound).
	ByRequest(ctx context.Context, parentID, requestID string) (Order, error)
	// Transition moves the order to state to if its state is one of from (each must
	// be able to move to to, see CanMove), sets the non-empty fields and UpdatedAt,
	// and returns the order as written. ErrConflict (wrapping the current state) if
	// the state is not one of from; ErrNotFound if there is no such order.
	Transition(ctx context.Context, orderID string, from []State, to State, f Fields) (Order, error)
	// PendingSum is the sum of the amounts of the account's open recharge orders
	// (fee orders never count towards the balance cap).
	PendingSum(ctx context.Context, accountID string) (int64, error)
	// OpenForBill returns the open fee orders of the account's bill of itemID, the
	// most recently created first.
	OpenForBill(ctx context.Context, accountID, itemID string) ([]Order, error)
	// ListToResolve returns at most limit (1…MaxBatch) open orders last written
	// before olderThan, least recently written first.
	ListToResolve(ctx context.Context, olderThan time.Time, limit int) ([]Order, error)
	Close() error
}

// ValidateNew checks an order given to Create and normalises its times.
func ValidateNew(o *Order) error {
	if err := ValidateOrderID(o.OrderID); err != nil {
		return err
	}
	switch {
	case o.RequestID == "" || len(o.RequestID) > MaxRequestIDLen:
		return fmt.Errorf("%w: request id must be 1–%d bytes", ErrInvalid, MaxRequestIDLen)
	case o.ParentID == "" || len(o.ParentID) > MaxPartyIDLen:
		return fmt.Errorf("%w: parent id must be 1–%d bytes", ErrInvalid, MaxPartyIDLen)
	case o.AccountID == "" || len(o.AccountID) > MaxPartyIDLen:
		return fmt.Errorf("%w: account id must be 1–%d bytes", ErrInvalid, MaxPartyIDLen)
	case len(o.SchoolID) > MaxPartyIDLen || len(o.MerchantKey) > MaxMerchantLen:
		return fmt.Errorf("%w: school id at most %d bytes, merchant key at most %d", ErrInvalid, MaxPartyIDLen, MaxMerchantLen)
	case o.AmountFen <= 0:
		return fmt.Errorf("%w: amount %d fen must be positive", ErrInvalid, o.AmountFen)
	case o.Channel != "" && !o.Channel.Valid():
		return fmt.Errorf("%w: channel %q", ErrInvalid, o.Channel)
	case len(o.ClientIP) > MaxClientIPLen || len(o.OpenID) > MaxOpenIDLen:
		return fmt.Errorf("%w: client IP at most %d bytes, openid at most %d", ErrInvalid, MaxClientIPLen, MaxOpenIDLen)
	case o.State != "" && o.State != StatePending:
		return fmt.Errorf("%w: a new order is pending, not %s", ErrInvalid, o.State)
	case o.PayURL != "" || o.PayParams != "" || o.TransactionID != "":
		return fmt.Errorf("%w: a new order has no pay URL, pay parameters or transaction id", ErrInvalid)
	case o.CreatedAt.IsZero() || !o.ExpiresAt.After(o.CreatedAt):
		return fmt.Errorf("%w: created_at must be set and before expires_at", ErrInvalid)
	}
	if err := validatePurpose(o); err != nil {
		return err
	}
	o.State = StatePending
	o.CreatedAt = Micro(o.CreatedAt)
	o.ExpiresAt = Micro(o.ExpiresAt)
	return nil
}

// validatePurpose checks the purpose and its bill reference ("" is a recharge).
func validatePurpose(o *Order) error {
	if o.Purpose == "" {
		o.Purpose = PurposeRecharge
	}
	if o.Channel == "" {
		o.Channel = ChannelH5
	}
	switch {
	case !o.Purpose.Valid():
		return fmt.Errorf("%w: unknown purpose %q", ErrInvalid, o.Purpose)
	case o.Purpose == PurposeRecharge && o.ItemID != "":
		return fmt.Errorf("%w: a recharge pays no bill", ErrInvalid)
	case o.Purpose == PurposeFee && (o.ItemID == "" || len(o.ItemID) > MaxItemIDLen):
		return fmt.Errorf("%w: a fee order needs its item id (1–%d bytes)", ErrInvalid, MaxItemIDLen)
	}
	return nil
}

// ValidateBill checks the arguments of OpenForBill.
func ValidateBill(accountID, itemID string) error {
	if accountID == "" || len(accountID) > MaxPartyIDLen || itemID == "" || len(itemID) > MaxItemIDLen {
		return fmt.Errorf("%w: account id and item id are required", ErrInvalid)
	}
	return nil
}

// ValidateOrderID checks an order id: 6–32 characters of [A-Za-z0-9_-].
func ValidateOrderID(id string) error {
	if len(id) < MinOrderIDLen || len(id) > MaxOrderIDLen {
		return fmt.Errorf("%w: order id must be %d–%d characters", ErrInvalid, MinOrderIDLen, MaxOrderIDLen)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Errorf("%w: order id has character %q", ErrInvalid, r)
		}
	}
	return nil
}

// ValidateTransition checks the arguments of Transition.
func ValidateTransition(orderID string, from []State, to State, f Fields) error {
	if err := ValidateOrderID(orderID); err != nil {
		return err
	}
	if len(from) == 0 || len(from) > 5 {
		return fmt.Errorf("%w: 1–5 states to move from", ErrInvalid)
	}
	for _, s := range from {
		if !CanMove(s, to) {
			return fmt.Errorf("%w: an order cannot move from %q to %q", ErrInvalid, s, to)
		}
	}
	switch {
	case len(f.PayURL) > MaxPayURLLen:
		return fmt.Errorf("%w: pay URL longer than %d bytes", ErrInvalid, MaxPayURLLen)
	case len(f.TransactionID) > MaxTxIDLen:
		return fmt.Errorf("%w: transaction id longer than %d bytes", ErrInvalid, MaxTxIDLen)
	case len(f.PayParams) > MaxPayParamsLen:
		return fmt.Errorf("%w: pay parameters longer than %d bytes", ErrInvalid, MaxPayParamsLen)
	}
	return nil
}

// ValidateLimit checks a ListToResolve limit.
func ValidateLimit(limit int) error {
	if limit < 1 || limit > MaxBatch {
		return fmt.Errorf("%w: limit %d, want 1–%d", ErrInvalid, limit, MaxBatch)
	}
	return nil
}

// Micro is t in UTC at the precision both databases keep.
func Micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// OpenStates are the states PendingSum and ListToResolve look at.
func OpenStates() []State { return order.OpenStates() }

// Strings returns the states as strings (for query parameters).
func Strings(states []State) []string {
	out := make([]string, 0, len(states))
	for _, s := range states {
		if !slices.Contains(out, string(s)) {
			out = append(out, string(s))
		}
	}
	return out
}
