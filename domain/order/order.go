package order

// State is where an order is in its life.
type State string

// States. Pending and awaiting payment are open (they count towards the pending sum
// of the balance-cap check and are resolved by the poller); the others are final,
// except that a verified payment credits even a closed or failed order (the parent's
// money is real).
const (
	StatePending         State = "pending"          // written; the aggregator's answer is not known
	StateAwaitingPayment State = "awaiting_payment" // the aggregator has it; the parent may pay
	StateCredited        State = "credited"         // paid and credited to the account
	StateClosed          State = "closed"           // closed unpaid (expired or cancelled)
	StateFailed          State = "failed"           // the aggregator could not take it; nothing charged
)

// Valid reports whether s is one of the five states.
func (s State) Valid() bool {
	switch s {
	case StatePending, StateAwaitingPayment, StateCredited, StateClosed, StateFailed:
		return true
	}
	return false
}

// Open reports whether the order may still be paid or resolved.
func (s State) Open() bool { return s == StatePending || s == StateAwaitingPayment }

// CanMove reports whether an order in state from may be moved to state to. An open
// order may be re-written in its own state (the resolver's "looked at it" touch).
func CanMove(from, to State) bool {
	switch to {
	case StatePending:
		return from == StatePending
	case StateAwaitingPayment:
		return from.Open()
	case StateClosed, StateFailed:
		return from.Open()
	case StateCredited:
		return from.Valid() && from != StateCredited
	}
	return false
}

// OpenStates are the states the pending sum and the resolver look at.
func OpenStates() []State { return []State{StatePending, StateAwaitingPayment} }

// CreditableStates are the states a verified payment credits from: every state but
// credited (a payment may arrive after we gave up on the order).
func CreditableStates() []State {
	return []State{StatePending, StateAwaitingPayment, StateClosed, StateFailed}
}

// CreateResult is what came of asking the aggregator to create an order.
type CreateResult uint8

// Create results.
const (
	// CreateAccepted: the aggregator has the order and gave a pay URL.
	CreateAccepted CreateResult = iota + 1
	// CreateRefused: the aggregator has no such order and will not get one (it
	// refused, or nothing was sent).
	CreateRefused
	// CreateUnknown: the order may or may not exist (timeout, 5xx, lost answer).
	CreateUnknown
)

// AfterCreate is the state a pending order moves to after a create, and whether it
// moves at all: accepted → awaiting payment, refused → failed, unknown → it stays
// pending (the resolver queries it; never a second order).
func AfterCreate(r CreateResult) (State, bool) {
	switch r {
	case CreateAccepted:
		return StateAwaitingPayment, true
	case CreateRefused:
		return StateFailed, true
	}
	return StatePending, false
}

// Remote is what the aggregator says of an order when queried.
type Remote uint8

// Remote states.
const (
	RemoteUnknown  Remote = iota + 1 // the aggregator has no such order
	RemoteNotPaid                    // open, unpaid
	RemotePaid                       // paid
	RemoteClosed                     // closed unpaid
	RemoteRefunded                   // paid, then refunded
)

// Action is what the resolver does with an open order.
type Action uint8

// Actions.
const (
	// ActionTouch leaves the order as it is and looks at it again in a later round.
	ActionTouch Action = iota + 1
	// ActionCredit credits the account, then moves the order to credited.
	ActionCredit
	// ActionClose closes the order at the aggregator, then here.
	ActionClose
	// ActionReplace asks the aggregator again, with identical fields, for an order
	// whose create answer was lost; it answers with the same order.
	ActionReplace
	// ActionMarkClosed moves the order to closed (the aggregator has closed it, or
	// never had it and it has expired).
	ActionMarkClosed
	// ActionMarkFailed moves a pending order the aggregator never got to failed.
	ActionMarkFailed
)

// Resolve is what the resolver does with an open order in state s, given what the
// aggregator says of it and whether it has expired. A payment always credits (the
// caller checks the amount first); a closed order is marked closed; an unpaid one is
// closed once expired, asked for again while its create answer is unknown, and looked
// at later otherwise; an order unknown at the aggregator failed (pending) or is closed
// at expiry; a refunded one needs a person and is left.
func Resolve(s State, r Remote, expired bool) Action {
	switch r {
	case RemoteUnknown:
		switch {
		case s == StatePending:
			return ActionMarkFailed
		case expired:
			return ActionMarkClosed
		}
		return ActionTouch
	case RemotePaid:
		return ActionCredit
	case RemoteClosed:
		return ActionMarkClosed
	case RemoteNotPaid:
		switch {
		case expired:
			return ActionClose
		case s == StatePending:
			return ActionReplace
		}
		return ActionTouch
	}
	return ActionTouch
}
