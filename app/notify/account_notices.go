package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/domain/account"
	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
)

// Pupils is what AccountNotices reads of the directory (directory.Store): the
// pupil's name, masked before it enters a notice.
type Pupils interface {
	PupilByAccount(ctx context.Context, accountID string) (directory.Pupil, error)
}

// AccountNotices turns the committed events of an account into notices: the
// low-balance notice of a crossing (once per crossing: account.LowBalanceCrossed),
// the recharge receipt, the loss report and the re-issue. It is the Account grains'
// post-commit observer (actors.AccountDeps.Observer), told again of the recent tail
// on each activation; every notice is queued under the dedupe key (kind, account,
// seq), so a repeat queues nothing twice.
type AccountNotices struct {
	Notices Notices
	Pupils  Pupils
}

// NewAccountNotices is the observer to set as actors.AccountDeps.Observer: the
// notices of committed money events, queued in store.
func NewAccountNotices(store outbox.Store, pupils Pupils) actors.AccountObserver {
	return AccountNotices{Notices: Notices{Store: store}, Pupils: pupils}
}

// Committed implements actors.AccountObserver: it queues the notice of each
// event; the first failure is answered (the grain keeps the events for a retry).
func (a AccountNotices) Committed(ctx context.Context, accountID string, events []actors.CommittedEvent) error {
	var name string
	for _, ce := range events {
		n, ok := EventNotice(accountID, ce)
		if !ok {
			continue
		}
		if name == "" {
			var err error
			if name, err = a.maskedName(ctx, accountID); err != nil {
				return err
			}
		}
		n.Params["name"] = name
		if _, _, err := a.Notices.Enqueue(ctx, n); err != nil {
			return fmt.Errorf("notify: %s of account event %d: %w", n.Kind, ce.Seq, err)
		}
	}
	return nil
}

func (a AccountNotices) maskedName(ctx context.Context, accountID string) (string, error) {
	p, err := a.Pupils.PupilByAccount(ctx, accountID)
	if errors.Is(err, directory.ErrNotFound) {
		return "**", nil // an account without a pupil record: no name at all
	}
	if err != nil {
		return "", fmt.Errorf("notify: pupil of the account: %w", err)
	}
	name := actors.MaskName(p.Name)
	if !strings.Contains(name, "*") {
		name = "**"
	}
	return name, nil
}

// EventNotice is the notice of one committed event (without its {name}), false
// for an event that notifies no one. Its cause is the event's seq.
func EventNotice(accountID string, ce actors.CommittedEvent) (Notice, bool) {
	n := Notice{Cause: "seq" + strconv.FormatUint(ce.Seq, 10), SchoolID: ce.After.SchoolID, Recipient: accountID}
	balance := ce.After.Balance.String()
	switch e := ce.Event.(type) {
	case account.Purchased:
		if !account.LowBalanceCrossed(ce.Before, e) {
			return Notice{}, false
		}
		n.Kind = KindLowBalance
		n.Params = map[string]string{"balance": balance, "threshold": account.LowBalanceThreshold.String()}
	case account.RechargeCredited:
		n.Kind = KindRechargeReceipt
		n.Params = map[string]string{"amount": e.Amount.String(), "balance": balance}
	case account.CardReportedLost:
		n.Kind = KindCardLoss
		n.Params = map[string]string{}
	case account.CardReissued:
		n.Kind = KindCardReissue
		n.Params = map[string]string{}
	default:
		return Notice{}, false
	}
	return n, true
}
