package recharge

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/onecode/onecode/domain/order"
	"github.com/onecode/onecode/domain/reason"
	"github.com/onecode/onecode/persistence/orders"
	grainv1 "github.com/onecode/onecode/protos/onecode/grain/v1"
)

// Bounds and defaults of the recharges.
const (
	DefaultOrderTTL     = 15 * time.Minute
	DefaultResolveAfter = 2 * time.Minute
	DefaultResolveBatch = 100
	DefaultStep         = 10 * time.Second
	MaxOrderTTL         = 2 * time.Hour
	orderIDRandomChars  = 20
)

// Store keeps the orders (persistence/orders), named here so that the edge and cmd
// wire it without importing persistence.
type Store = orders.Store

// Accounts is what the recharges need of the Account grains (*actors.Accounts).
type Accounts interface {
	Execute(ctx context.Context, accountID string, req *grainv1.ExecuteRequest) (*grainv1.ExecuteResponse, error)
	State(ctx context.Context, accountID string) (*grainv1.GetStateResponse, error)
}

// Recharge is an order as its parent sees it: a recharge, or the online payment of
// a fee bill (Purpose fee, ItemID the bill's item).
type Recharge struct {
	OrderID   string
	AccountID string
	Purpose   orders.Purpose
	ItemID    string
	AmountFen int64
	State     order.State
	Channel   Channel
	// PayURL (H5), CodeURL (Native) or JSAPI (JSAPI): only while the order awaits payment.
	PayURL    string
	CodeURL   string
	JSAPI     *JSAPIParams
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Errors of the recharges that the edge shows as they are.
var (
	// ErrNotFound: no such order, or not the caller's (the same answer).
	ErrNotFound = reason.New(reason.KindNotFound, reason.RechargeNotFound, "no such recharge")
	// ErrDisabled: no aggregator is configured.
	ErrDisabled = reason.New(reason.KindUnavailable, reason.RechargeDisabled, "online recharge is not configured")
	// ErrUnavailable: the aggregator could not take the order (nothing was charged).
	ErrUnavailable = reason.New(reason.KindUnavailable, reason.AggregatorUnavailable, "recharge is temporarily unavailable")
)

// Config configures the Service; cmd/onecode builds it once.
type Config struct {
	Accounts Accounts
	Orders   Store
	// Providers are the payment merchants per school: an order is placed with its
	// school's merchant and queried, closed and refunded with the one it was placed
	// with (Single for one merchant of every school).
	Providers Providers
	// Aggregator (transitional) is today's single merchant, used as
	// Single(AggregatorProvider(Aggregator)) when Providers is nil.
	Aggregator Aggregator
	// OnBill, if set, hears each bill a verified fee payment settled (the fee read
	// model's projection), after the grain committed it.
	OnBill func(ctx context.Context, accountID string, a *grainv1.Accepted)
	// NotifyURL is where the aggregator posts payment notifications: the absolute
	// URL of the edge's notification handler as the aggregator reaches it.
	NotifyURL string
	// WeChatLinks are the parents' linked WeChat accounts (the directory): the
	// openid of a JSAPI payment. Unset, JSAPI is CHANNEL_UNSUPPORTED.
	WeChatLinks WeChatLinks
	// WeChatAppID is the appid of the linked openids (the official account of
	// push.wechat.app_id, or the merchant's appid): JSAPI is taken only by
	// merchants whose JSAPI appid it is. Empty: any WeChat Pay merchant's.
	WeChatAppID string
	// MerchantNotifyURL, if set, is the absolute base URL of the edge's per-merchant
	// handler (…/pay/notify/): an order's notifications then go to this base and its
	// merchant key, where that merchant's Provider verifies them. Unset, every order
	// names NotifyURL (today's single aggregator, verified at the edge).
	MerchantNotifyURL string
	// Description is the order's description at the aggregator (default "一码通充值").
	Description string
	// OrderTTL is how long the parent has to pay (default 15 min, at most 2 h).
	OrderTTL time.Duration
	// ResolveAfter: the resolver queries an open order last written this long ago
	// (default 2 min). It must be well above the aggregator's call timeout, so that
	// the resolver never races a Create still waiting for its answer.
	ResolveAfter time.Duration
	// ResolveBatch bounds the orders of one resolver round (default 100).
	ResolveBatch int
	// Step bounds each credit, store write and aggregator step of a payment and of
	// the resolver (default 10 s).
	Step time.Duration
	// OnRefundSettled, if set, hears each refund reaching its final state
	// (succeeded, failed, closed) after the grain settled or released it and before
	// that state is recorded: an error leaves the refund open, so the resolver
	// settles it (and tells it) again. It must therefore be idempotent (the
	// notices' dedupe key).
	OnRefundSettled func(ctx context.Context, r Refund, to orders.RefundState) error
	// OnRefundRequested, if set, hears each refund staff asked for once it is
	// written and sent (also a retried request answering its first refund, so it
	// must be idempotent by the refund's request id: the fee journal's key); an error
	// answers the refund as Unavailable, and the retry tells it again.
	OnRefundRequested func(ctx context.Context, r Refund) error
	// OnCredited, if set, observes each order moved to credited (once per order; metrics).
	OnCredited func(amountFen int64)
	Now        func() time.Time
	Rand       io.Reader
	Logger     *slog.Logger
}

// Service runs the recharges. It is safe for concurrent use.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New validates cfg and builds the Service.
func New(cfg Config) (*Service, error) {
	if cfg.Providers == nil && cfg.Aggregator != nil {
		cfg.Providers = Single(AggregatorProvider(cfg.Aggregator))
	}
	if cfg.Accounts == nil || cfg.Orders == nil || cfg.Providers == nil || cfg.Now == nil || cfg.Rand == nil {
		return nil, errors.New("recharges: Accounts, Orders, Providers (or Aggregator), Now and Rand are required")
	}
	if u, err := url.Parse(cfg.NotifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("recharges: notify URL %q must be an absolute http(s) URL", cfg.NotifyURL)
	}
	if cfg.MerchantNotifyURL != "" {
		if u, err := url.Parse(cfg.MerchantNotifyURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			!strings.HasSuffix(u.Path, "/") {
			return nil, fmt.Errorf("recharges: merchant notify URL %q must be an absolute http(s) URL ending in /", cfg.MerchantNotifyURL)
		}
	}
	cfg = withDefaults(cfg)
	switch {
	case cfg.OrderTTL < time.Minute || cfg.OrderTTL > MaxOrderTTL:
		return nil, fmt.Errorf("recharges: order TTL %v, want 1 min … %v", cfg.OrderTTL, MaxOrderTTL)
	case cfg.ResolveAfter <= 0 || cfg.Step <= 0:
		return nil, errors.New("recharges: ResolveAfter and Step must be positive")
	case orders.ValidateLimit(cfg.ResolveBatch) != nil:
		return nil, fmt.Errorf("recharges: resolve batch %d, want 1…%d", cfg.ResolveBatch, orders.MaxBatch)
	}
	s := &Service{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Description == "" {
		cfg.Description = "一码通充值"
	}
	if cfg.OrderTTL == 0 {
		cfg.OrderTTL = DefaultOrderTTL
	}
	if cfg.ResolveAfter == 0 {
		cfg.ResolveAfter = DefaultResolveAfter
	}
	if cfg.ResolveBatch == 0 {
		cfg.ResolveBatch = DefaultResolveBatch
	}
	if cfg.Step == 0 {
		cfg.Step = DefaultStep
	}
	return cfg
}

// Providers are the merchants the Service places orders with (the edge verifies
// each merchant's notifications with its Provider).
func (s *Service) Providers() Providers { return s.cfg.Providers }

// notifyURL is where o's notifications go: its merchant's handler, or NotifyURL.
func (s *Service) notifyURL(o orders.Order) string {
	if s.cfg.MerchantNotifyURL == "" {
		return s.cfg.NotifyURL
	}
	key := o.MerchantKey
	if key == "" {
		key = SingleKey
	}
	return s.cfg.MerchantNotifyURL + url.PathEscape(key)
}

// Get returns an order (ErrNotFound). The caller checks ownership first (Owner), or
// uses GetOwn.
func (s *Service) Get(ctx context.Context, orderID string) (Recharge, error) {
	o, err := s.get(ctx, orderID)
	if err != nil {
		return Recharge{}, err
	}
	return toRecharge(o), nil
}

// Owner returns who created the order and for which account (ErrNotFound).
func (s *Service) Owner(ctx context.Context, orderID string) (parentID, accountID string, err error) {
	o, err := s.get(ctx, orderID)
	if err != nil {
		return "", "", err
	}
	return o.ParentID, o.AccountID, nil
}

// GetOwn returns the parent's own order: another parent's order, and an id that is
// no order id, answer exactly as an unknown one (ErrNotFound).
func (s *Service) GetOwn(ctx context.Context, parentID, orderID string) (Recharge, error) {
	if orderID == "" || len(orderID) > orders.MaxRequestIDLen || !idChars(orderID) {
		return Recharge{}, ErrNotFound
	}
	o, err := s.get(ctx, orderID)
	if err != nil {
		return Recharge{}, err
	}
	if o.ParentID != parentID {
		return Recharge{}, ErrNotFound
	}
	return toRecharge(o), nil
}

func idChars(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (s *Service) get(ctx context.Context, orderID string) (orders.Order, error) {
	o, err := s.cfg.Orders.Get(ctx, orderID)
	if errors.Is(err, orders.ErrNotFound) || errors.Is(err, orders.ErrInvalid) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, s.storeError("read recharge order", err)
	}
	return o, nil
}

// storeError classifies a failure of the orders store.
func (s *Service) storeError(what string, err error) error {
	switch {
	case errors.Is(err, orders.ErrInvalid):
		return reason.Wrap(reason.KindInvalid, reason.InvalidArgument, err.Error(), err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	}
	s.log.Error("recharge store", "op", what, "err", err)
	return reason.Wrap(reason.KindUnavailable, reason.Unavailable, "temporarily unavailable: retry with the same request id", err)
}

// newOrderID is "R" and 20 random base32 characters (100 bits).
func (s *Service) newOrderID() (string, error) {
	b := make([]byte, 13)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("recharges: random order id: %w", err)
	}
	return "R" + base32.StdEncoding.EncodeToString(b)[:orderIDRandomChars], nil
}

func toRecharge(o orders.Order) Recharge {
	rc := Recharge{OrderID: o.OrderID, AccountID: o.AccountID, Purpose: o.Purpose, ItemID: o.ItemID, AmountFen: o.AmountFen, State: o.State,
		CreatedAt: o.CreatedAt, ExpiresAt: o.ExpiresAt, Channel: channelOf(o.Channel)}
	if o.State == order.StateAwaitingPayment {
		rc = withPay(rc, o) // only while it can be paid
	}
	return rc
}
