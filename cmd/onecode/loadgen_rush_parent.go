package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	apiv1 "github.com/onecode/onecode/protos/onecode/api/v1"
)

// payOne: parent i places the order of pupil i's bill and pays it on the
// sandbox; it answers the order.
func (r *rushRun) payOne(ctx context.Context, parents apiv1.FeeParentServiceClient, item string, i int) (*apiv1.Recharge, error) {
	pctx := bearer(ctx, r.parents[i])
	req := &apiv1.PayBillOnlineRequest{AccountId: r.s.school.Pupils[i].AccountID, ItemId: item,
		RequestId: fmt.Sprintf("lgrush-%d", i), Channel: apiv1.PayChannel_PAY_CHANNEL_H5}
	resp, err := parents.PayBillOnline(pctx, req)
	if err != nil {
		return nil, fmt.Errorf("pay bill online: %w", err)
	}
	o := resp.GetOrder()
	deadline := time.Now().Add(rushSettleLimit)
	for o.GetPayUrl() == "" {
		// Pending: the aggregator's answer to the prepay was lost. The parent taps
		// pay again (the same request id), which asks the aggregator again.
		if o.GetState() != apiv1.Recharge_STATE_PENDING || time.Now().After(deadline) {
			return nil, fmt.Errorf("order %s in state %s has no pay_url", o.GetOrderId(), o.GetState())
		}
		r.replaced.Add(1)
		time.Sleep(rushPayAgain)
		if resp, err = parents.PayBillOnline(pctx, req); err != nil {
			return nil, fmt.Errorf("pay bill online again: %w", err)
		}
		o = resp.GetOrder()
	}
	return o, r.sandboxPay(ctx, o.GetPayUrl())
}

// await: parent i polls its paid order every --fee-rush-poll until credited;
// it answers order placed (t0) → settled as the parent sees it.
func (r *rushRun) await(ctx context.Context, parents apiv1.FeeParentServiceClient, i int, o *apiv1.Recharge, t0 time.Time) (time.Duration, error) {
	pctx := bearer(ctx, r.parents[i])
	deadline := t0.Add(rushSettleLimit)
	for errs := 0; ; {
		r.polls.Add(1)
		g, err := parents.GetBillOrder(pctx, &apiv1.GetBillOrderRequest{OrderId: o.GetOrderId()})
		switch {
		case err != nil && errs+1 >= rushTries:
			return 0, fmt.Errorf("get bill order: %w", err)
		case err != nil:
			errs++
		case g.GetOrder().GetState() == apiv1.Recharge_STATE_CREDITED:
			return time.Since(t0), nil
		default:
			errs = 0
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("order %s still %s after %s", o.GetOrderId(), g.GetOrder().GetState(), rushSettleLimit)
		}
		select { // polling, as the parent's page does
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(r.cfg.rushPoll):
		}
	}
}

// sandboxPay pays an order on the sandbox as the payer's phone would.
func (r *rushRun) sandboxPay(ctx context.Context, payURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, payURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.pay.Do(req)
	if err != nil {
		return fmt.Errorf("sandbox pay: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sandbox pay: HTTP %d", resp.StatusCode)
	}
	return nil
}

// keepAlive is a transport keeping n idle connections per host.
func keepAlive(n int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = n
	t.MaxIdleConns = max(t.MaxIdleConns, n)
	return t
}
