package notify

import (
	"context"
	"fmt"
	"strconv"

	"github.com/onecode/onecode/persistence/directory"
	"github.com/onecode/onecode/persistence/outbox"
)

// KindGuardianUnbound tells the other guardians of a pupil that a guardian
// unbound themself or was unbound by the school (recipient: a parent id).
const KindGuardianUnbound Kind = "guardian_unbound"

func init() {
	kindTexts[KindGuardianUnbound] = "【一码通】{phone}已解除与{name}（学号{student_no}）的绑定，如有疑问请联系学校。"
}

// isLoginCode reports whether a topic is a login code (the directory outbox's
// "otp" or the outbox store's KindLoginCode): SMS only, never logged, never
// to the mailbox.
func isLoginCode(topic string) bool {
	return topic == string(directory.TopicOTP) || topic == string(KindLoginCode)
}

// toParent reports whether the recipient of a topic is a parent id.
func toParent(topic string) bool {
	return Kind(topic).ToParent() || Kind(topic) == KindGuardianUnbound
}

// EnqueueLoginCode queues a login code. payload is app/access's code message
// ({"code", "phone_sealed", "masked_phone", "expires_unix"}): it holds the code,
// so it is never logged. phoneHash (hex) is the recipient; codeID names the
// issuance, so a code is queued once and a new code is a new notice.
func (ns Notices) EnqueueLoginCode(ctx context.Context, phoneHash, codeID string, payload []byte) error {
	if codeID == "" {
		return fmt.Errorf("%w: a login code needs its id", ErrBadPayload)
	}
	_, _, err := ns.Store.Enqueue(ctx, outbox.Notice{Key: DedupeKey(KindLoginCode, phoneHash, codeID), Kind: string(KindLoginCode),
		Recipient: phoneHash, Payload: payload, NotBefore: ns.now()})
	return err
}

// Arrears is an approved arrears purchase (a sale on credit).
type Arrears struct {
	SchoolID, AccountID string
	PurchaseKey         string // terminal:seq, the sale's idempotency key
	MaskedName, Canteen string
	AmountFen           int64
	BalanceFen          int64
}

// yuan formats fen as yuan with two decimals ("-3.50").
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return sign + strconv.FormatInt(fen/100, 10) + "." + fmt.Sprintf("%02d", fen%100)
}

// EnqueueArrears queues the arrears notice of a sale, once per sale key (a
// replayed approval queues nothing more).
func (ns Notices) EnqueueArrears(ctx context.Context, a Arrears) error {
	if a.MaskedName == "" {
		a.MaskedName = "*" // a pupil without a name on file
	}
	_, _, err := ns.Enqueue(ctx, Notice{Kind: KindArrears, Cause: a.PurchaseKey, SchoolID: a.SchoolID, Recipient: a.AccountID,
		Params: map[string]string{"name": a.MaskedName, "canteen": a.Canteen, "amount": yuan(a.AmountFen), "balance": yuan(a.BalanceFen)}})
	return err
}

// WithdrawArrears withdraws the unsent arrears notice of a voided sale.
func (ns Notices) WithdrawArrears(ctx context.Context, accountID, purchaseKey string) error {
	_, err := ns.Withdraw(ctx, KindArrears, accountID, purchaseKey, "sale voided")
	return err
}

// GuardianChange is a change of a pupil's guardians told to the others.
type GuardianChange struct {
	Bound           bool   // bound (else unbound)
	Cause           string // names the change: the same change queues once
	SchoolID        string
	Relation        string // of the new guardian (bound)
	MaskedPhone     string // of the guardian unbound
	MaskedName      string
	MaskedStudentNo string
	Recipients      []string // parent ids of the other guardians
}

// EnqueueGuardianChange queues the notice of a guardian change to each other
// guardian.
func (ns Notices) EnqueueGuardianChange(ctx context.Context, c GuardianChange) error {
	n := Notice{Kind: KindGuardianUnbound, Cause: c.Cause, SchoolID: c.SchoolID,
		Params: map[string]string{"phone": c.MaskedPhone, "name": c.MaskedName, "student_no": c.MaskedStudentNo}}
	if c.Bound {
		relation := c.Relation
		if relation == "" {
			relation = "家长"
		}
		n.Kind = KindGuardianBound
		n.Params = map[string]string{"relation": relation, "name": c.MaskedName, "student_no": c.MaskedStudentNo}
	}
	for _, to := range c.Recipients {
		n.Recipient = to
		if _, _, err := ns.Enqueue(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// AllKinds are the notice kinds with a text (every kind but the login code).
func AllKinds() []Kind {
	out := make([]Kind, 0, len(kindTexts))
	for k := range kindTexts {
		out = append(out, k)
	}
	return out
}
