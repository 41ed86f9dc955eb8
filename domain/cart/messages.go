package cart

import (
	"strings"

	"github.com/onecode/onecode/domain/reason"
)

// declineMessages are the plain messages a terminal shows for the reasons of its
// declines: the account's, the card's and the session's own.
var declineMessages = map[reason.Code]string{
	reason.InsufficientFunds:   "insufficient funds",
	reason.ArrearsCapExceeded:  "arrears cap exceeded",
	reason.CardLost:            "card reported lost",
	reason.CardReplaced:        "card replaced by a newer one",
	reason.DailyCapExceeded:    "daily spending limit reached",
	reason.IdempotencyConflict: "this seq was already used for another request",
	reason.AccountNotOpened:    "account not opened",
	reason.PurchaseNotFound:    "sale not found on the account",
	reason.VoidWrongTerminal:   "sale of another terminal",
	reason.AlreadyVoided:       "sale already voided",
	reason.VoidWindowClosed:    "too late to void this sale",
	reason.CardExpired:         "card expired",
	reason.InvalidCard:         "not a valid card",
	reason.WrongSchool:         "card of another school",
	reason.PriceChanged:        "prices changed",
	reason.OverrideNotAllowed:  "this terminal may not approve arrears",
	reason.UnknownDish:         "dish not sold here",
	reason.DishWithdrawn:       "dish withdrawn",
	reason.InvalidQty:          "invalid quantity",
	reason.CartFull:            "too many lines",
	reason.EmptyCart:           "nothing to pay",
	reason.UnknownSale:         "sale unknown to this session",
}

// DeclineMessage is the plain message a terminal shows for a decline reason; a reason
// without its own message reads as its words in lower case.
func DeclineMessage(r reason.Code) string {
	if m, ok := declineMessages[r]; ok {
		return m
	}
	return strings.ToLower(strings.ReplaceAll(string(r), "_", " "))
}
